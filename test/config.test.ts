import { describe, expect, test } from "bun:test";
import { ConfigError, parseConfig, parseDatabaseUrl, redactUrl } from "../src/config";

const ON_POSTGRES = { DATABASE_URL: "postgres://app@primary/app" };

describe("parseConfig", () => {
  test("defaults: SQLite at ./data/app.db, port 3000, migrations on start", () => {
    expect(parseConfig({})).toEqual({
      nodeEnv: "development",
      database: { dialect: "sqlite", path: "./data/app.db" },
      port: 3000,
      host: "127.0.0.1",
      migrateOnStart: true,
      logLevel: "info",
      bodyLimitBytes: 1024 * 1024,
      adminToken: undefined,
      shutdownTimeoutMs: 10_000,
      databasePoolSize: 10,
      databaseReadConnections: 2,
      databaseAcquireTimeoutMs: 2_000,
      databasePrepare: true,
      databaseMigrationUrl: undefined,
      workers: 1,
      worker: undefined,
      corsOrigins: [],
      readReplicas: undefined,
      requireIfMatch: false,
      idempotencyTtlSeconds: 86_400,
      metrics: { enabled: true, listener: undefined, token: undefined },
      tracing: undefined,
    });
  });

  test("IDEMPOTENCY_TTL_SECONDS: 1 second to 30 days, else one line naming it", () => {
    expect(parseConfig({ IDEMPOTENCY_TTL_SECONDS: "3600" }).idempotencyTtlSeconds).toBe(3600);
    for (const value of ["0", "2592001", "1.5", "a day"]) {
      expect(() => parseConfig({ IDEMPOTENCY_TTL_SECONDS: value })).toThrow(
        `IDEMPOTENCY_TTL_SECONDS="${value}" is invalid: expected an integer from 1 to 2592000`,
      );
    }
  });

  test("metrics: METRICS_PORT opens a loopback listener unless METRICS_HOST says otherwise", () => {
    expect(parseConfig({ METRICS_PORT: "9464" }).metrics.listener).toEqual({
      port: 9464,
      host: "127.0.0.1",
    });
    expect(parseConfig({ METRICS_PORT: "0", METRICS_HOST: "0.0.0.0" }).metrics.listener).toEqual({
      port: 0,
      host: "0.0.0.0",
    });
    expect(parseConfig({ METRICS_ENABLED: "false" }).metrics.enabled).toBe(false);
    expect(() => parseConfig({ PORT: "8080", METRICS_PORT: "8080" })).toThrow(
      "METRICS_PORT=8080 is the API's PORT",
    );
    expect(() => parseConfig({ METRICS_TOKEN: "short" })).toThrow("METRICS_TOKEN is too short");
    expect(() => parseConfig({ METRICS_ENABLED: "maybe" })).toThrow(
      'METRICS_ENABLED="maybe" is invalid',
    );
  });

  test("tracing: off unless an OTLP endpoint is set; the traces endpoint wins over the base", () => {
    expect(parseConfig({ OTEL_SERVICE_NAME: "api" }).tracing).toBeUndefined();
    expect(parseConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318/" }).tracing).toEqual({
      tracesEndpoint: "http://127.0.0.1:4318/v1/traces",
      serviceName: "tenant-api",
    });
    expect(
      parseConfig({
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://ignored:4318",
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "https://collector.example.com/traces",
        OTEL_SERVICE_NAME: "tenants-eu",
      }).tracing,
    ).toEqual({
      tracesEndpoint: "https://collector.example.com/traces",
      serviceName: "tenants-eu",
    });
    expect(() => parseConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" })).toThrow(
      'OTEL_EXPORTER_OTLP_ENDPOINT="collector:4318" is invalid',
    );
  });

  test("CORS_ORIGINS: *, or origins separated by commas", () => {
    expect(parseConfig({ CORS_ORIGINS: "*" }).corsOrigins).toBe("*");
    expect(
      parseConfig({ CORS_ORIGINS: "https://app.example.com, http://localhost:5173" }).corsOrigins,
    ).toEqual(["https://app.example.com", "http://localhost:5173"]);
  });

  test("DATABASE_READ_URL: standbys separated by commas, 10 s of lag allowed unless told", () => {
    expect(parseConfig(ON_POSTGRES).readReplicas).toBeUndefined();
    expect(
      parseConfig({
        ...ON_POSTGRES,
        DATABASE_READ_URL: "postgres://app@standby1/app, postgresql://app@standby2:5433/app",
      }).readReplicas,
    ).toEqual({
      urls: ["postgres://app@standby1/app", "postgresql://app@standby2:5433/app"],
      maxLagMs: 10_000,
    });
    expect(
      parseConfig({
        ...ON_POSTGRES,
        DATABASE_READ_URL: "postgres://app@standby1/app",
        DATABASE_MAX_REPLICA_LAG_MS: "500",
      }).readReplicas?.maxLagMs,
    ).toBe(500);
  });

  test("a standby's password never appears in an error", () => {
    const parse = () =>
      parseConfig({ ...ON_POSTGRES, DATABASE_READ_URL: "postgres://app:s3cr3t@standby:99999/app" });
    expect(parse).toThrow('DATABASE_READ_URL has "postgres://app:****@standby:99999/app"');
    expect(parse).not.toThrow("s3cr3t");
  });

  test("NODE_ENV=production turns migrations on start off unless asked", () => {
    const production = { NODE_ENV: "production", ADMIN_TOKEN: "a".repeat(32) };
    expect(parseConfig(production).migrateOnStart).toBe(false);
    expect(parseConfig({ ...production, MIGRATE_ON_START: "true" }).migrateOnStart).toBe(true);
    expect(parseConfig({ MIGRATE_ON_START: "0" }).migrateOnStart).toBe(false);
  });

  test("reads every variable", () => {
    const config = parseConfig({
      DATABASE_URL: "postgresql://app:secret@db.internal:5433/app",
      PORT: "8080",
      HOST: "0.0.0.0",
      LOG_LEVEL: "WARN",
      BODY_LIMIT_BYTES: "2048",
      SHUTDOWN_TIMEOUT: "3",
      DATABASE_POOL_SIZE: "4",
      DATABASE_READ_CONNECTIONS: "3",
      DATABASE_ACQUIRE_TIMEOUT_MS: "750",
      DATABASE_PREPARE: "off",
      DATABASE_MIGRATION_URL:
        "postgres://app@db1:5432,db2:5432/app?target_session_attrs=read-write",
      ADMIN_TOKEN: " 0123456789abcdef0123456789abcdef ",
      WORKERS: "4",
      REQUIRE_IF_MATCH: "true",
    });
    expect(config).toMatchObject({
      database: { dialect: "postgres", url: "postgresql://app:secret@db.internal:5433/app" },
      port: 8080,
      host: "0.0.0.0",
      logLevel: "warn",
      bodyLimitBytes: 2048,
      shutdownTimeoutMs: 3000,
      databasePoolSize: 4,
      databaseReadConnections: 3,
      databaseAcquireTimeoutMs: 750,
      databasePrepare: false,
      databaseMigrationUrl: "postgres://app@db1:5432,db2:5432/app?target_session_attrs=primary",
      adminToken: "0123456789abcdef0123456789abcdef",
      workers: 4,
      requireIfMatch: true,
    });
  });

  test("empty values count as unset", () => {
    expect(parseConfig({ DATABASE_URL: "", PORT: " " }).port).toBe(3000);
  });

  test.each([
    [{ PORT: "abc" }, 'PORT="abc" is invalid: expected an integer from 0 to 65535'],
    [{ WORKERS: "0" }, 'WORKERS="0" is invalid: expected an integer from 1 to 64'],
    [{ WORKERS: "two" }, 'WORKERS="two" is invalid: expected an integer from 1 to 64'],
    [
      { WORKERS: "2", PORT: "0" },
      "WORKERS=2 needs a fixed PORT: every worker listens on the same one (PORT=0 picks a different free port per process)",
    ],
    [{ PORT: "70000" }, 'PORT="70000" is invalid: expected an integer from 0 to 65535'],
    [{ PORT: "-1" }, 'PORT="-1" is invalid: expected an integer from 0 to 65535'],
    [
      { LOG_LEVEL: "loud" },
      'LOG_LEVEL="loud" is invalid: expected one of debug, info, warn, error, silent',
    ],
    [
      { NODE_ENV: "staging" },
      'NODE_ENV="staging" is invalid: expected one of development, production, test',
    ],
    [{ MIGRATE_ON_START: "maybe" }, 'MIGRATE_ON_START="maybe" is invalid: expected true or false'],
    [
      { REQUIRE_IF_MATCH: "always" },
      'REQUIRE_IF_MATCH="always" is invalid: expected true or false',
    ],
    [{ ADMIN_TOKEN: "short" }, "ADMIN_TOKEN is too short: expected at least 32 characters"],
    [{ NODE_ENV: "production" }, "ADMIN_TOKEN is required when NODE_ENV=production"],
    [
      { DATABASE_URL: "mysql://root@localhost/db" },
      'DATABASE_URL="mysql://root@localhost/db" is invalid',
    ],
    [{ DATABASE_URL: "data/app.txt" }, 'DATABASE_URL="data/app.txt" is invalid'],
    [{ DATABASE_PREPARE: "never" }, 'DATABASE_PREPARE="never" is invalid: expected true or false'],
    [
      { DATABASE_URL: "postgres://app@pooler/app", DATABASE_MIGRATION_URL: "file:app.db" },
      'DATABASE_MIGRATION_URL="file:app.db" is invalid: expected postgres://',
    ],
    [
      {
        DATABASE_URL: "postgres://app@pooler/app",
        DATABASE_MIGRATION_URL: "postgres://app@db1,/app",
      },
      "DATABASE_MIGRATION_URL is not a valid URL",
    ],
    [
      { DATABASE_MIGRATION_URL: "postgres://app@db/app" },
      "DATABASE_MIGRATION_URL is set but DATABASE_URL is SQLite",
    ],
    [{ CORS_ORIGINS: "https://app.example.com/" }, 'CORS_ORIGINS has "https://app.example.com/"'],
    [{ CORS_ORIGINS: "app.example.com" }, "which is not an origin"],
    [{ CORS_ORIGINS: "ftp://files.example.com" }, "which is not an origin"],
    [
      { DATABASE_READ_URL: "postgres://app@standby/app" },
      "DATABASE_READ_URL needs DATABASE_URL to be PostgreSQL: SQLite has no standbys to read from",
    ],
    [
      {
        ...ON_POSTGRES,
        DATABASE_READ_URL: "postgres://app@standby/app",
        WORKERS: "2",
        PORT: "3000",
      },
      "DATABASE_READ_URL needs WORKERS=1",
    ],
    [
      { ...ON_POSTGRES, DATABASE_READ_URL: "postgres://app:pw@standby/app,standby2:5432" },
      'DATABASE_READ_URL has "standby2:5432", which is not a PostgreSQL URL',
    ],
    [
      { ...ON_POSTGRES, DATABASE_MAX_REPLICA_LAG_MS: "0" },
      'DATABASE_MAX_REPLICA_LAG_MS="0" is invalid: expected an integer from 1 to 3600000',
    ],
  ])("%o fails with one line naming the variable", (env, message) => {
    expect(() => parseConfig(env)).toThrow(ConfigError);
    expect(() => parseConfig(env)).toThrow(message);
  });
});

describe("parseDatabaseUrl", () => {
  test.each([
    ["postgres://u@localhost/db", "postgres"],
    ["POSTGRESQL://u@localhost:5432/db", "postgres"],
    ["file:./data/app.db", "sqlite"],
    ["file:/var/lib/app/any-name", "sqlite"],
    ["./local.sqlite", "sqlite"],
    ["/tmp/x.db", "sqlite"],
  ])("%s selects %s", (url, dialect) => {
    expect(parseDatabaseUrl(url).dialect).toBe(dialect as "postgres" | "sqlite");
  });

  test("file: URLs give the path after the scheme", () => {
    expect(parseDatabaseUrl("file:./data/app.db")).toEqual({
      dialect: "sqlite",
      path: "./data/app.db",
    });
    expect(parseDatabaseUrl("file:///tmp/app.db")).toEqual({
      dialect: "sqlite",
      path: "/tmp/app.db",
    });
  });

  test("several hosts, as pg_autoctl show uri prints them; read-write becomes primary", () => {
    const printed =
      "postgres://127.0.0.1:6010,127.0.0.1:6011/app?target_session_attrs=read-write&sslmode=prefer";
    expect(parseDatabaseUrl(printed)).toEqual({
      dialect: "postgres",
      url: "postgres://127.0.0.1:6010,127.0.0.1:6011/app?target_session_attrs=primary&sslmode=prefer",
    });
    const withPassword = "postgres://app:s3cr3t@db1,db2:5433/app?target_session_attrs=primary";
    expect(parseDatabaseUrl(withPassword)).toEqual({ dialect: "postgres", url: withPassword });
    expect(redactUrl(withPassword)).toBe(
      "postgres://app:****@db1,db2:5433/app?target_session_attrs=primary",
    );
  });

  test.each(["postgres://app@db1,/app", "postgres://app@db1,db2:port/app"])(
    "%s: a host of several that is not one fails with one line",
    (url) => {
      expect(() => parseDatabaseUrl(url)).toThrow(ConfigError);
      expect(() => parseDatabaseUrl(url)).toThrow("several hosts");
    },
  );

  test("a password never appears in the error", () => {
    expect(() => parseDatabaseUrl("mysql://root:hunter2@localhost/db")).toThrow(/root:\*\*\*\*@/);
    expect(() => parseDatabaseUrl("mysql://root:hunter2@localhost/db")).not.toThrow(/hunter2/);
  });

  test("redactUrl masks only the password", () => {
    expect(redactUrl("postgres://app:s3cr3t@db:5432/app")).toBe("postgres://app:****@db:5432/app");
    expect(redactUrl("postgres://app@db/app")).toBe("postgres://app@db/app");
  });
});
