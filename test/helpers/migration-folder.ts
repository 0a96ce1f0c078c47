import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Dialect } from "../../src/config";
import {
  downPath,
  type Journal,
  journalPath,
  type MigrationFile,
  migrationsFolder,
  readJournal,
  readMigrations,
  snapshotPath,
  upPath,
} from "../../src/db/migrations/files";

export interface ExtraMigration {
  name: string;
  up: string;
  down: string;
}

/**
 * A copy of a dialect's committed migrations in a temp folder with hand-written migrations
 * appended, as `generate --custom` lays them out (the snapshot repeats the one before).
 */
export function migrationFolderWith(
  dialect: Dialect,
  extra: ExtraMigration[],
): { folder: string; migrations: MigrationFile[]; remove(): void } {
  const folder = mkdtempSync(join(tmpdir(), `tenant-api-migrations-${dialect}-`));
  cpSync(migrationsFolder(dialect), folder, { recursive: true });
  const journal: Journal = readJournal(folder);
  for (const migration of extra) {
    const previous = journal.entries.at(-1);
    const index = (previous?.idx ?? -1) + 1;
    const tag = `${String(index).padStart(4, "0")}_${migration.name}`;
    if (previous !== undefined) {
      const snapshot = JSON.parse(readFileSync(snapshotPath(folder, previous.idx), "utf8"));
      const next = { ...snapshot, id: crypto.randomUUID(), prevId: snapshot.id };
      writeFileSync(snapshotPath(folder, index), JSON.stringify(next, null, 2));
    }
    writeFileSync(upPath(folder, tag), migration.up);
    writeFileSync(downPath(folder, tag), migration.down);
    journal.entries.push({ idx: index, when: Date.now() + index, tag, breakpoints: true });
  }
  writeFileSync(journalPath(folder), JSON.stringify(journal, null, 2));
  return {
    folder,
    migrations: readMigrations(folder),
    remove: () => rmSync(folder, { recursive: true, force: true }),
  };
}
