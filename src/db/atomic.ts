import type { ColumnsSelection } from "drizzle-orm";
import type { DrizzleD1Database } from "drizzle-orm/d1";
import type { TypedQueryBuilder } from "drizzle-orm/query-builders/query-builder";
import { assertUnreachable } from "../lib/assert";
import type { AppDatabase } from "./client";

/**
 * An insert with a RETURNING clause, as the query builder makes it: the statements written
 * together below. Typed with PostgreSQL's builder, like every query (see Orm in client.ts).
 */
export type ReturningInsert = TypedQueryBuilder<ColumnsSelection, unknown[]> &
  PromiseLike<unknown[]>;

/**
 * Statements to write together with a create, given the row it will answer (known before the
 * write): how a create stores its answer for an Idempotency-Key in the same atomic write.
 */
export type Companions<Row> = (row: Row) => Promise<ReturningInsert[]>;

// What bun:sqlite's drizzle builders run synchronously, inside a SQLite transaction.
interface SyncQuery {
  all(): unknown[];
}

/**
 * Runs inserts as one atomic write and answers the rows the first one returns: all of them are
 * written or none, whatever fails or wherever the process dies. On PostgreSQL one statement (the
 * inserts in data-modifying CTEs, one round trip); on SQLite one transaction; on D1 one batch,
 * which D1 runs as a transaction. A statement that fails (a unique key, a check) undoes the rest.
 */
export async function insertTogether(
  db: AppDatabase,
  first: ReturningInsert,
  others: readonly ReturningInsert[],
): Promise<unknown[]> {
  if (others.length === 0) return first;
  const { orm } = db;
  if (db.dialect === "postgres") {
    const [head, ...rest] = [first, ...others].map((insert, index) =>
      orm.$with(`written_${index}`).as(insert),
    );
    if (head === undefined) throw new Error("nothing to write");
    return orm
      .with(head, ...rest)
      .select()
      .from(head);
  }
  if ("d1" in db) {
    // The PostgreSQL-typed builders are D1's at run time (see Orm in src/db/client.ts).
    const d1 = orm as unknown as DrizzleD1Database;
    type BatchItem = Parameters<typeof d1.batch>[0][0];
    const [written] = await d1.batch([
      first as unknown as BatchItem,
      ...others.map((insert) => insert as unknown as BatchItem),
    ]);
    return written as unknown[];
  }
  if (db.dialect === "sqlite") {
    // Synchronous, so that no other request's statement can run inside this transaction.
    return db.sqlite.transaction(() => {
      const written = (first as unknown as SyncQuery).all();
      for (const insert of others) (insert as unknown as SyncQuery).all();
      return written;
    })();
  }
  return assertUnreachable(db);
}
