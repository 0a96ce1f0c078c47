-- A version per row, for entity tags and conditional writes (docs/api.md#conditional-requests).
ALTER TABLE `tenants` ADD `version` integer DEFAULT 1 NOT NULL;
--> statement-breakpoint
ALTER TABLE `users` ADD `version` integer DEFAULT 1 NOT NULL;
--> statement-breakpoint
ALTER TABLE `api_keys` ADD `version` integer DEFAULT 1 NOT NULL;
