/**
 * The database schema: the one file to edit, then `npm run db:generate`.
 *
 * Drizzle tables are per dialect, so every table is written twice, once for PostgreSQL and once
 * for SQLite, side by side. test/db/schema-parity.test.ts fails when the two disagree.
 *
 * A table with a tenant_id column is tenant-owned: tenant_id is part of its primary key (first,
 * so that the key serves a tenant's listings), of every unique constraint and of every foreign key
 * to another tenant-owned table, so that each table can be distributed by tenant (Citus,
 * docs/scaling.md). test/db/tenant-keys.test.ts reads the migrated databases and fails on a key
 * without it.
 */
import { sql } from "drizzle-orm";
import {
  boolean,
  check as pgCheck,
  customType as pgCustomType,
  index as pgIndex,
  integer as pgInteger,
  primaryKey as pgPrimaryKey,
  pgTable,
  text as pgText,
  unique as pgUnique,
  timestamp,
  uuid,
  varchar,
} from "drizzle-orm/pg-core";
import {
  integer,
  check as sqliteCheck,
  customType as sqliteCustomType,
  index as sqliteIndex,
  primaryKey as sqlitePrimaryKey,
  sqliteTable,
  text as sqliteText,
  unique as sqliteUnique,
} from "drizzle-orm/sqlite-core";
import { v7 as uuidv7 } from "uuid";

export const USER_ROLES = ["owner", "admin", "member"] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const IDEMPOTENCY_STATES = ["in_progress", "completed"] as const;

/**
 * A row of idempotency_keys is either a reservation, held by the request working on it (its
 * lease), or a completed answer. Besides keeping rows whole, the check is what makes a request
 * whose reservation another one took over fail its write (src/modules/idempotency/store.ts).
 */
export const IDEMPOTENCY_STATE_CHECK = "idempotency_keys_state_check";
const idempotencyStateCheck = (table: {
  state: unknown;
  lease: unknown;
  status: unknown;
  answer: unknown;
}) =>
  sql`(${table.state} = 'in_progress' and ${table.lease} is not null and ${table.status} is null and ${table.answer} is null) or (${table.state} = 'completed' and ${table.lease} is null and ${table.status} is not null and ${table.answer} is not null)`;

// Timestamps are set by the app (millisecond precision on both dialects); the SQL defaults
// serve rows written by hand, e.g. in Drizzle Studio.
const now = () => new Date();

/**
 * The timestamps the API shows are ISO-8601 UTC strings in the app as on the wire, converted
 * where rows are read: encoding Date objects per response cost a quarter of a users page (see
 * bench/README.md). The SQL types are the ones a plain timestamp column has.
 */
export type Instant = string;
const nowInstant = (): Instant => new Date().toISOString();

const pgInstantType = pgCustomType<{ data: Instant; driverData: string }>({
  dataType: () => "timestamp (3) with time zone",
  // PostgreSQL's text form, e.g. `2026-11-25 10:00:00.12+00`.
  fromDriver: (value) => new Date(value).toISOString(),
});

const sqliteInstantType = sqliteCustomType<{ data: Instant; driverData: number }>({
  dataType: () => "integer",
  fromDriver: (milliseconds) => new Date(milliseconds).toISOString(),
  toDriver: (instant) => Date.parse(instant),
});

// ---------------------------------------------------------------- PostgreSQL

const pgTimestamp = (name: string) =>
  timestamp(name, { withTimezone: true, precision: 3, mode: "date" })
    .notNull()
    .defaultNow()
    .$defaultFn(now);

const pgInstant = (name: string) =>
  pgInstantType(name).notNull().default(sql`now()`).$defaultFn(nowInstant);

/**
 * The row's version: 1 when inserted, one more with every change a client makes. The entity tag
 * of the row's representation is made from it (src/http/conditional.ts), and a write that names
 * a tag compares it in the statement's own WHERE clause, so two writers cannot both pass.
 */
const pgRowVersion = () => pgInteger("version").notNull().default(1);

export const pgTenants = pgTable("tenants", {
  id: uuid("id").primaryKey().$defaultFn(uuidv7),
  name: varchar("name", { length: 200 }).notNull(),
  slug: varchar("slug", { length: 63 }).notNull().unique("tenants_slug_unique"),
  createdAt: pgInstant("created_at"),
  updatedAt: pgInstant("updated_at"),
  version: pgRowVersion(),
});

export const pgUsers = pgTable(
  "users",
  {
    id: uuid("id").notNull().$defaultFn(uuidv7),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => pgTenants.id, { onDelete: "cascade" }),
    email: varchar("email", { length: 254 }).notNull(),
    name: varchar("name", { length: 200 }).notNull(),
    role: pgText("role", { enum: USER_ROLES }).notNull().default("member"),
    isActive: boolean("is_active").notNull().default(true),
    passwordHash: pgText("password_hash").notNull(),
    createdAt: pgInstant("created_at"),
    updatedAt: pgInstant("updated_at"),
    version: pgRowVersion(),
  },
  (table) => [
    pgPrimaryKey({ name: "users_tenant_id_id_pk", columns: [table.tenantId, table.id] }),
    pgUnique("users_tenant_id_email_unique").on(table.tenantId, table.email),
    pgCheck("users_role_check", sql`${table.role} in ('owner', 'admin', 'member')`),
  ],
);

export const pgApiKeys = pgTable(
  "api_keys",
  {
    id: uuid("id").notNull().$defaultFn(uuidv7),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => pgTenants.id, { onDelete: "cascade" }),
    // The public part of the key, shown in listings; the secret is stored only as a SHA-256.
    keyId: varchar("key_id", { length: 32 }).notNull(),
    secretHash: varchar("secret_hash", { length: 64 }).notNull(),
    name: varchar("name", { length: 200 }),
    createdAt: pgInstant("created_at"),
    lastUsedAt: pgInstantType("last_used_at"),
    version: pgRowVersion(),
  },
  (table) => [
    pgPrimaryKey({ name: "api_keys_tenant_id_id_pk", columns: [table.tenantId, table.id] }),
    // key_id first: keys issued before tokens carried their tenant are found by key_id alone.
    pgUnique("api_keys_key_id_tenant_id_unique").on(table.keyId, table.tenantId),
  ],
);

/** Failed credential checks, counted per tenant and email for rate limiting across instances. */
export const pgCredentialFailures = pgTable(
  "credential_failures",
  {
    id: uuid("id").notNull().$defaultFn(uuidv7),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => pgTenants.id, { onDelete: "cascade" }),
    email: varchar("email", { length: 254 }).notNull(),
    failedAt: pgTimestamp("failed_at"),
  },
  (table) => [
    pgPrimaryKey({
      name: "credential_failures_tenant_id_id_pk",
      columns: [table.tenantId, table.id],
    }),
    pgIndex("credential_failures_tenant_id_email_failed_at_idx").on(
      table.tenantId,
      table.email,
      table.failedAt,
    ),
  ],
);

/**
 * Answers of creates sent with an Idempotency-Key, per caller (`scope`: the admin token, or an API
 * key's id). Not tenant-owned: the caller scopes a key, and the admin's POST /tenants has no
 * tenant. The idempotency key itself is never stored: `key_hash` and `request_hash` are derived
 * from it, and `answer` is encrypted with a key derived from it (docs/api.md#idempotent-retries).
 */
export const pgIdempotencyKeys = pgTable(
  "idempotency_keys",
  {
    scope: varchar("scope", { length: 64 }).notNull(),
    keyHash: varchar("key_hash", { length: 64 }).notNull(),
    requestHash: varchar("request_hash", { length: 64 }).notNull(),
    state: pgText("state", { enum: IDEMPOTENCY_STATES }).notNull(),
    lease: varchar("lease", { length: 32 }),
    status: pgInteger("status"),
    answer: pgText("answer"),
    createdAt: pgInstant("created_at"),
    expiresAt: pgInstantType("expires_at").notNull(),
  },
  (table) => [
    pgPrimaryKey({
      name: "idempotency_keys_scope_key_hash_pk",
      columns: [table.scope, table.keyHash],
    }),
    pgIndex("idempotency_keys_expires_at_idx").on(table.expiresAt),
    pgCheck(IDEMPOTENCY_STATE_CHECK, idempotencyStateCheck(table)),
  ],
);

// -------------------------------------------------------------------- SQLite

const SQLITE_NOW_MS = sql`(cast(unixepoch('subsec') * 1000 as integer))`;

const sqliteTimestamp = (name: string) =>
  integer(name, { mode: "timestamp_ms" }).notNull().default(SQLITE_NOW_MS).$defaultFn(now);

const sqliteInstant = (name: string) =>
  sqliteInstantType(name).notNull().default(SQLITE_NOW_MS).$defaultFn(nowInstant);

/** See pgRowVersion. */
const sqliteRowVersion = () => integer("version").notNull().default(1);

export const sqliteTenants = sqliteTable("tenants", {
  id: sqliteText("id").primaryKey().$defaultFn(uuidv7),
  name: sqliteText("name", { length: 200 }).notNull(),
  slug: sqliteText("slug", { length: 63 }).notNull().unique("tenants_slug_unique"),
  createdAt: sqliteInstant("created_at"),
  updatedAt: sqliteInstant("updated_at"),
  version: sqliteRowVersion(),
});

export const sqliteUsers = sqliteTable(
  "users",
  {
    id: sqliteText("id").notNull().$defaultFn(uuidv7),
    tenantId: sqliteText("tenant_id")
      .notNull()
      .references(() => sqliteTenants.id, { onDelete: "cascade" }),
    email: sqliteText("email", { length: 254 }).notNull(),
    name: sqliteText("name", { length: 200 }).notNull(),
    role: sqliteText("role", { enum: USER_ROLES }).notNull().default("member"),
    isActive: integer("is_active", { mode: "boolean" }).notNull().default(true),
    passwordHash: sqliteText("password_hash").notNull(),
    createdAt: sqliteInstant("created_at"),
    updatedAt: sqliteInstant("updated_at"),
    version: sqliteRowVersion(),
  },
  (table) => [
    sqlitePrimaryKey({ name: "users_tenant_id_id_pk", columns: [table.tenantId, table.id] }),
    sqliteUnique("users_tenant_id_email_unique").on(table.tenantId, table.email),
    sqliteCheck("users_role_check", sql`${table.role} in ('owner', 'admin', 'member')`),
  ],
);

export const sqliteApiKeys = sqliteTable(
  "api_keys",
  {
    id: sqliteText("id").notNull().$defaultFn(uuidv7),
    tenantId: sqliteText("tenant_id")
      .notNull()
      .references(() => sqliteTenants.id, { onDelete: "cascade" }),
    keyId: sqliteText("key_id", { length: 32 }).notNull(),
    secretHash: sqliteText("secret_hash", { length: 64 }).notNull(),
    name: sqliteText("name", { length: 200 }),
    createdAt: sqliteInstant("created_at"),
    lastUsedAt: sqliteInstantType("last_used_at"),
    version: sqliteRowVersion(),
  },
  (table) => [
    sqlitePrimaryKey({ name: "api_keys_tenant_id_id_pk", columns: [table.tenantId, table.id] }),
    // key_id first: keys issued before tokens carried their tenant are found by key_id alone.
    sqliteUnique("api_keys_key_id_tenant_id_unique").on(table.keyId, table.tenantId),
  ],
);

export const sqliteCredentialFailures = sqliteTable(
  "credential_failures",
  {
    id: sqliteText("id").notNull().$defaultFn(uuidv7),
    tenantId: sqliteText("tenant_id")
      .notNull()
      .references(() => sqliteTenants.id, { onDelete: "cascade" }),
    email: sqliteText("email", { length: 254 }).notNull(),
    failedAt: sqliteTimestamp("failed_at"),
  },
  (table) => [
    sqlitePrimaryKey({
      name: "credential_failures_tenant_id_id_pk",
      columns: [table.tenantId, table.id],
    }),
    sqliteIndex("credential_failures_tenant_id_email_failed_at_idx").on(
      table.tenantId,
      table.email,
      table.failedAt,
    ),
  ],
);

export const sqliteIdempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    scope: sqliteText("scope", { length: 64 }).notNull(),
    keyHash: sqliteText("key_hash", { length: 64 }).notNull(),
    requestHash: sqliteText("request_hash", { length: 64 }).notNull(),
    state: sqliteText("state", { enum: IDEMPOTENCY_STATES }).notNull(),
    lease: sqliteText("lease", { length: 32 }),
    status: integer("status"),
    answer: sqliteText("answer"),
    createdAt: sqliteInstant("created_at"),
    expiresAt: sqliteInstantType("expires_at").notNull(),
  },
  (table) => [
    sqlitePrimaryKey({
      name: "idempotency_keys_scope_key_hash_pk",
      columns: [table.scope, table.keyHash],
    }),
    sqliteIndex("idempotency_keys_expires_at_idx").on(table.expiresAt),
    sqliteCheck(IDEMPOTENCY_STATE_CHECK, idempotencyStateCheck(table)),
  ],
);

export const postgresTables = {
  tenants: pgTenants,
  users: pgUsers,
  apiKeys: pgApiKeys,
  credentialFailures: pgCredentialFailures,
  idempotencyKeys: pgIdempotencyKeys,
};
export const sqliteTables = {
  tenants: sqliteTenants,
  users: sqliteUsers,
  apiKeys: sqliteApiKeys,
  credentialFailures: sqliteCredentialFailures,
  idempotencyKeys: sqliteIdempotencyKeys,
};
