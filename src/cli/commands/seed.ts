import type { Config } from "../../config";
import type { Database } from "../../db/client";
import { migrateUp, readApplied, stateOf } from "../../db/migrations/engine";
import { DEMO_PASSWORD, SEED_KEY_NAME, type SeededTenant, seedDemoData } from "../../db/seed";
import { exitWithError, loadConfigOrExit } from "../../lib/fatal";
import { withDatabase } from "./context";

export function seed(): Promise<void> {
  const config = loadConfigOrExit();
  // Demo users share one published password: such rows must never reach a production database.
  if (config.nodeEnv === "production") {
    exitWithError("seed refuses to run with NODE_ENV=production: demo users have a known password");
  }
  return withDatabase(async ({ db, migrations }) => {
    if (config.migrateOnStart) {
      const applied = await migrateUp(db, migrations);
      if (applied.length > 0) console.log(`migrations applied: ${applied.join(", ")}`);
    } else {
      const { pending } = stateOf(await readApplied(db), migrations);
      if (pending.length > 0) {
        throw new Error(
          `pending migrations (${pending.map((migration) => migration.tag).join(", ")}) and MIGRATE_ON_START is off: run \`npm run db -- up\` first`,
        );
      }
    }
    reportSeeded(db, config, await seedDemoData(db));
    return 0;
  });
}

/** Prints each demo tenant with its new key and a curl line to try it. */
export function reportSeeded(db: Database, config: Config, tenants: SeededTenant[]): void {
  const base = baseUrl(config);
  for (const tenant of tenants) console.log(describeTenant(tenant, base));
  const created = tenants.filter((tenant) => tenant.created).length;
  console.log(
    `\n${db.dialect} ${db.description}: ${tenants.length} demo tenants (${created} created, ` +
      `${tenants.length - created} already there). Demo users get the password "${DEMO_PASSWORD}".\n` +
      `Each run issues every demo tenant a new key named "${SEED_KEY_NAME}" and revokes the ` +
      "seed keys printed before: use the keys above.",
  );
}

function describeTenant(tenant: SeededTenant, base: string): string {
  const users = tenant.users
    .map((user) => `${user.email} (${user.role}${user.created ? ", created" : ""})`)
    .join(", ");
  const revoked =
    tenant.revokedKeys === 0
      ? ""
      : `  (revoked ${tenant.revokedKeys} earlier seed ${tenant.revokedKeys === 1 ? "key" : "keys"})`;
  return [
    `\n${tenant.name}  slug ${tenant.slug}  id ${tenant.id}${tenant.created ? "  (created)" : ""}`,
    `  users:   ${users}`,
    `  api key: ${tenant.apiKey}${revoked}`,
    `  try:     curl -H "Authorization: Bearer ${tenant.apiKey}" ${base}/tenants/${tenant.id}/users`,
  ].join("\n");
}

/** Where the server started with this configuration answers on this machine. */
export function baseUrl({ host, port }: Pick<Config, "host" | "port">): string {
  // A wildcard address listens on loopback too; PORT=0 picks a port only at start-up.
  const bare = host.replace(/^\[|\]$/g, "");
  const reachable = bare === "0.0.0.0" ? "127.0.0.1" : bare === "::" ? "::1" : bare;
  const hostPart = reachable.includes(":") ? `[${reachable}]` : reachable;
  return `http://${hostPart}:${port === 0 ? "<port>" : port}`;
}
