/**
 * `npm run db -- <command>`: the migration tool. This file only parses and validates; each
 * command's handler lives in commands/ and is loaded when it runs.
 */
import { parseArgs } from "node:util";
import type { Rename } from "../db/migrations/snapshots";
import { exitWithError } from "../lib/fatal";

interface Command {
  usage: string;
  summary: string;
  details: string;
  options: NonNullable<Parameters<typeof parseArgs>[0]>["options"];
  positionals: { min: number; max: number };
}

const LOCK_TIMEOUT = { type: "string", default: "15" } as const;
const COMMANDS: Record<string, Command> = {
  status: {
    usage: "status",
    summary: "dialect, database, current revision, applied and pending migrations, problems",
    details: "Lists everything `check` would report too. Always exits 0.",
    options: {},
    positionals: { min: 0, max: 0 },
  },
  history: {
    usage: "history",
    summary: "every migration, oldest first, with when it was applied",
    details: "",
    options: {},
    positionals: { min: 0, max: 0 },
  },
  up: {
    usage: "up [target] [--dry-run] [--lock-timeout SECONDS]",
    summary: "apply migrations up to the target (default head)",
    details:
      "A target is a tag (0001_add_api_keys), its number (0001 or 1), head, or +N (the next N).\n" +
      "--dry-run prints the SQL that would run and changes nothing. On PostgreSQL the run waits\n" +
      "at most --lock-timeout seconds (default 15) for another migrator's lock.",
    options: { "dry-run": { type: "boolean" }, "lock-timeout": LOCK_TIMEOUT },
    positionals: { min: 0, max: 1 },
  },
  down: {
    usage: "down <target> [--dry-run] [--lock-timeout SECONDS]",
    summary: "revert migrations down to the target, which is required",
    details:
      "A target is a tag or its number (that migration stays applied), base (nothing applied)\n" +
      "or -N (the last N). Each migration runs its <tag>.down.sql. --dry-run changes nothing.",
    options: { "dry-run": { type: "boolean" }, "lock-timeout": LOCK_TIMEOUT },
    positionals: { min: 1, max: 1 },
  },
  check: {
    usage: "check",
    summary: "exit 1 when migrations, files, schema.ts or the database disagree",
    details:
      "Reports applied migrations whose file was edited or deleted, missing down files, a journal\n" +
      "that disagrees with the snapshots, schema.ts changes no migration holds, and a database\n" +
      "that has drifted from the schema its migrations build.",
    options: {},
    positionals: { min: 0, max: 0 },
  },
  generate: {
    usage:
      "generate [--name NAME] [--rename table.old=new | --rename old_table=new_table]... [--no-rename] [--custom]",
    summary: "drizzle-kit generate for both dialects, plus the down file of each new migration",
    details:
      "In a terminal drizzle-kit asks whether a dropped-and-added column or table is a rename.\n" +
      "Without one, state each rename with --rename, or pass --no-rename to drop and create;\n" +
      "otherwise generate fails and writes nothing. --custom --name NAME writes an empty pair\n" +
      "(<tag>.sql, <tag>.down.sql) in both dialects for hand-written SQL, schema unchanged.\n" +
      "What was written is linted (see `lint`); findings are printed, never fatal here.",
    options: {
      name: { type: "string" },
      rename: { type: "string", multiple: true },
      "no-rename": { type: "boolean" },
      custom: { type: "boolean" },
    },
    positionals: { min: 0, max: 0 },
  },
  lint: {
    usage: "lint [files...] [--base GIT_REF] [--format text|json]",
    summary: "find schema changes that are unsafe while the previous app version still runs",
    details:
      "Without files, every migration of both dialects; with --base, those added since the merge\n" +
      "base with that ref. Up files are errors, down files notes. Approve a finding with\n" +
      "`-- lint:allow <rule> <reason>` on the line before the statement. Exits 1 on any\n" +
      "unapproved error.",
    options: { base: { type: "string" }, format: { type: "string", default: "text" } },
    positionals: { min: 0, max: Number.POSITIVE_INFINITY },
  },
  resolve: {
    usage: "resolve <tag> --applied | --rolled-back",
    summary: "mark a failed or hand-fixed migration as applied or as rolled back; runs no SQL",
    details:
      "After a migration failed outside a transaction, finish or undo its statements by hand,\n" +
      "then record the outcome so that up and down can go on.",
    options: { applied: { type: "boolean" }, "rolled-back": { type: "boolean" } },
    positionals: { min: 1, max: 1 },
  },
  baseline: {
    usage: "baseline <target>",
    summary: "adopt an existing database: record migrations up to the target as applied",
    details:
      "Only when nothing is recorded yet and the database's schema matches the one the\n" +
      "migrations up to the target build; refused with the differences otherwise. Runs no SQL.",
    options: {},
    positionals: { min: 1, max: 1 },
  },
  reset: {
    usage: "reset [--seed]",
    summary: "drop everything in the database, then apply every migration (and seed)",
    details: "Refuses to run with NODE_ENV=production.",
    options: { seed: { type: "boolean" } },
    positionals: { min: 0, max: 0 },
  },
  rebase: {
    usage: "rebase",
    summary: "after a merge, renumber the later of two colliding migrations on top of the other",
    details:
      "Regenerates it from src/db/schema.ts (same name, next number, new down file) in both\n" +
      "dialects, carrying hand-written SQL over with a warning. Refuses when the database in\n" +
      "DATABASE_URL has it applied.",
    options: {},
    positionals: { min: 0, max: 0 },
  },
  seed: {
    usage: "seed",
    summary: "demo data: three tenants with a user of every role, and a new key for each",
    details:
      "Applies pending migrations first (unless MIGRATE_ON_START is off: then it asks for `up`).\n" +
      "Idempotent: demo tenants (slugs demo-*) and users are created only when missing. Each run\n" +
      'issues every demo tenant a new key named "seed", revokes the earlier one, and prints a curl\n' +
      "line to try it. Refuses to run with NODE_ENV=production.",
    options: {},
    positionals: { min: 0, max: 0 },
  },
};

function usage(): string {
  const lines = Object.values(COMMANDS).map(
    (command) => `  ${command.usage}\n      ${command.summary}`,
  );
  return `usage: npm run db -- <command> [options]   (each command takes --help)\n\n${lines.join("\n")}\n`;
}

export function parseRename(text: string): Rename {
  const match = text.match(/^(\w+)(?:\.(\w+))?=(\w+)$/);
  if (!match?.[1] || !match[3]) {
    throw new Error(
      `--rename ${text}: expected table.old_column=new_column or old_table=new_table`,
    );
  }
  return match[2]
    ? { kind: "column", table: match[1], from: match[2], to: match[3] }
    : { kind: "table", from: match[1], to: match[3] };
}

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    process.stdout.write(usage());
    return;
  }
  const command = COMMANDS[name];
  if (command === undefined) exitWithError(`unknown command "${name}"\n${usage()}`);
  // "-2" is a relative target, not an option.
  const relativeTargets = rest.filter((arg) => /^-\d+$/.test(arg));
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: rest.filter((arg) => !relativeTargets.includes(arg)),
      options: { ...command.options, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    exitWithError(`${name}: ${error instanceof Error ? error.message : error}`);
  }
  const { values } = parsed;
  const positionals = [...parsed.positionals, ...relativeTargets];
  if (values.help) {
    process.stdout.write(
      `usage: npm run db -- ${command.usage}\n\n${command.summary}.\n${command.details}\n`,
    );
    return;
  }
  if (
    positionals.length < command.positionals.min ||
    positionals.length > command.positionals.max
  ) {
    exitWithError(`usage: npm run db -- ${command.usage}`);
  }
  const lockTimeout = Number(values["lock-timeout"] ?? 15);
  if (!Number.isFinite(lockTimeout) || lockTimeout < 0)
    exitWithError("--lock-timeout takes a number of seconds");

  switch (name) {
    case "status":
      return (await import("./commands/status")).status();
    case "history":
      return (await import("./commands/status")).history();
    case "up":
    case "down":
      return (await import("./commands/move")).move(name, positionals[0] ?? "head", {
        dryRun: values["dry-run"] === true,
        lockTimeoutMs: lockTimeout * 1000,
      });
    case "check":
      return (await import("./commands/check")).check();
    case "generate": {
      let renames: Rename[];
      try {
        renames = ((values.rename as string[] | undefined) ?? []).map(parseRename);
      } catch (error) {
        exitWithError(error instanceof Error ? error.message : String(error));
      }
      if (values.custom === true && (values.name === undefined || renames.length > 0))
        exitWithError("generate --custom takes --name NAME and no --rename");
      return (await import("./commands/generate")).generate({
        name: values.name as string | undefined,
        renames,
        noRename: values["no-rename"] === true,
        custom: values.custom === true,
      });
    }
    case "lint": {
      const format = values.format;
      if (format !== "text" && format !== "json") exitWithError("--format takes text or json");
      return (await import("./commands/lint")).lint({
        files: positionals,
        base: values.base as string | undefined,
        format,
      });
    }
    case "resolve": {
      if ((values.applied === true) === (values["rolled-back"] === true))
        exitWithError("resolve takes exactly one of --applied and --rolled-back");
      return (await import("./commands/repair")).resolve(
        positionals[0] ?? "",
        values.applied === true ? "applied" : "rolled-back",
      );
    }
    case "baseline":
      return (await import("./commands/repair")).baseline(positionals[0] ?? "");
    case "reset":
      return (await import("./commands/repair")).reset({ seed: values.seed === true });
    case "rebase":
      return (await import("./commands/rebase")).rebase();
    case "seed":
      return (await import("./commands/seed")).seed();
    default:
      exitWithError(`unknown command "${name}"`);
  }
}

await main(process.argv.slice(2));
