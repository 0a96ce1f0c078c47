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

const NEW_TABLE =
  "CREATE TABLE `projects` (`id` text PRIMARY KEY NOT NULL, `name` text(200), `code` text);\n" +
  "--> statement-breakpoint\n";

/** drizzle-kit's copy-and-swap of the new `projects` table, making `name` NOT NULL and `code` shorter. */
const REBUILD_NEW_TABLE =
  `${NEW_TABLE}PRAGMA foreign_keys=OFF;--> statement-breakpoint\n` +
  "CREATE TABLE `__new_projects` (`id` text PRIMARY KEY NOT NULL, `name` text(200) NOT NULL, `code` text(8));\n" +
  "--> statement-breakpoint\n" +
  'INSERT INTO `__new_projects`("id", "name", "code") SELECT "id", "name", "code" FROM `projects`;\n' +
  "--> statement-breakpoint\nDROP TABLE `projects`;\n--> statement-breakpoint\n" +
  "ALTER TABLE `__new_projects` RENAME TO `projects`;\n--> statement-breakpoint\nPRAGMA foreign_keys=ON;";

const CASES: RuleCase[] = [
  {
    rule: "drop-table",
    name: "drizzle-kit drops a table",
    unsafe: () => drizzleSql("sqlite", (schema) => schema.dropTable("credential_failures")),
    at: "DROP TABLE `credential_failures`",
    safe: null,
    onNewTable: `${NEW_TABLE}DROP TABLE \`projects\`;`,
  },
  {
    rule: "drop-column",
    name: "drizzle-kit drops a column",
    unsafe: () => drizzleSql("sqlite", (schema) => delete schema.table("users").columns.name),
    at: "DROP COLUMN `name`",
    safe: null,
    onNewTable: `${NEW_TABLE}ALTER TABLE \`projects\` DROP COLUMN \`code\`;`,
  },
  {
    rule: "drop-column",
    name: "a table rebuild that leaves a column out",
    unsafe:
      "PRAGMA foreign_keys=OFF;--> statement-breakpoint\n" +
      "CREATE TABLE `__new_tenants` (`id` text PRIMARY KEY NOT NULL, `slug` text(63) NOT NULL,\n" +
      "  `created_at` integer NOT NULL, `updated_at` integer NOT NULL);\n--> statement-breakpoint\n" +
      'INSERT INTO `__new_tenants`("id", "slug", "created_at", "updated_at") SELECT "id", "slug", "created_at", "updated_at" FROM `tenants`;\n' +
      "--> statement-breakpoint\nDROP TABLE `tenants`;\n--> statement-breakpoint\n" +
      "ALTER TABLE `__new_tenants` RENAME TO `tenants`;\n--> statement-breakpoint\nPRAGMA foreign_keys=ON;",
    at: "CREATE TABLE `__new_tenants`",
    safe: null,
    onNewTable: REBUILD_NEW_TABLE,
  },
  {
    rule: "rename",
    name: "drizzle-kit renames a column",
    unsafe: () =>
      drizzleSql("sqlite", (schema) => schema.renameColumn("users", "name", "full_name")),
    at: "RENAME COLUMN `name`",
    safe: "ALTER TABLE `users` ADD `full_name` text(200);",
    onNewTable: `${NEW_TABLE}ALTER TABLE \`projects\` RENAME COLUMN \`name\` TO \`title\`;`,
  },
  {
    rule: "rename",
    name: "drizzle-kit renames a table",
    unsafe: () =>
      drizzleSql("sqlite", (schema) => schema.renameTable("credential_failures", "login_failures")),
    at: "RENAME TO `login_failures`",
    safe: null,
    onNewTable: `${NEW_TABLE}ALTER TABLE \`projects\` RENAME TO \`programs\`;`,
  },
  {
    rule: "add-unique",
    name: "drizzle-kit adds a unique index",
    unsafe: () =>
      drizzleSql("sqlite", (schema) => {
        schema.table("users").indexes.users_email_unique = {
          name: "users_email_unique",
          columns: ["email"],
          isUnique: true,
        };
      }),
    at: "CREATE UNIQUE INDEX",
    safe: "CREATE INDEX `users_email_idx` ON `users` (`email`);",
    onNewTable: `${NEW_TABLE}CREATE UNIQUE INDEX \`projects_code_unique\` ON \`projects\` (\`code\`);`,
  },
  {
    rule: "not-null-without-default",
    name: "drizzle-kit adds a NOT NULL column",
    unsafe: () =>
      drizzleSql("sqlite", (schema) => {
        schema.table("users").columns.nick = {
          name: "nick",
          type: "text",
          primaryKey: false,
          notNull: true,
          autoincrement: false,
        };
      }),
    at: "ADD `nick`",
    safe: "ALTER TABLE `users` ADD `nick` text DEFAULT '' NOT NULL;",
    onNewTable: `${NEW_TABLE}ALTER TABLE \`projects\` ADD \`owner\` text NOT NULL;`,
  },
  {
    rule: "not-null-without-default",
    name: "drizzle-kit rebuilds a table to make a column NOT NULL",
    unsafe: () =>
      drizzleSql("sqlite", (schema) => (schema.table("api_keys").columns.name.notNull = true)),
    at: "CREATE TABLE `__new_api_keys`",
    safe: null,
    onNewTable: REBUILD_NEW_TABLE,
  },
  {
    rule: "narrow-type",
    name: "drizzle-kit rebuilds a table to shorten a text(n)",
    unsafe: () =>
      drizzleSql("sqlite", (schema) => (schema.table("users").columns.email.type = "text(100)")),
    at: "CREATE TABLE `__new_users`",
    safe: null,
    onNewTable: REBUILD_NEW_TABLE,
  },
  {
    rule: "table-rebuild",
    name: "drizzle-kit rebuilds a table to add a foreign key",
    unsafe: () =>
      drizzleSql("sqlite", (schema) => {
        schema.table("credential_failures").foreignKeys.credential_failures_user_fk = {
          name: "credential_failures_user_fk",
          tableFrom: "credential_failures",
          tableTo: "users",
          columnsFrom: ["tenant_id"],
          columnsTo: ["id"],
          onDelete: "cascade",
          onUpdate: "no action",
        };
      }),
    at: "CREATE TABLE `__new_credential_failures`",
    safe: null,
    onNewTable: REBUILD_NEW_TABLE,
  },
  {
    rule: "syntax-error",
    name: "a statement SQLite's parser refuses",
    unsafe:
      "CREATE INDEX `users_email_idx` ON `users` (`email`);\nALTER TABLE `users`\n  ADD COLUMN;",
    at: "ALTER TABLE `users`",
    safe: null,
    onNewTable: null,
  },
];

describe("SQLite rules", () => {
  for (const ruleCase of CASES) testRuleCase("sqlite", () => project, ruleCase);
});

describe("SQLite details", () => {
  test("a rebuild is one table-rebuild finding: its swap is no drop or rename, its recreated indexes no new unique", async () => {
    const sql = await drizzleSql(
      "sqlite",
      (schema) => (schema.table("api_keys").columns.name.notNull = true),
    );
    expect(sql).toContain("CREATE UNIQUE INDEX `api_keys_key_id_tenant_id_unique`");
    const report = await project.lint("sqlite", sql);
    expect(report.findings.map((finding) => [finding.rule, finding.line])).toEqual([
      ["table-rebuild", 3],
      ["not-null-without-default", 3],
    ]);
  });

  test("a rebuild that adds a unique index the table did not have is add-unique", async () => {
    const sql = await drizzleSql("sqlite", (schema) => {
      const users = schema.table("users");
      users.columns.email.type = "text(300)";
      users.indexes.users_email_unique = {
        name: "users_email_unique",
        columns: ["email"],
        isUnique: true,
      };
    });
    const rules = (await project.lint("sqlite", sql)).findings.map((finding) => finding.rule);
    expect(rules).toEqual(["table-rebuild", "add-unique"]);
  });

  test("a trigger's body does not split its statement", async () => {
    const sql =
      "CREATE TRIGGER `users_touch` AFTER UPDATE ON `users` BEGIN\n" +
      "  UPDATE `users` SET `updated_at` = CASE WHEN 1 THEN 0 END WHERE `id` = NEW.`id`;\n" +
      "  SELECT 1;\nEND;\nALTER TABLE `users` DROP COLUMN `name`;";
    const report = await project.lint("sqlite", sql);
    expect(report.findings.map((finding) => [finding.rule, finding.line])).toEqual([
      ["drop-column", 5],
    ]);
  });

  test("quoted names, comments and strings do not hide or fake a statement", async () => {
    const sql =
      '-- DROP TABLE `users`;\nINSERT INTO [tenants] ("id", `name`, slug, created_at, updated_at)\n' +
      "  VALUES ('a;DROP TABLE users', 'x', 'y', 0, 0); /* ; */ ALTER TABLE \"Users\" DROP COLUMN [name];";
    const report = await project.lint("sqlite", sql);
    expect(report.findings.map((finding) => [finding.rule, finding.line, finding.message])).toEqual(
      [["drop-column", 3, expect.stringContaining('"users"."name"')]],
    );
  });

  test("a down file's findings are notes", async () => {
    const report = await project.lint("sqlite", "DROP TABLE `users`;", { down: true });
    expect(errorsOf(report)).toEqual([]);
    expect(findingsOf(report, "drop-table")).toMatchObject([{ severity: "note", approved: null }]);
  });
});
