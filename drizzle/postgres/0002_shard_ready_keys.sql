-- migrate:no-transaction
-- tenant_id joins the primary keys and api_keys' unique key (docs/scaling.md). Each new key's
-- index is built CONCURRENTLY, writes going on meanwhile, then swapped in with USING INDEX: the
-- old key is dropped and the new one added in one statement, which holds the ACCESS EXCLUSIVE
-- lock only for the catalog change (the columns are NOT NULL already, so nothing is scanned).
-- The (tenant_id, id) indexes become duplicates of the new primary keys and go.
SET lock_timeout = '5s';
--> statement-breakpoint
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "users_tenant_id_id_pk" ON "users" USING btree ("tenant_id","id");
--> statement-breakpoint
ALTER TABLE "users" DROP CONSTRAINT "users_pkey", ADD CONSTRAINT "users_tenant_id_id_pk" PRIMARY KEY USING INDEX "users_tenant_id_id_pk";
--> statement-breakpoint
DROP INDEX CONCURRENTLY IF EXISTS "users_tenant_id_id_idx";
--> statement-breakpoint
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "api_keys_tenant_id_id_pk" ON "api_keys" USING btree ("tenant_id","id");
--> statement-breakpoint
ALTER TABLE "api_keys" DROP CONSTRAINT "api_keys_pkey", ADD CONSTRAINT "api_keys_tenant_id_id_pk" PRIMARY KEY USING INDEX "api_keys_tenant_id_id_pk";
--> statement-breakpoint
DROP INDEX CONCURRENTLY IF EXISTS "api_keys_tenant_id_id_idx";
--> statement-breakpoint
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "api_keys_key_id_tenant_id_unique" ON "api_keys" USING btree ("key_id","tenant_id");
--> statement-breakpoint
ALTER TABLE "api_keys" DROP CONSTRAINT "api_keys_key_id_unique", ADD CONSTRAINT "api_keys_key_id_tenant_id_unique" UNIQUE USING INDEX "api_keys_key_id_tenant_id_unique";
--> statement-breakpoint
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "credential_failures_tenant_id_id_pk" ON "credential_failures" USING btree ("tenant_id","id");
--> statement-breakpoint
ALTER TABLE "credential_failures" DROP CONSTRAINT "credential_failures_pkey", ADD CONSTRAINT "credential_failures_tenant_id_id_pk" PRIMARY KEY USING INDEX "credential_failures_tenant_id_id_pk";
--> statement-breakpoint
-- The migrator's connection goes back to the app's pool.
RESET lock_timeout;
