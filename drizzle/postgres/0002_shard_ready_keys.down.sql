-- migrate:no-transaction
-- Back to primary keys on id alone and a unique key_id, swapped in the same way as going up.
-- key_id stays unique on its own: every key id, old or new, is 80 random bits.
SET lock_timeout = '5s';
--> statement-breakpoint
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "credential_failures_pkey" ON "credential_failures" USING btree ("id");
--> statement-breakpoint
ALTER TABLE "credential_failures" DROP CONSTRAINT "credential_failures_tenant_id_id_pk", ADD CONSTRAINT "credential_failures_pkey" PRIMARY KEY USING INDEX "credential_failures_pkey";
--> statement-breakpoint
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "api_keys_key_id_unique" ON "api_keys" USING btree ("key_id");
--> statement-breakpoint
ALTER TABLE "api_keys" DROP CONSTRAINT "api_keys_key_id_tenant_id_unique", ADD CONSTRAINT "api_keys_key_id_unique" UNIQUE USING INDEX "api_keys_key_id_unique";
--> statement-breakpoint
CREATE INDEX CONCURRENTLY IF NOT EXISTS "api_keys_tenant_id_id_idx" ON "api_keys" USING btree ("tenant_id","id");
--> statement-breakpoint
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "api_keys_pkey" ON "api_keys" USING btree ("id");
--> statement-breakpoint
ALTER TABLE "api_keys" DROP CONSTRAINT "api_keys_tenant_id_id_pk", ADD CONSTRAINT "api_keys_pkey" PRIMARY KEY USING INDEX "api_keys_pkey";
--> statement-breakpoint
CREATE INDEX CONCURRENTLY IF NOT EXISTS "users_tenant_id_id_idx" ON "users" USING btree ("tenant_id","id");
--> statement-breakpoint
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "users_pkey" ON "users" USING btree ("id");
--> statement-breakpoint
ALTER TABLE "users" DROP CONSTRAINT "users_tenant_id_id_pk", ADD CONSTRAINT "users_pkey" PRIMARY KEY USING INDEX "users_pkey";
--> statement-breakpoint
RESET lock_timeout;
