PRAGMA foreign_keys=OFF;
--> statement-breakpoint
-- lint:allow table-rebuild SQLite changes a primary key only by copying the table; the migration holds the write lock while it copies, 0.5 to 5 s per 100,000 users on a shared 2-core machine (bun bench/shard-migration.ts), and writers wait up to the 5 s busy timeout, then get 503: run it at a quiet time on a large file
CREATE TABLE `__new_api_keys` (
	`id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`key_id` text(32) NOT NULL,
	`secret_hash` text(64) NOT NULL,
	`name` text(200),
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`last_used_at` integer,
	PRIMARY KEY(`tenant_id`, `id`),
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `__new_api_keys`("id", "tenant_id", "key_id", "secret_hash", "name", "created_at", "last_used_at") SELECT "id", "tenant_id", "key_id", "secret_hash", "name", "created_at", "last_used_at" FROM `api_keys`;--> statement-breakpoint
DROP TABLE `api_keys`;--> statement-breakpoint
ALTER TABLE `__new_api_keys` RENAME TO `api_keys`;--> statement-breakpoint
PRAGMA foreign_keys=ON;
--> statement-breakpoint
-- lint:allow add-unique key_id was unique on its own, so every existing row is unique on (key_id, tenant_id) too; the app writes no duplicates of either
CREATE UNIQUE INDEX `api_keys_key_id_tenant_id_unique` ON `api_keys` (`key_id`,`tenant_id`);
--> statement-breakpoint
-- lint:allow table-rebuild SQLite changes a primary key only by copying the table; the migration holds the write lock while it copies, 0.5 to 5 s per 100,000 users on a shared 2-core machine (bun bench/shard-migration.ts), and writers wait up to the 5 s busy timeout, then get 503: run it at a quiet time on a large file
CREATE TABLE `__new_users` (
	`id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`email` text(254) NOT NULL,
	`name` text(200) NOT NULL,
	`role` text DEFAULT 'member' NOT NULL,
	`is_active` integer DEFAULT true NOT NULL,
	`password_hash` text NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	PRIMARY KEY(`tenant_id`, `id`),
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "users_role_check" CHECK("__new_users"."role" in ('owner', 'admin', 'member'))
);
--> statement-breakpoint
INSERT INTO `__new_users`("id", "tenant_id", "email", "name", "role", "is_active", "password_hash", "created_at", "updated_at") SELECT "id", "tenant_id", "email", "name", "role", "is_active", "password_hash", "created_at", "updated_at" FROM `users`;--> statement-breakpoint
DROP TABLE `users`;--> statement-breakpoint
ALTER TABLE `__new_users` RENAME TO `users`;--> statement-breakpoint
CREATE UNIQUE INDEX `users_tenant_id_email_unique` ON `users` (`tenant_id`,`email`);
--> statement-breakpoint
-- lint:allow table-rebuild SQLite changes a primary key only by copying the table; the migration holds the write lock while it copies, 0.5 to 5 s per 100,000 users on a shared 2-core machine (bun bench/shard-migration.ts), and writers wait up to the 5 s busy timeout, then get 503: run it at a quiet time on a large file
CREATE TABLE `__new_credential_failures` (
	`id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`email` text(254) NOT NULL,
	`failed_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	PRIMARY KEY(`tenant_id`, `id`),
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `__new_credential_failures`("id", "tenant_id", "email", "failed_at") SELECT "id", "tenant_id", "email", "failed_at" FROM `credential_failures`;--> statement-breakpoint
DROP TABLE `credential_failures`;--> statement-breakpoint
ALTER TABLE `__new_credential_failures` RENAME TO `credential_failures`;--> statement-breakpoint
CREATE INDEX `credential_failures_tenant_id_email_failed_at_idx` ON `credential_failures` (`tenant_id`,`email`,`failed_at`);