CREATE TABLE `idempotency_keys` (
	`scope` text(64) NOT NULL,
	`key_hash` text(64) NOT NULL,
	`request_hash` text(64) NOT NULL,
	`state` text NOT NULL,
	`lease` text(32),
	`status` integer,
	`answer` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`expires_at` integer NOT NULL,
	PRIMARY KEY(`scope`, `key_hash`),
	CONSTRAINT "idempotency_keys_state_check" CHECK(("idempotency_keys"."state" = 'in_progress' and "idempotency_keys"."lease" is not null and "idempotency_keys"."status" is null and "idempotency_keys"."answer" is null) or ("idempotency_keys"."state" = 'completed' and "idempotency_keys"."lease" is null and "idempotency_keys"."status" is not null and "idempotency_keys"."answer" is not null))
);
--> statement-breakpoint
CREATE INDEX `idempotency_keys_expires_at_idx` ON `idempotency_keys` (`expires_at`);