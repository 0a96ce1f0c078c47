CREATE TABLE "idempotency_keys" (
	"scope" varchar(64) NOT NULL,
	"key_hash" varchar(64) NOT NULL,
	"request_hash" varchar(64) NOT NULL,
	"state" text NOT NULL,
	"lease" varchar(32),
	"status" integer,
	"answer" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "idempotency_keys_scope_key_hash_pk" PRIMARY KEY("scope","key_hash"),
	CONSTRAINT "idempotency_keys_state_check" CHECK (("idempotency_keys"."state" = 'in_progress' and "idempotency_keys"."lease" is not null and "idempotency_keys"."status" is null and "idempotency_keys"."answer" is null) or ("idempotency_keys"."state" = 'completed' and "idempotency_keys"."lease" is null and "idempotency_keys"."status" is not null and "idempotency_keys"."answer" is not null))
);
--> statement-breakpoint
CREATE INDEX "idempotency_keys_expires_at_idx" ON "idempotency_keys" USING btree ("expires_at");