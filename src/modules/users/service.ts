import { and, asc, eq, gt, inArray, sql } from "drizzle-orm";
import { type Companions, insertTogether } from "../../db/atomic";
import type { AppDatabase, Tables } from "../../db/client";
import {
  definedEntries,
  perKeySet,
  pickColumns,
  placeholders,
  rowDefaults,
  withRowMapper,
} from "../../db/prepared";
import { preconditionFailed } from "../../http/conditional";
import { ProblemError } from "../../http/problem";
import { lazy } from "../../lib/lazy";
import { DEFAULT_PAGE_SIZE, decodeCursor, type PageRequest, toPage } from "../../lib/pagination";
import type { PasswordHasher } from "../../lib/password";
import type { TenantService } from "../tenants/service";
import type { UserCreateInput, UserUpdateInput, VersionedUser } from "./model";

export type UserService = ReturnType<typeof createUserService>;

const userNotFound = () => new ProblemError("not_found", "User not found");

/** Every column but the password hash, which never leaves a service. */
export function visibleUserColumns(users: Tables["users"]) {
  return {
    id: users.id,
    tenantId: users.tenantId,
    email: users.email,
    name: users.name,
    role: users.role,
    isActive: users.isActive,
    createdAt: users.createdAt,
    updatedAt: users.updatedAt,
  };
}

export function createUserService(
  db: AppDatabase,
  tenantService: TenantService,
  passwords: PasswordHasher,
) {
  const { orm } = db;
  const { users } = db.tables;
  // Pages show the users; a single user comes with its row's version, for the ETag.
  const pageColumns = visibleUserColumns(users);
  const columns = { ...pageColumns, version: users.version };
  const inTenant = (tenantId: string, id: string) =>
    and(eq(users.tenantId, tenantId), eq(users.id, id));
  const changed = { version: sql`${users.version} + 1` };

  // Prepared once: the hot reads.
  const userById = lazy(() =>
    withRowMapper(
      orm
        .select(columns)
        .from(users)
        .where(
          and(eq(users.tenantId, sql.placeholder("tenantId")), eq(users.id, sql.placeholder("id"))),
        )
        .prepare("user_by_id"),
      columns,
    ),
  );
  const firstPage = lazy(() =>
    withRowMapper(
      orm
        .select(pageColumns)
        .from(users)
        .where(eq(users.tenantId, sql.placeholder("tenantId")))
        .orderBy(asc(users.id))
        .limit(sql.placeholder("limit"))
        .prepare("users_first_page"),
      pageColumns,
    ),
  );
  const nextPage = lazy(() =>
    withRowMapper(
      orm
        .select(pageColumns)
        .from(users)
        .where(
          and(
            eq(users.tenantId, sql.placeholder("tenantId")),
            gt(users.id, sql.placeholder("afterId")),
          ),
        )
        .orderBy(asc(users.id))
        .limit(sql.placeholder("limit"))
        .prepare("users_next_page"),
      pageColumns,
    ),
  );
  const updateUser = perKeySet((keys) =>
    withRowMapper(
      orm
        .update(users)
        .set({ ...placeholders([...keys, "updatedAt"]), ...changed })
        .where(
          and(eq(users.tenantId, sql.placeholder("tenantId")), eq(users.id, sql.placeholder("id"))),
        )
        .returning(columns)
        .prepare(`update_user_${keys.join("_")}`),
      columns,
    ),
  );
  // The same, changing the row only at the version an If-Match tag names.
  const updateUserAt = perKeySet((keys) =>
    withRowMapper(
      orm
        .update(users)
        .set({ ...placeholders([...keys, "updatedAt"]), ...changed })
        .where(
          and(
            eq(users.tenantId, sql.placeholder("tenantId")),
            eq(users.id, sql.placeholder("id")),
            eq(users.version, sql.placeholder("expectedVersion")),
          ),
        )
        .returning(columns)
        .prepare(`update_user_at_version_${keys.join("_")}`),
      columns,
    ),
  );

  /** Why a conditional write changed no row: the user is gone (404), or at another version (412). */
  const unchangedUser = async (tenantId: string, id: string) => {
    const [user] = await userById().execute({ tenantId, id });
    return user === undefined ? userNotFound() : preconditionFailed("user");
  };

  return {
    /** `companions` are written with the user, given it as it will be answered (insertTogether). */
    async create(
      tenantId: string,
      { password, ...fields }: UserCreateInput,
      companions?: Companions<VersionedUser>,
    ): Promise<VersionedUser> {
      // Checked first so that an unknown tenant costs no password hashing.
      await tenantService.requireExists(tenantId);
      const passwordHash = await passwords.hash(password);
      // Every value given, defaults included, so that the row is known before it is written.
      const values = {
        ...rowDefaults(users),
        ...definedEntries(fields),
        tenantId,
        passwordHash,
      } as typeof users.$inferInsert;
      const expected = pickColumns(columns, values) as unknown as VersionedUser;
      const [user] = (await insertTogether(
        db,
        orm.insert(users).values(values).returning(columns),
        companions === undefined ? [] : await companions(expected),
      )) as VersionedUser[];
      if (user === undefined) throw new Error("insert returned no row");
      return user;
    },

    async list(
      tenantId: string,
      { limit = DEFAULT_PAGE_SIZE, cursor, email }: PageRequest & { email?: string | undefined },
    ) {
      const afterId = cursor === undefined ? undefined : decodeCursor(cursor);
      const rows = await (email === undefined
        ? afterId === undefined
          ? firstPage().execute({ tenantId, limit: limit + 1 })
          : nextPage().execute({ tenantId, afterId, limit: limit + 1 })
        : orm
            .select(pageColumns)
            .from(users)
            .where(
              and(
                eq(users.tenantId, tenantId),
                eq(users.email, email.toLowerCase()),
                afterId === undefined ? undefined : gt(users.id, afterId),
              ),
            )
            .orderBy(asc(users.id))
            .limit(limit + 1));
      // Rows prove the tenant exists; only an empty page needs to ask whether it does.
      if (rows.length === 0) await tenantService.requireExists(tenantId);
      return toPage(rows, limit);
    },

    async get(tenantId: string, id: string) {
      const [user] = await userById().execute({ tenantId, id });
      if (user === undefined) throw userNotFound();
      return user;
    },

    /**
     * Changes the user; with `expectedVersions` (from If-Match) only while its version is one of
     * them, compared in the UPDATE itself so that of two writers with the same tag one fails.
     */
    async update(
      tenantId: string,
      id: string,
      { password, ...fields }: UserUpdateInput,
      expectedVersions?: readonly number[],
    ) {
      if (expectedVersions?.length === 0) throw await unchangedUser(tenantId, id);
      const passwordHash = password === undefined ? undefined : await passwords.hash(password);
      const values = definedEntries({ ...fields, passwordHash });
      const keys = Object.keys(values);
      const parameters = { ...values, updatedAt: new Date().toISOString(), tenantId, id };
      const [expectedVersion, ...otherVersions] = expectedVersions ?? [];
      const [user] = await (expectedVersion === undefined
        ? updateUser(keys).execute(parameters)
        : otherVersions.length === 0
          ? updateUserAt(keys).execute({ ...parameters, expectedVersion })
          : orm
              .update(users)
              .set({ ...values, updatedAt: parameters.updatedAt, ...changed })
              .where(
                and(inTenant(tenantId, id), inArray(users.version, [...(expectedVersions ?? [])])),
              )
              .returning(columns));
      if (user === undefined) {
        throw expectedVersions === undefined ? userNotFound() : await unchangedUser(tenantId, id);
      }
      return user;
    },

    async remove(tenantId: string, id: string, expectedVersions?: readonly number[]) {
      if (expectedVersions?.length === 0) throw await unchangedUser(tenantId, id);
      const deleted = await orm
        .delete(users)
        .where(
          and(
            inTenant(tenantId, id),
            expectedVersions === undefined
              ? undefined
              : inArray(users.version, [...expectedVersions]),
          ),
        )
        .returning({ id: users.id });
      if (deleted.length > 0) return;
      throw expectedVersions === undefined ? userNotFound() : await unchangedUser(tenantId, id);
    },
  };
}
