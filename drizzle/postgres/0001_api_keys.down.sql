DROP TABLE "api_keys" CASCADE;
--> statement-breakpoint
DROP TABLE "credential_failures" CASCADE;
