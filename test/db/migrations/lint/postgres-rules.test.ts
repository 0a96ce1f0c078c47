import { afterAll, describe, expect, test } from "bun:test";
import {
  drizzleSql,
  errorsOf,
  findingsOf,
  LintProject,
  type RuleCase,
  testRuleCase,
} from "./fixture";

const project = new LintProject();
afterAll(() => project.remove());

const LOCK_TIMEOUT = "SET lock_timeout = '5s';\n--> statement-breakpoint\n";
const NO_TRANSACTION = "-- migrate:no-transaction\n";
const NEW_TABLE =
  'CREATE TABLE "projects" ("id" uuid PRIMARY KEY NOT NULL, "tenant_id" uuid NOT NULL, ' +
  '"name" varchar(200), "code" text);\n--> statement-breakpoint\n';

const CASES: RuleCase[] = [
  {
    rule: "drop-table",
    name: "drizzle-kit drops a table",
    unsafe: () => drizzleSql("postgres", (schema) => schema.dropTable("credential_failures")),
    at: 'DROP TABLE "credential_failures"',
    safe: null,
    onNewTable: `${NEW_TABLE}DROP TABLE "projects";`,
  },
  {
    rule: "drop-column",
    name: "drizzle-kit drops a column",
    unsafe: () => drizzleSql("postgres", (schema) => delete schema.table("users").columns.name),
    at: 'DROP COLUMN "name"',
    safe: null,
    onNewTable: `${NEW_TABLE}ALTER TABLE "projects" DROP COLUMN "code";`,
  },
  {
    rule: "rename",
    name: "drizzle-kit renames a column",
    unsafe: () =>
      drizzleSql("postgres", (schema) => schema.renameColumn("users", "name", "full_name")),
    at: 'RENAME COLUMN "name"',
    safe: `${LOCK_TIMEOUT}ALTER TABLE "users" ADD COLUMN "full_name" varchar(200);`,
    onNewTable: `${NEW_TABLE}ALTER TABLE "projects" RENAME COLUMN "name" TO "title";`,
  },
  {
    rule: "rename",
    name: "drizzle-kit renames a table",
    unsafe: () =>
      drizzleSql("postgres", (schema) =>
        schema.renameTable("credential_failures", "login_failures"),
      ),
    at: 'RENAME TO "login_failures"',
    safe: null,
    onNewTable: `${NEW_TABLE}ALTER TABLE "projects" RENAME TO "programs";`,
  },
  {
    rule: "add-unique",
    name: "drizzle-kit adds a unique constraint",
    unsafe: () =>
      drizzleSql("postgres", (schema) => {
        schema.table("users").uniqueConstraints.users_email_unique = {
          name: "users_email_unique",
          nullsNotDistinct: false,
          columns: ["email"],
        };
      }),
    at: "users_email_unique",
    safe:
      `${NO_TRANSACTION}SET lock_timeout = '5s';\n--> statement-breakpoint\n` +
      'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "users_email_unique" ON "users" ("email");\n' +
      "--> statement-breakpoint\n" +
      'ALTER TABLE "users" ADD CONSTRAINT "users_email_unique" UNIQUE USING INDEX "users_email_unique";',
    onNewTable: `${NEW_TABLE}ALTER TABLE "projects" ADD CONSTRAINT "projects_code_unique" UNIQUE("code");`,
  },
  {
    rule: "add-unique",
    name: "a unique index without CONCURRENTLY",
    unsafe: 'CREATE UNIQUE INDEX "users_email_idx" ON "users" USING btree ("email");',
    at: "CREATE UNIQUE INDEX",
    safe: `${NO_TRANSACTION}CREATE UNIQUE INDEX CONCURRENTLY "users_email_idx" ON "users" ("email");`,
    onNewTable: `${NEW_TABLE}CREATE UNIQUE INDEX "projects_code_idx" ON "projects" ("code");`,
  },
  {
    rule: "not-null-without-default",
    name: "drizzle-kit adds a NOT NULL column",
    unsafe: () =>
      drizzleSql("postgres", (schema) => {
        schema.table("users").columns.nick = {
          name: "nick",
          type: "text",
          primaryKey: false,
          notNull: true,
        };
      }),
    at: 'ADD COLUMN "nick"',
    safe: `${LOCK_TIMEOUT}ALTER TABLE "users" ADD COLUMN "nick" text DEFAULT '' NOT NULL;`,
    onNewTable: `${NEW_TABLE}ALTER TABLE "projects" ADD COLUMN "owner" text NOT NULL;`,
  },
  {
    rule: "not-null-without-default",
    name: "drizzle-kit makes a column NOT NULL",
    unsafe: () =>
      drizzleSql("postgres", (schema) => (schema.table("api_keys").columns.name.notNull = true)),
    at: "SET NOT NULL",
    safe:
      `${LOCK_TIMEOUT}ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_name_not_null" ` +
      'CHECK ("name" IS NOT NULL) NOT VALID;',
    onNewTable: `${NEW_TABLE}ALTER TABLE "projects" ALTER COLUMN "name" SET NOT NULL;`,
  },
  {
    rule: "narrow-type",
    name: "drizzle-kit shortens a varchar",
    unsafe: () =>
      drizzleSql(
        "postgres",
        (schema) => (schema.table("users").columns.email.type = "varchar(100)"),
      ),
    at: "SET DATA TYPE",
    safe: `${LOCK_TIMEOUT}ALTER TABLE "users" ALTER COLUMN "email" SET DATA TYPE varchar(300);`,
    onNewTable: `${NEW_TABLE}ALTER TABLE "projects" ALTER COLUMN "name" SET DATA TYPE varchar(10);`,
  },
  {
    rule: "index-not-concurrent",
    name: "drizzle-kit adds an index",
    unsafe: () =>
      drizzleSql("postgres", (schema) => {
        schema.table("users").indexes.users_email_idx = {
          name: "users_email_idx",
          columns: [{ expression: "email", isExpression: false, asc: true, nulls: "last" }],
          isUnique: false,
          concurrently: false,
          method: "btree",
          with: {},
        };
      }),
    at: "CREATE INDEX",
    safe: `${NO_TRANSACTION}CREATE INDEX CONCURRENTLY IF NOT EXISTS "users_email_idx" ON "users" ("email");`,
    onNewTable: `${NEW_TABLE}CREATE INDEX "projects_code_idx" ON "projects" ("code");`,
  },
  {
    rule: "fk-not-valid",
    name: "drizzle-kit adds a foreign key",
    unsafe: () =>
      drizzleSql("postgres", (schema) => {
        schema.table("credential_failures").foreignKeys.credential_failures_user_fk = {
          name: "credential_failures_user_fk",
          tableFrom: "credential_failures",
          tableTo: "users",
          schemaTo: "public",
          columnsFrom: ["tenant_id"],
          columnsTo: ["id"],
          onDelete: "cascade",
          onUpdate: "no action",
        };
      }),
    at: "FOREIGN KEY",
    safe:
      `${LOCK_TIMEOUT}ALTER TABLE "credential_failures" ADD CONSTRAINT "credential_failures_user_fk" ` +
      'FOREIGN KEY ("tenant_id") REFERENCES "public"."users"("id") NOT VALID;',
    onNewTable:
      `${NEW_TABLE}ALTER TABLE "projects" ADD CONSTRAINT "projects_tenant_fk" ` +
      'FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id");',
  },
  {
    rule: "check-not-valid",
    name: "drizzle-kit adds a check",
    unsafe: () =>
      drizzleSql("postgres", (schema) => {
        schema.table("api_keys").checkConstraints.api_keys_name_check = {
          name: "api_keys_name_check",
          value: 'length("api_keys"."name") > 0',
        };
      }),
    at: "CHECK",
    safe: `${LOCK_TIMEOUT}ALTER TABLE "api_keys" ADD CONSTRAINT "c" CHECK (length("name") > 0) NOT VALID;`,
    onNewTable: `${NEW_TABLE}ALTER TABLE "projects" ADD CONSTRAINT "c" CHECK (length("code") > 0);`,
  },
  {
    rule: "column-type-rewrite",
    name: "drizzle-kit turns a uuid column into text",
    unsafe: () =>
      drizzleSql("postgres", (schema) => (schema.table("users").columns.tenant_id.type = "text")),
    at: "SET DATA TYPE text",
    safe: `${LOCK_TIMEOUT}ALTER TABLE "users" ALTER COLUMN "name" SET DATA TYPE text;`,
    onNewTable: `${NEW_TABLE}ALTER TABLE "projects" ALTER COLUMN "tenant_id" SET DATA TYPE text;`,
  },
  {
    rule: "volatile-default",
    name: "drizzle-kit adds a column defaulting to gen_random_uuid()",
    unsafe: () =>
      drizzleSql("postgres", (schema) => {
        schema.table("users").columns.token = {
          name: "token",
          type: "uuid",
          primaryKey: false,
          notNull: false,
          default: "gen_random_uuid()",
        };
      }),
    at: 'ADD COLUMN "token"',
    safe:
      `${LOCK_TIMEOUT}ALTER TABLE "users" ADD COLUMN "token" uuid;\n--> statement-breakpoint\n` +
      'ALTER TABLE "users" ALTER COLUMN "token" SET DEFAULT gen_random_uuid();',
    onNewTable: `${NEW_TABLE}ALTER TABLE "projects" ADD COLUMN "token" uuid DEFAULT gen_random_uuid();`,
  },
  {
    rule: "missing-lock-timeout",
    name: "drizzle-kit drops a check",
    unsafe: () =>
      drizzleSql(
        "postgres",
        (schema) => delete schema.table("users").checkConstraints.users_role_check,
      ),
    at: "DROP CONSTRAINT",
    safe: `${LOCK_TIMEOUT}ALTER TABLE "users" DROP CONSTRAINT "users_role_check";`,
    onNewTable: `${NEW_TABLE}ALTER TABLE "projects" ALTER COLUMN "code" SET DEFAULT 'x';`,
  },
  {
    rule: "concurrently-in-transaction",
    name: "CREATE INDEX CONCURRENTLY in a migration's transaction",
    unsafe: 'CREATE INDEX CONCURRENTLY "users_email_idx" ON "users" ("email");',
    at: "CREATE INDEX",
    safe: `${NO_TRANSACTION}CREATE INDEX CONCURRENTLY "users_email_idx" ON "users" ("email");`,
    onNewTable: null,
  },
  {
    rule: "concurrently-in-transaction",
    name: "DROP INDEX CONCURRENTLY sharing its chunk in a no-transaction file",
    unsafe: `${NO_TRANSACTION}SET lock_timeout = '5s';\nDROP INDEX CONCURRENTLY "users_tenant_id_id_idx";`,
    at: "DROP INDEX",
    safe: `${NO_TRANSACTION}DROP INDEX CONCURRENTLY "users_tenant_id_id_idx";`,
    onNewTable: null,
  },
  {
    rule: "syntax-error",
    name: "a statement PostgreSQL's parser refuses",
    unsafe: `SET lock_timeout = '5s';\nALTER TABLE "users"\n  ADD COLUMN;`,
    at: 'ALTER TABLE "users"',
    safe: null,
    onNewTable: null,
  },
];

describe("PostgreSQL rules", () => {
  for (const ruleCase of CASES) testRuleCase("postgres", () => project, ruleCase);
});

describe("PostgreSQL details", () => {
  test("narrowing a varchar is also a rewrite, and needs a lock timeout", async () => {
    const report = await project.lint(
      "postgres",
      'ALTER TABLE "users" ALTER COLUMN "email" TYPE varchar(10);',
    );
    expect(report.findings.map((finding) => finding.rule)).toEqual([
      "narrow-type",
      "column-type-rewrite",
      "missing-lock-timeout",
    ]);
  });

  test("VALIDATE CONSTRAINT, the second step of NOT VALID, blocks no writes: nothing to report", async () => {
    const sql =
      'ALTER TABLE "credential_failures" VALIDATE CONSTRAINT "credential_failures_user_fk";';
    expect((await project.lint("postgres", sql)).findings).toEqual([]);
  });

  test("the lock timeout counts only when set before the statement, and not to 0 or with RESET", async () => {
    const drop = 'ALTER TABLE "users" DROP CONSTRAINT "users_role_check";';
    const missing = async (sql: string) =>
      findingsOf(await project.lint("postgres", sql), "missing-lock-timeout").length;
    expect(await missing(`${drop}\nSET lock_timeout = '5s';`)).toBe(1);
    expect(await missing(`SET lock_timeout = 0;\n${drop}`)).toBe(1);
    expect(await missing(`SET lock_timeout = '5s';\nRESET lock_timeout;\n${drop}`)).toBe(1);
    expect(await missing(`SET LOCAL lock_timeout = '5s';\n${drop}`)).toBe(0);
    // Outside a transaction block SET LOCAL ends with its own statement.
    expect(
      await missing(
        `${NO_TRANSACTION}SET LOCAL lock_timeout = '5s';\n--> statement-breakpoint\n${drop}`,
      ),
    ).toBe(1);
  });

  test("line numbers count characters after multi-byte text and leading comments", async () => {
    const sql = `-- café ünïcode 🎉\nSET lock_timeout = '5s'; SELECT 'é🎉';\n\n  /* note */ ALTER TABLE "users" DROP COLUMN "name";`;
    expect(findingsOf(await project.lint("postgres", sql), "drop-column")).toMatchObject([
      { line: 4 },
    ]);
  });

  test("a syntax error is reported at the start of the statement that holds it", async () => {
    const sql = `SET lock_timeout = '5s';\nSELECT 1;\nSELECT 2\n  FROM WHERE;`;
    expect(findingsOf(await project.lint("postgres", sql), "syntax-error")).toMatchObject([
      { line: 3 },
    ]);
  });

  test("a table created by a later journal migration is not existing for an earlier one", async () => {
    const sql = `${NEW_TABLE.replace("projects", "later_projects")}ALTER TABLE "later_projects" DROP COLUMN "code";`;
    const earlier = project.write("postgres", 'ALTER TABLE "later_projects" DROP COLUMN "name";', {
      tag: "0002_early",
      journal: true,
    });
    const later = project.write("postgres", sql, { tag: "0003_creates", journal: true });
    const { lintFiles } = await import("../../../../src/db/migrations/lint");
    const report = await lintFiles([earlier, later], project.root);
    expect(errorsOf(report)).toEqual([]);
    // A file outside the journal comes after all of it: the table exists by then.
    const outside = await project.lint(
      "postgres",
      'SET lock_timeout = \'1s\';\nALTER TABLE "later_projects" DROP COLUMN "name";',
    );
    expect(errorsOf(outside).map((finding) => finding.rule)).toEqual(["drop-column"]);
  });

  test("a down file's findings are notes", async () => {
    const report = await project.lint("postgres", 'DROP TABLE "users" CASCADE;', { down: true });
    expect(report.findings.map((finding) => [finding.rule, finding.severity])).toEqual([
      ["drop-table", "note"],
      ["missing-lock-timeout", "note"],
    ]);
    expect(report.counts).toMatchObject({ errors: 0, notes: 2, approved: 0, files: 1 });
  });
});
