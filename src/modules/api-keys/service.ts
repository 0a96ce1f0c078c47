import { and, asc, eq, gt, inArray, isNull, lt, or, sql } from "drizzle-orm";
import { type Companions, insertTogether } from "../../db/atomic";
import type { AppDatabase } from "../../db/client";
import { insertPlaceholders, pickColumns, rowDefaults, withRowMapper } from "../../db/prepared";
import { preconditionFailed } from "../../http/conditional";
import { ProblemError } from "../../http/problem";
import { lazy } from "../../lib/lazy";
import { DEFAULT_PAGE_SIZE, decodeCursor, type PageRequest, toPage } from "../../lib/pagination";
import { displayPrefix, generateApiKey, parseApiKey, sameSecret } from "../../lib/tokens";

export type ApiKeyService = ReturnType<typeof createApiKeyService>;

/** A key as its create answers it: with its secret, shown this once, and its row's version. */
export interface CreatedApiKeyRow {
  id: string;
  name: string | null;
  createdAt: string;
  version: number;
  prefix: string;
  apiKey: string;
}

// last_used_at is written at most this often per key, so that reads do not all become writes.
const LAST_USED_RESOLUTION_MS = 60_000;

export function createApiKeyService(db: AppDatabase) {
  const { orm } = db;
  const { apiKeys } = db.tables;
  const columns = {
    id: apiKeys.id,
    keyId: apiKeys.keyId,
    name: apiKeys.name,
    createdAt: apiKeys.createdAt,
    lastUsedAt: apiKeys.lastUsedAt,
  };
  const lastUsedWrites = new Map<string, number>();
  // Prepared once: every authenticated request runs one of them.
  const keyColumns = { id: apiKeys.id, tenantId: apiKeys.tenantId, secretHash: apiKeys.secretHash };
  const keyInTenant = lazy(() =>
    withRowMapper(
      orm
        .select(keyColumns)
        .from(apiKeys)
        .where(
          and(
            eq(apiKeys.tenantId, sql.placeholder("tenantId")),
            eq(apiKeys.keyId, sql.placeholder("keyId")),
          ),
        )
        .prepare("api_key_in_tenant"),
      keyColumns,
    ),
  );
  // Keys issued before keys carried their tenant: the one lookup that names no tenant, which a
  // database distributed by tenant sends to every shard (docs/scaling.md).
  const keyByKeyIdAlone = lazy(() =>
    withRowMapper(
      orm
        .select(keyColumns)
        .from(apiKeys)
        .where(eq(apiKeys.keyId, sql.placeholder("keyId")))
        .prepare("api_key_by_key_id"),
      keyColumns,
    ),
  );
  const createdColumns = { ...columns, version: apiKeys.version };
  const insertKey = lazy(() =>
    withRowMapper(
      orm
        .insert(apiKeys)
        .values(insertPlaceholders(apiKeys, ["tenantId", "keyId", "secretHash", "name"]))
        .returning(createdColumns)
        .prepare("insert_api_key"),
      createdColumns,
    ),
  );
  const keyNotFound = () => new ProblemError("not_found", "API key not found");
  const present = <T extends { keyId: string }>({ keyId, ...row }: T) => ({
    ...row,
    prefix: displayPrefix(keyId),
  });

  return {
    /**
     * A new key for an existing tenant; `apiKey` is the only time the secret is seen.
     * `companions` are written with it, given it as it will be answered (insertTogether).
     */
    async create(
      tenantId: string,
      name: string | null,
      companions?: Companions<CreatedApiKeyRow>,
    ): Promise<CreatedApiKeyRow> {
      const key = generateApiKey(tenantId);
      // Every value given, the schema's defaults (version) included: the row is known before.
      const values = {
        ...rowDefaults(apiKeys),
        tenantId,
        keyId: key.keyId,
        secretHash: key.secretHash,
        name,
      };
      const created = (row: object): CreatedApiKeyRow => {
        const { lastUsedAt: _, ...shown } = present(row as { keyId: string; lastUsedAt: unknown });
        return { ...shown, apiKey: key.token } as CreatedApiKeyRow;
      };
      const [row] =
        companions === undefined
          ? await insertKey().execute(values)
          : await insertTogether(
              db,
              orm.insert(apiKeys).values(values).returning(createdColumns),
              await companions(created(pickColumns(createdColumns, values))),
            );
      if (row === undefined) throw new Error("insert returned no row");
      return created(row as object);
    },

    async list(tenantId: string, { limit = DEFAULT_PAGE_SIZE, cursor }: PageRequest) {
      const rows = await orm
        .select(columns)
        .from(apiKeys)
        .where(
          and(
            eq(apiKeys.tenantId, tenantId),
            cursor === undefined ? undefined : gt(apiKeys.id, decodeCursor(cursor)),
          ),
        )
        .orderBy(asc(apiKeys.id))
        .limit(limit + 1);
      const page = toPage(rows, limit);
      return { ...page, data: page.data.map(present) };
    },

    /**
     * Deletes the key; with `expectedVersions` (from If-Match) only while its version is one of
     * them, compared in the DELETE itself.
     */
    async revoke(tenantId: string, id: string, expectedVersions?: readonly number[]) {
      const inTenant = and(eq(apiKeys.tenantId, tenantId), eq(apiKeys.id, id));
      const deleted =
        expectedVersions?.length === 0
          ? []
          : await orm
              .delete(apiKeys)
              .where(
                and(
                  inTenant,
                  expectedVersions === undefined
                    ? undefined
                    : inArray(apiKeys.version, [...expectedVersions]),
                ),
              )
              .returning({ id: apiKeys.id });
      if (deleted.length > 0) return;
      if (expectedVersions === undefined) throw keyNotFound();
      const [row] = await orm.select({ id: apiKeys.id }).from(apiKeys).where(inTenant);
      throw row === undefined ? keyNotFound() : preconditionFailed("API key");
    },

    /** The tenant a key belongs to, or undefined for anything that is not a live key. */
    async authenticate(token: string): Promise<{ tenantId: string; apiKeyId: string } | undefined> {
      const parsed = parseApiKey(token);
      if (parsed === undefined) return undefined;
      const { keyId, tenantId } = parsed;
      const [row] = await (tenantId === undefined
        ? keyByKeyIdAlone().execute({ keyId })
        : keyInTenant().execute({ tenantId, keyId }));
      if (row === undefined || !sameSecret(parsed.secret, Buffer.from(row.secretHash, "hex")))
        return undefined;
      const now = new Date();
      // Per process: skip the write when this process wrote it recently; the SQL condition below
      // keeps several processes from writing more than once a minute between them.
      const lastWritten = lastUsedWrites.get(row.id) ?? 0;
      if (now.getTime() - lastWritten < LAST_USED_RESOLUTION_MS) {
        return { tenantId: row.tenantId, apiKeyId: row.id };
      }
      lastUsedWrites.set(row.id, now.getTime());
      // The version stays: it tags the key as its creation showed it ({id, prefix, name,
      // createdAt}), which lastUsedAt is no part of, and a revocation with that tag must not
      // fail because the key has been used since.
      await orm
        .update(apiKeys)
        .set({ lastUsedAt: now.toISOString() })
        .where(
          and(
            eq(apiKeys.tenantId, row.tenantId),
            eq(apiKeys.id, row.id),
            or(
              isNull(apiKeys.lastUsedAt),
              lt(
                apiKeys.lastUsedAt,
                new Date(now.getTime() - LAST_USED_RESOLUTION_MS).toISOString(),
              ),
            ),
          ),
        );
      return { tenantId: row.tenantId, apiKeyId: row.id };
    },
  };
}
