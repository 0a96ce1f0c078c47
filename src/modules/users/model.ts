import type { Static, StaticDecode } from "@sinclair/typebox";
import { createInsertSchema, createSelectSchema } from "drizzle-typebox";
import { t } from "elysia";
import { pgUsers } from "../../db/schema";
import {
  Id,
  PageQuery,
  page,
  queryObject,
  Timestamp,
  trimmedText,
  WELL_FORMED_TEXT,
} from "../../http/schemas";
import { Text } from "../../http/text";

const UserRow = createSelectSchema(pgUsers, {
  name: ({ maxLength }) => Text({ maxLength }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

// The version is the ETag's (src/http/conditional.ts), not the body's.
export const User = t.Omit(UserRow, ["passwordHash", "version"]);

const UserInsert = createInsertSchema(pgUsers, {
  email: (column) =>
    t
      .Transform(t.String({ ...column, format: "email", description: "Stored in lower case" }))
      .Decode((value) => value.toLowerCase())
      .Encode((value) => value),
  name: trimmedText,
});

const Password = Text({
  minLength: 8,
  maxLength: 256,
  pattern: WELL_FORMED_TEXT,
  error: "must be 8 to 256 characters, without NUL or unpaired surrogates",
  writeOnly: true,
  description: "Write-only; stored as an argon2id hash",
});

export const UserCreate = t.Composite(
  [t.Pick(UserInsert, ["email", "name", "role", "isActive"]), t.Object({ password: Password })],
  { additionalProperties: false },
);

export const UserUpdate = t.Partial(UserCreate, { additionalProperties: false, minProperties: 1 });

export const UserPage = page(User);

export const UserListQuery = queryObject({
  ...PageQuery,
  email: t.Optional(
    t.String({ format: "email", maxLength: 254, description: "Exact address, any case" }),
  ),
});

export const TenantUserParams = t.Object({ tenantId: Id, id: Id });
export const TenantParams = t.Object({ tenantId: Id });

type UserView = Static<typeof User>;
/** A user with its row's version, from which the routes make its ETag. */
export type VersionedUser = UserView & { version: number };
export type UserCreateInput = StaticDecode<typeof UserCreate>;
export type UserUpdateInput = StaticDecode<typeof UserUpdate>;
