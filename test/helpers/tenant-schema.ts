import type { Database } from "../../src/db/client";

/**
 * The keys of a migrated database as the database itself reports them (PostgreSQL's catalog,
 * SQLite's pragmas), to check the rules Citus puts on tables distributed by tenant.
 */
export interface LiveKey {
  table: string;
  kind: "primary key" | "unique" | "foreign key";
  name: string;
  columns: string[];
  /** For a foreign key: the table and the columns it references, in the same order. */
  references?: { table: string; columns: string[] };
}

export interface LiveKeys {
  /** Tables with a tenant_id column: the ones distributed by tenant. */
  tenantOwned: string[];
  keys: LiveKey[];
}

const TENANT_COLUMN = "tenant_id";
const EXPRESSION = "(expression)";

export function readLiveKeys(db: Database): Promise<LiveKeys> {
  return db.dialect === "postgres" ? readPostgres(db) : Promise.resolve(readSqlite(db));
}

async function readPostgres(db: Extract<Database, { dialect: "postgres" }>): Promise<LiveKeys> {
  const owned = await db.sql<{ table: string }[]>`
    select c.relname as "table"
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    join pg_attribute a on a.attrelid = c.oid
    where n.nspname = 'public' and c.relkind in ('r', 'p') and a.attname = ${TENANT_COLUMN}
      and not a.attisdropped
    order by 1`;
  // Every unique index: primary keys, unique constraints, and unique indexes made on their own.
  const uniques = await db.sql<
    { table: string; name: string; primary: boolean; columns: string[] }[]
  >`
    select t.relname as "table", i.relname as name, x.indisprimary as primary,
      array(
        select coalesce(a.attname::text, ${EXPRESSION})
        from unnest(x.indkey::int2[]) with ordinality as k(attnum, position)
        left join pg_attribute a on a.attrelid = t.oid and a.attnum = k.attnum and k.attnum > 0
        where k.position <= x.indnkeyatts
        order by k.position
      ) as columns
    from pg_index x
    join pg_class t on t.oid = x.indrelid
    join pg_class i on i.oid = x.indexrelid
    join pg_namespace n on n.oid = t.relnamespace
    where n.nspname = 'public' and x.indisunique
    order by 1, 2`;
  const foreignKeys = await db.sql<
    {
      table: string;
      name: string;
      columns: string[];
      foreignTable: string;
      foreignColumns: string[];
    }[]
  >`
    select t.relname as "table", c.conname as name, f.relname as "foreignTable",
      array(
        select a.attname::text from unnest(c.conkey) with ordinality as k(attnum, position)
        join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum
        order by k.position
      ) as columns,
      array(
        select a.attname::text from unnest(c.confkey) with ordinality as k(attnum, position)
        join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.attnum
        order by k.position
      ) as "foreignColumns"
    from pg_constraint c
    join pg_class t on t.oid = c.conrelid
    join pg_class f on f.oid = c.confrelid
    join pg_namespace n on n.oid = t.relnamespace
    where c.contype = 'f' and n.nspname = 'public'
    order by 1, 2`;
  return {
    tenantOwned: owned.map((row) => row.table),
    keys: [
      ...uniques.map(
        (row): LiveKey => ({
          table: row.table,
          kind: row.primary ? "primary key" : "unique",
          name: row.name,
          columns: row.columns,
        }),
      ),
      ...foreignKeys.map(
        (row): LiveKey => ({
          table: row.table,
          kind: "foreign key",
          name: row.name,
          columns: row.columns,
          references: { table: row.foreignTable, columns: row.foreignColumns },
        }),
      ),
    ],
  };
}

function readSqlite(db: Extract<Database, { dialect: "sqlite" }>): LiveKeys {
  const { sqlite } = db;
  const tables = sqlite
    .query<{ name: string }, []>(
      "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name",
    )
    .all()
    .map((row) => row.name);
  const columnsOf = (table: string) =>
    sqlite
      .query<{ name: string; pk: number }, [string]>(
        "select name, pk from pragma_table_info(?) order by cid",
      )
      .all(table);
  const primaryKeyOf = (table: string) =>
    columnsOf(table)
      .filter((column) => column.pk > 0)
      .sort((a, b) => a.pk - b.pk)
      .map((column) => column.name);
  const keys: LiveKey[] = [];
  for (const table of tables) {
    const primaryKey = primaryKeyOf(table);
    if (primaryKey.length > 0)
      keys.push({ table, kind: "primary key", name: `${table} primary key`, columns: primaryKey });
    // The primary key's own index (origin "pk") is the primary key above.
    const indexes = sqlite
      .query<{ name: string }, [string]>(
        `select name from pragma_index_list(?) where "unique" = 1 and origin <> 'pk' order by name`,
      )
      .all(table);
    for (const { name } of indexes) {
      const columns = sqlite
        .query<{ name: string | null }, [string]>(
          "select name from pragma_index_info(?) order by seqno",
        )
        .all(name)
        .map((column) => column.name ?? EXPRESSION);
      keys.push({ table, kind: "unique", name, columns });
    }
    const references = sqlite
      .query<{ id: number; table: string; from: string; to: string | null }, [string]>(
        'select id, "table", "from", "to" from pragma_foreign_key_list(?) order by id, seq',
      )
      .all(table);
    for (const id of new Set(references.map((reference) => reference.id))) {
      const parts = references.filter((reference) => reference.id === id);
      const foreignTable = parts[0]?.table ?? "";
      // A reference without columns names the parent's primary key.
      const parentKey = primaryKeyOf(foreignTable);
      keys.push({
        table,
        kind: "foreign key",
        name: `${table} foreign key ${id}`,
        columns: parts.map((part) => part.from),
        references: {
          table: foreignTable,
          columns: parts.map((part, position) => part.to ?? parentKey[position] ?? ""),
        },
      });
    }
  }
  return {
    tenantOwned: tables.filter((table) =>
      columnsOf(table).some((column) => column.name === TENANT_COLUMN),
    ),
    keys,
  };
}

/**
 * Citus' rules for tables distributed by tenant_id: on a tenant-owned table, the primary key
 * and every unique key include tenant_id, and a foreign key to another tenant-owned table pairs
 * tenant_id with tenant_id. Keys of other tables, and foreign keys to them, are free.
 */
export function keysWithoutTenant({ tenantOwned, keys }: LiveKeys): LiveKey[] {
  const owned = new Set(tenantOwned);
  return keys.filter((key) => {
    if (!owned.has(key.table)) return false;
    if (key.kind !== "foreign key") return !key.columns.includes(TENANT_COLUMN);
    const references = key.references;
    if (references === undefined || !owned.has(references.table)) return false;
    return !key.columns.some(
      (column, position) =>
        column === TENANT_COLUMN && references.columns[position] === TENANT_COLUMN,
    );
  });
}
