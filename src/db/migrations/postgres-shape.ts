import type postgres from "postgres";

// Schemas that belong to PostgreSQL or to the migration tool, not to the migrations.
const IGNORED_SCHEMAS = ["pg_catalog", "information_schema", "pg_toast", "drizzle"];

/**
 * A PostgreSQL schema as the catalogs describe it, in a form that compares equal between two
 * databases built by the same SQL: tables with their columns, constraints and indexes; enums.
 */
export async function describePostgresSchema(sql: postgres.Sql) {
  const columns = await sql<{ table: string; column: string; definition: string }[]>`
    select n.nspname || '.' || c.relname as table, a.attname as column,
      format_type(a.atttypid, a.atttypmod)
        || case when a.attnotnull then ' not null' else '' end
        || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '') as definition
    from pg_attribute a
    join pg_class c on c.oid = a.attrelid and c.relkind in ('r', 'p')
    join pg_namespace n on n.oid = c.relnamespace
    left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
    where a.attnum > 0 and not a.attisdropped and n.nspname <> all(${IGNORED_SCHEMAS})
      and n.nspname not like 'pg_temp%'
    order by 1, a.attnum`;
  const constraints = await sql<{ table: string; name: string; definition: string }[]>`
    select n.nspname || '.' || c.relname as table, k.conname as name,
      pg_get_constraintdef(k.oid) as definition
    from pg_constraint k
    join pg_class c on c.oid = k.conrelid
    join pg_namespace n on n.oid = c.relnamespace
    where n.nspname <> all(${IGNORED_SCHEMAS})
    order by 1, 2`;
  const indexes = await sql<{ table: string; name: string; definition: string }[]>`
    select schemaname || '.' || tablename as table, indexname as name, indexdef as definition
    from pg_indexes where schemaname <> all(${IGNORED_SCHEMAS})
    order by 1, 2`;
  const enums = await sql<{ table: string; name: string; definition: string }[]>`
    select n.nspname || '.' || t.typname as table, t.typname as name,
      string_agg(e.enumlabel, ',' order by e.enumsortorder) as definition
    from pg_type t
    join pg_enum e on e.enumtypid = t.oid
    join pg_namespace n on n.oid = t.typnamespace
    where n.nspname <> all(${IGNORED_SCHEMAS})
    group by 1, 2 order by 1`;
  return [
    ...columns.map((row) => ({ table: row.table, kind: "column", ...pick(row.column, row) })),
    ...constraints.map((row) => ({ table: row.table, kind: "constraint", ...pick(row.name, row) })),
    ...indexes.map((row) => ({ table: row.table, kind: "index", ...pick(row.name, row) })),
    ...enums.map((row) => ({ table: row.table, kind: "enum", ...pick(row.name, row) })),
  ];
}

const pick = (name: string, row: { definition: string }) => ({
  name,
  definition: row.definition,
});
