DROP TABLE "tenants" CASCADE;
--> statement-breakpoint
DROP TABLE "users" CASCADE;
