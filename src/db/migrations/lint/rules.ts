/**
 * The closed catalog of migration lint rules. Each finding names one of these ids; a
 * `-- lint:allow <id> <reason>` comment may only name one of them. docs/migration-lint.md
 * shows each with an example finding and its safe rewrite.
 */
import type { Dialect } from "../../../config";

interface RuleDefinition {
  dialects: readonly Dialect[];
  /** Why it is unsafe, completing a finding's "<what it does>: ..." as one sentence. */
  reason: string;
  /** The safe way, per dialect where they differ. */
  fix: string | Readonly<Record<Dialect, string>>;
  /** bad-approval cannot be approved away: it is a mistake in the approval itself. */
  approvable: boolean;
}

const BOTH = ["postgres", "sqlite"] as const;
const POSTGRES = ["postgres"] as const;
const SQLITE = ["sqlite"] as const;

const CUSTOM_NO_TRANSACTION =
  "a migration whose first line is `-- migrate:no-transaction` (make one with " +
  "`npm run db:generate -- --custom --name <name>`)";

export const RULES = {
  "syntax-error": {
    dialects: BOTH,
    reason: "the migration fails when it reaches this statement",
    fix:
      "Fix the SQL. If the parser is wrong about valid SQL, approve it with " +
      "`-- lint:allow syntax-error <reason>`.",
    approvable: true,
  },
  "bad-approval": {
    dialects: BOTH,
    reason: "an approval needs a known rule id and the reason the change is safe",
    fix: "Write `-- lint:allow <rule-id> <reason>` with a rule id from docs/migration-lint.md.",
    approvable: false,
  },
  "drop-table": {
    dialects: BOTH,
    reason: "the app version still running during the deploy still queries it",
    fix:
      "Expand and contract: deploy an app version that no longer uses the table, then drop it " +
      "in a later migration approved with `-- lint:allow drop-table <reason>`.",
    approvable: true,
  },
  "drop-column": {
    dialects: BOTH,
    reason: "the app version still running during the deploy still reads and writes it",
    fix:
      "Expand and contract: deploy an app version that no longer reads or writes the column, " +
      "then drop it in a later migration approved with `-- lint:allow drop-column <reason>`.",
    approvable: true,
  },
  rename: {
    dialects: BOTH,
    reason: "the app version still running during the deploy still uses the old name",
    fix:
      "Keep the database name and rename only in src/db/schema.ts (drizzle maps a property to " +
      "any column name); or expand and contract: add the new column or table, write both, " +
      "backfill, switch reads, then drop the old one in a later release.",
    approvable: true,
  },
  "add-unique": {
    dialects: BOTH,
    reason:
      "building the index blocks writes, it fails on existing duplicates, and the running " +
      "app's writes start failing on new ones",
    fix: {
      postgres:
        "Remove duplicates first, then `CREATE UNIQUE INDEX CONCURRENTLY` in " +
        `${CUSTOM_NO_TRANSACTION}, and if you want the constraint, ` +
        "`ALTER TABLE ... ADD CONSTRAINT ... UNIQUE USING INDEX ...` in a later migration.",
      sqlite:
        "Deploy an app version that never writes duplicates, remove existing ones, then add " +
        "the index in a later migration approved with `-- lint:allow add-unique <reason>`.",
    },
    approvable: true,
  },
  "not-null-without-default": {
    dialects: BOTH,
    reason:
      "existing rows with no value make it fail, and the running app version, which does not " +
      "write the column, has its inserts rejected",
    fix: {
      postgres:
        "Add the column nullable (or with a constant DEFAULT), backfill, then " +
        "`ADD CONSTRAINT c CHECK (col IS NOT NULL) NOT VALID`, `VALIDATE CONSTRAINT c` in a " +
        "later migration, and only then `SET NOT NULL` (PostgreSQL uses the valid check instead " +
        "of scanning) and drop the check.",
      sqlite:
        "Add the column with a DEFAULT (or nullable), backfill, and make it NOT NULL in a later " +
        "migration once every running app version writes it.",
    },
    approvable: true,
  },
  "narrow-type": {
    dialects: BOTH,
    reason:
      "existing values that do not fit make it fail, and the running app version may still " +
      "write them",
    fix:
      "Deploy an app version that only writes values that fit, check existing rows, then " +
      "narrow in a later migration approved with `-- lint:allow narrow-type <reason>`; on " +
      "PostgreSQL a `CHECK (...) NOT VALID` constraint validated later enforces a limit without " +
      "rewriting the table.",
    approvable: true,
  },
  "index-not-concurrent": {
    dialects: POSTGRES,
    reason: "it blocks every write to the table until the index is built",
    fix:
      "Remove it from this migration and write `CREATE INDEX CONCURRENTLY IF NOT EXISTS ...` " +
      `in ${CUSTOM_NO_TRANSACTION}, with \`DROP INDEX CONCURRENTLY IF EXISTS ...\` in its down file.`,
    approvable: true,
  },
  "fk-not-valid": {
    dialects: POSTGRES,
    reason: "it checks every existing row while holding a lock that blocks writes to both tables",
    fix:
      "`ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID` here, then " +
      "`ALTER TABLE ... VALIDATE CONSTRAINT ...` in a later migration (it does not block writes).",
    approvable: true,
  },
  "check-not-valid": {
    dialects: POSTGRES,
    reason: "it checks every existing row while holding an ACCESS EXCLUSIVE lock",
    fix:
      "`ADD CONSTRAINT ... CHECK (...) NOT VALID` here, then " +
      "`ALTER TABLE ... VALIDATE CONSTRAINT ...` in a later migration (it does not block writes).",
    approvable: true,
  },
  "column-type-rewrite": {
    dialects: POSTGRES,
    reason:
      "PostgreSQL rewrites the whole table and its indexes under an ACCESS EXCLUSIVE lock " +
      "(only varchar(n) to varchar(m >= n) or text, and precision increases, are free)",
    fix:
      "Expand and contract: add a column of the new type, write both from the app, backfill in " +
      "batches, switch reads to it, then drop the old column in a later release.",
    approvable: true,
  },
  "volatile-default": {
    dialects: POSTGRES,
    reason:
      "a volatile default (or a serial, identity or stored generated column) makes PostgreSQL " +
      "rewrite the whole table under an ACCESS EXCLUSIVE lock",
    fix:
      "Add the column without it (nullable, or with a constant default), then " +
      "`ALTER COLUMN ... SET DEFAULT ...` for new rows and backfill existing rows in batches.",
    approvable: true,
  },
  "missing-lock-timeout": {
    dialects: POSTGRES,
    reason:
      "without lock_timeout it waits behind any long transaction on the table while every " +
      "query on the table queues behind it",
    fix:
      "Put `SET lock_timeout = '5s';` at the top of the file (in a no-transaction file, " +
      "`SET`, not `SET LOCAL`), so the migration fails fast instead of stalling the app.",
    approvable: true,
  },
  "concurrently-in-transaction": {
    dialects: POSTGRES,
    reason:
      "PostgreSQL refuses CONCURRENTLY inside a transaction block, and a migration runs in one " +
      "unless its first line is `-- migrate:no-transaction`",
    fix:
      `Move the statement to ${CUSTOM_NO_TRANSACTION}, ` +
      "alone between its `--> statement-breakpoint` lines.",
    approvable: true,
  },
  "table-rebuild": {
    dialects: SQLITE,
    reason:
      "every row is copied into a new table while the migration holds SQLite's write lock, " +
      "and the old table is dropped and replaced under the running app",
    fix:
      "Prefer changes ALTER TABLE makes in place (ADD COLUMN nullable or with a constant " +
      "default; DROP COLUMN once unused); otherwise approve it with " +
      "`-- lint:allow table-rebuild <reason>` when the table is small or the deploy can wait.",
    approvable: true,
  },
} as const satisfies Record<string, RuleDefinition>;

export type RuleId = keyof typeof RULES;

export const isRuleId = (name: string): name is RuleId => Object.hasOwn(RULES, name);

export function fixFor(rule: RuleId, dialect: Dialect): string {
  const fix: RuleDefinition["fix"] = RULES[rule].fix;
  return typeof fix === "string" ? fix : fix[dialect];
}
