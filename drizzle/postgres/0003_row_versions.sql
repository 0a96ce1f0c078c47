-- A version per row, for entity tags and conditional writes (docs/api.md#conditional-requests).
-- A constant default: PostgreSQL 11+ adds the column without rewriting the table, so each ALTER
-- holds its ACCESS EXCLUSIVE lock only for the catalog change. The parent table first, as a
-- tenant's cascading delete locks them, so that the two cannot wait for each other.
SET LOCAL lock_timeout = '5s';
--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "version" integer DEFAULT 1 NOT NULL;
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "version" integer DEFAULT 1 NOT NULL;
--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "version" integer DEFAULT 1 NOT NULL;
