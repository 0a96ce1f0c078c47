// Modules that exist only inside the Workers bundle: workerd provides the first,
// scripts/build-worker.ts the second.

declare module "cloudflare:workers" {
  /** The Worker's bindings and variables, readable at module scope. */
  export const env: Record<string, unknown>;
}

declare module "tenant-api:migrations" {
  /** readMigrations() of drizzle/<dialect>/ at build time: MigrationFile[] per dialect. */
  const migrations: Record<"postgres" | "sqlite", import("./db/migrations/files").MigrationFile[]>;
  export default migrations;
}
