import { expect, test } from "bun:test";
import type { Database } from "../../src/db/client";
import { createEmptyDatabase, describeEachDialect } from "../helpers/databases";
import { keysWithoutTenant, readLiveKeys } from "../helpers/tenant-schema";

const describeKey = (key: { table: string; kind: string; columns: string[] }) =>
  `${key.table}: ${key.kind} (${key.columns.join(", ")})`;

/**
 * Tables that break each rule, one that keeps them all, and one that is not tenant-owned (its
 * keys are free). Plain SQL that both dialects take.
 */
const SCRATCH_TABLES = [
  `create table owners (tenant_id text not null, id text not null, code text not null,
     primary key (tenant_id, id), constraint owners_id_unique unique (id),
     constraint owners_code_unique unique (tenant_id, code))`,
  `create table notes (id text primary key, tenant_id text not null, slug text not null,
     owner_id text not null, constraint notes_slug_unique unique (slug),
     constraint notes_owner_fk foreign key (owner_id) references owners (id))`,
  `create table kept (tenant_id text not null, id text not null, owner_id text not null,
     primary key (tenant_id, id),
     constraint kept_owner_fk foreign key (tenant_id, owner_id) references owners (tenant_id, id))`,
  `create table countries (code text primary key, name text not null,
     constraint countries_name_unique unique (name))`,
  `create table crossed (tenant_id text not null, id text not null, owner_tenant text not null,
     owner_id text not null, primary key (tenant_id, id),
     constraint crossed_owner_fk foreign key (owner_tenant, owner_id) references owners (tenant_id, id))`,
];

async function run(db: Database, statement: string): Promise<void> {
  if (db.dialect === "postgres") await db.sql.unsafe(statement);
  else db.sqlite.exec(statement);
}

describeEachDialect("tenant-owned tables keep tenant_id in their keys", (database, dialect) => {
  test("every primary key, unique key and foreign key between tenant-owned tables has tenant_id", async () => {
    const live = await readLiveKeys(database().db);
    // Derived from the columns; the tables the API serves must be among them.
    expect(live.tenantOwned).toEqual(expect.arrayContaining(["api_keys", "users"]));
    expect(live.tenantOwned).not.toContain("tenants");
    const ownedKeys = live.keys.filter((key) => live.tenantOwned.includes(key.table));
    expect(ownedKeys.filter((key) => key.kind === "primary key")).toHaveLength(
      live.tenantOwned.length,
    );
    expect(keysWithoutTenant(live).map(describeKey)).toEqual([]);
  });

  test("the check names each key without tenant_id, and only those", async () => {
    const scratch = await createEmptyDatabase(dialect);
    try {
      for (const statement of SCRATCH_TABLES) await run(scratch.db, statement);
      const live = await readLiveKeys(scratch.db);
      expect(live.tenantOwned).toEqual(["crossed", "kept", "notes", "owners"]);
      expect(keysWithoutTenant(live).map(describeKey).sort()).toEqual([
        "crossed: foreign key (owner_tenant, owner_id)",
        "notes: foreign key (owner_id)",
        "notes: primary key (id)",
        "notes: unique (slug)",
        "owners: unique (id)",
      ]);
    } finally {
      await scratch.drop();
    }
  });
});
