import { createSelectSchema } from "drizzle-typebox";
import { t } from "elysia";
import { pgApiKeys } from "../../db/schema";
import { Id, PageQuery, page, queryObject, Timestamp, trimmedText } from "../../http/schemas";
import { Text } from "../../http/text";

// A callback refinement keeps the column's nullability: lastUsedAt stays Timestamp | null.
const ApiKeyRow = createSelectSchema(pgApiKeys, {
  name: ({ maxLength }) => Text({ maxLength }),
  createdAt: Timestamp,
  lastUsedAt: () => Timestamp,
});

const Prefix = t.String({
  description: "The key's public part (tak_ and its key id), to recognise it",
});

const ApiKey = t.Composite([
  t.Pick(ApiKeyRow, ["id", "name", "createdAt", "lastUsedAt"]),
  t.Object({ prefix: Prefix }),
]);

export const CreatedApiKey = t.Composite([
  t.Pick(ApiKeyRow, ["id", "name", "createdAt"]),
  t.Object({
    prefix: Prefix,
    apiKey: t.String({
      description: "The whole key. Shown once: store it now, it cannot be read again",
    }),
  }),
]);

export const ApiKeyCreate = t.Object(
  { name: t.Optional(trimmedText({ maxLength: 200 })) },
  { additionalProperties: false },
);

export const ApiKeyPage = page(ApiKey);
export const ApiKeyListQuery = queryObject(PageQuery);
export const ApiKeyParams = t.Object({ tenantId: Id, keyId: Id });
