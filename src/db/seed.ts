/**
 * Demo data for `npm run db:seed`: three tenants, each with one user of every role and a fresh
 * API key. Rows are made by the app's own services, so passwords are hashed and keys issued
 * exactly as the API does it.
 */
import { eq } from "drizzle-orm";
import { bunPasswords } from "../lib/password-bun";
import { createApiKeyService } from "../modules/api-keys/service";
import { createTenantService } from "../modules/tenants/service";
import { createUserService } from "../modules/users/service";
import type { Database } from "./client";
import { USER_ROLES, type UserRole } from "./schema";

/** The password of every demo user the seed creates. Demo data only: never in production. */
export const DEMO_PASSWORD = "demo-password";
/** The name of the key each run issues; the previous run's key of that name is revoked. */
export const SEED_KEY_NAME = "seed";

// Demo tenants are recognised by their slug, which the schema keeps unique.
export const DEMO_TENANTS = [
  { slug: "demo-acme", name: "Acme (demo)", domain: "acme.example.com" },
  { slug: "demo-globex", name: "Globex (demo)", domain: "globex.example.com" },
  { slug: "demo-initech", name: "Initech (demo)", domain: "initech.example.com" },
] as const;

interface SeededUser {
  email: string;
  role: UserRole;
  created: boolean;
}

export interface SeededTenant {
  id: string;
  name: string;
  slug: string;
  created: boolean;
  users: SeededUser[];
  /** The key issued by this run: the whole key, shown once. */
  apiKey: string;
  /** Keys named SEED_KEY_NAME that earlier runs issued and this run revoked. */
  revokedKeys: number;
}

export const demoEmail = (role: UserRole, domain: string) => `${role}@${domain}`;

const displayName = (role: UserRole) => `Demo ${role.charAt(0).toUpperCase()}${role.slice(1)}`;

/**
 * Returns the existing row, or creates it. When a concurrent run creates it first, the unique
 * constraint rejects our insert and the row it made is used.
 */
async function findOrCreate<T>(
  find: () => Promise<T | undefined>,
  create: () => Promise<T>,
): Promise<{ row: T; created: boolean }> {
  const existing = await find();
  if (existing !== undefined) return { row: existing, created: false };
  try {
    return { row: await create(), created: true };
  } catch (error) {
    const raced = await find();
    if (raced === undefined) throw error;
    return { row: raced, created: false };
  }
}

/**
 * Creates the demo tenants and users that are missing (existing ones are left as they are) and
 * issues each demo tenant a new key, revoking the key the previous run issued.
 */
export async function seedDemoData(db: Database): Promise<SeededTenant[]> {
  const tenantService = createTenantService(db);
  const userService = createUserService(db, tenantService, bunPasswords);
  const apiKeyService = createApiKeyService(db);
  const { tenants } = db.tables;

  const findTenant = async (slug: string) => {
    const [row] = await db.orm
      .select({ id: tenants.id, name: tenants.name, slug: tenants.slug })
      .from(tenants)
      .where(eq(tenants.slug, slug));
    return row;
  };

  const seeded: SeededTenant[] = [];
  for (const demo of DEMO_TENANTS) {
    const { row: tenant, created } = await findOrCreate(
      () => findTenant(demo.slug),
      async () =>
        (await tenantService.create({ name: demo.name, slug: demo.slug }, SEED_KEY_NAME)).tenant,
    );
    const users: SeededUser[] = [];
    for (const role of USER_ROLES) {
      const email = demoEmail(role, demo.domain);
      const user = await findOrCreate(
        async () => (await userService.list(tenant.id, { email, limit: 1 })).data[0],
        () =>
          userService.create(tenant.id, {
            email,
            name: displayName(role),
            role,
            isActive: true,
            password: DEMO_PASSWORD,
          }),
      );
      users.push({ email, role: user.row.role, created: user.created });
    }
    const key = await apiKeyService.create(tenant.id, SEED_KEY_NAME);
    const revokedKeys = await revokeEarlierSeedKeys(apiKeyService, tenant.id, key.id);
    seeded.push({ ...tenant, created, users, apiKey: key.apiKey, revokedKeys });
  }
  return seeded;
}

async function revokeEarlierSeedKeys(
  apiKeyService: ReturnType<typeof createApiKeyService>,
  tenantId: string,
  keepId: string,
): Promise<number> {
  const earlier: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await apiKeyService.list(tenantId, { limit: 100, cursor });
    for (const key of page.data) {
      if (key.name === SEED_KEY_NAME && key.id !== keepId) earlier.push(key.id);
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  for (const id of earlier) await apiKeyService.revoke(tenantId, id);
  return earlier.length;
}
