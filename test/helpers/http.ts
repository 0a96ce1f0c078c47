import { appendFileSync } from "node:fs";
import { createApp } from "../../src/app";
import { type Config, parseConfig } from "../../src/config";
import type { Database } from "../../src/db/client";
import { migrationsFolder, readMigrations } from "../../src/db/migrations/files";
import { createLogger } from "../../src/lib/logger";
import { bunPasswords } from "../../src/lib/password-bun";

export const ADMIN_TOKEN = "test-admin-token-0123456789abcdefghijklmnop";

export const testConfig = parseConfig({
  NODE_ENV: "test",
  LOG_LEVEL: "silent",
  ADMIN_TOKEN,
}) as Config & { adminToken: string };

// With TEST_LOG_FILE set (CI does), every app a test builds logs at debug level to that file,
// and every secret a test sends is listed in TEST_SECRETS_FILE: scripts/check-log-secrets.ts then
// proves that no secret reached a log line.
const LOG_FILE = process.env.TEST_LOG_FILE;
const SECRETS_FILE = process.env.TEST_SECRETS_FILE;
const testLogger = LOG_FILE
  ? createLogger("debug", { sink: (line) => appendFileSync(LOG_FILE, `${line}\n`), pretty: false })
  : createLogger("silent");

function recordSecrets(token: string | null, body: unknown, headers: Record<string, string>): void {
  if (SECRETS_FILE === undefined) return;
  const secrets: string[] = [];
  if (token && token.length >= 16) secrets.push(token);
  // An idempotency key is what decrypts its stored answer.
  const idempotencyKey = headers["idempotency-key"];
  if (idempotencyKey !== undefined && idempotencyKey.length >= 16) secrets.push(idempotencyKey);
  const password = (body as { password?: unknown } | undefined)?.password;
  if (typeof password === "string" && password.length >= 8) secrets.push(password);
  if (secrets.length > 0)
    appendFileSync(SECRETS_FILE, `${secrets.map((secret) => JSON.stringify(secret)).join("\n")}\n`);
}

/** What the Bun entry hands the app besides its database and configuration. */
export function bunSide(db: Database) {
  return { migrations: readMigrations(migrationsFolder(db.dialect)), passwords: bunPasswords };
}

export function buildApp(db: Database, overrides: Partial<Config> = {}) {
  return createApp({
    ...bunSide(db),
    db,
    config: { ...testConfig, ...overrides },
    logger: testLogger,
  });
}

export type TestApp = ReturnType<typeof buildApp>;

export interface TestResponse {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies and assert on them
  body: any;
}

type RequestOptions = {
  /** The bearer token: the admin token unless given; null sends no Authorization header. */
  token?: string | null;
  body?: unknown;
  /** Sent as is, instead of JSON-encoding `body`. */
  raw?: string;
  headers?: Record<string, string>;
};

/** One request through the app in process, no port involved. */
export async function call(
  app: { handle(request: Request): Promise<Response> },
  method: string,
  path: string,
  { body, raw, headers: extraHeaders = {}, token = ADMIN_TOKEN }: RequestOptions = {},
): Promise<TestResponse> {
  const hasJson = body !== undefined;
  const headers =
    token === null ? extraHeaders : { authorization: `Bearer ${token}`, ...extraHeaders };
  recordSecrets(token, body, extraHeaders);
  const response = await app.handle(
    new Request(`http://localhost${path}`, {
      method,
      headers: hasJson ? { "content-type": "application/json", ...headers } : headers,
      body: hasJson ? JSON.stringify(body) : raw,
    }),
  );
  const text = await response.text();
  const contentType = response.headers.get("content-type") ?? "";
  return {
    status: response.status,
    headers: response.headers,
    body: text !== "" && contentType.includes("json") ? JSON.parse(text) : text,
  };
}

/** Asserts the RFC 9457 shape and returns the body. */
export function expectProblem(response: TestResponse, status: number) {
  if (response.status !== status) {
    throw new Error(`expected ${status}, got ${response.status}: ${JSON.stringify(response.body)}`);
  }
  const contentType = response.headers.get("content-type") ?? "";
  if (!contentType.startsWith("application/problem+json")) {
    throw new Error(`expected application/problem+json, got "${contentType}"`);
  }
  const body = response.body;
  if (typeof body !== "object" || body === null) throw new Error("problem body is not an object");
  if (body.status !== status) throw new Error(`problem status ${body.status} !== ${status}`);
  if (typeof body.type !== "string" || typeof body.title !== "string") {
    throw new Error(`problem lacks type or title: ${JSON.stringify(body)}`);
  }
  return body as {
    requestId?: string;
    type: string;
    title: string;
    status: number;
    detail?: string;
    errors?: { path: string; message: string }[];
  };
}

/** A problem body without its request id, to compare two answers. */
export function withoutRequestId<T extends { requestId?: string }>(body: T): Omit<T, "requestId"> {
  const { requestId: _, ...rest } = body;
  return rest;
}
