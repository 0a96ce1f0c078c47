SET LOCAL lock_timeout = '5s';
--> statement-breakpoint
ALTER TABLE "tenants" DROP COLUMN "version";
--> statement-breakpoint
ALTER TABLE "users" DROP COLUMN "version";
--> statement-breakpoint
ALTER TABLE "api_keys" DROP COLUMN "version";
