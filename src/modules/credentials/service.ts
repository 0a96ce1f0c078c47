import { and, asc, count, eq, gte, lt } from "drizzle-orm";
import type { AppDatabase } from "../../db/client";
import { ProblemError } from "../../http/problem";
import type { PasswordHasher } from "../../lib/password";
import { visibleUserColumns } from "../users/service";

export type CredentialService = ReturnType<typeof createCredentialService>;

export const MAX_FAILURES = 10;
const FAILURE_WINDOW_MS = 60_000;

const invalid = () => new ProblemError("unauthorized", "Invalid email or password");

/** How a check ended, for the metrics: 200, 401 or 429. */
export type CredentialOutcome = "ok" | "invalid" | "limited";

export function createCredentialService(
  db: AppDatabase,
  passwords: PasswordHasher,
  counted: (outcome: CredentialOutcome) => void = () => {},
) {
  const { orm } = db;
  const { users, credentialFailures: failures } = db.tables;
  // Verified when the email is unknown, so that both answers take as long as a real check.
  let dummyHash: Promise<string> | undefined;
  const userColumns = visibleUserColumns(users);

  async function refuseWhenLimited(tenantId: string, email: string, now: Date): Promise<void> {
    const since = new Date(now.getTime() - FAILURE_WINDOW_MS);
    const recent = and(
      eq(failures.tenantId, tenantId),
      eq(failures.email, email),
      gte(failures.failedAt, since),
    );
    const [row] = await orm.select({ failures: count() }).from(failures).where(recent);
    if ((row?.failures ?? 0) < MAX_FAILURES) return;
    counted("limited");
    // The window frees up when the oldest failure inside it grows older than the window.
    const [oldest] = await orm
      .select({ at: failures.failedAt })
      .from(failures)
      .where(recent)
      .orderBy(asc(failures.failedAt))
      .limit(1);
    const waitMs = (oldest?.at.getTime() ?? now.getTime()) + FAILURE_WINDOW_MS - now.getTime();
    throw new ProblemError(
      "too_many_requests",
      `Too many failed attempts for this email; retry later`,
      undefined,
      { "retry-after": String(Math.max(1, Math.ceil(waitMs / 1000))) },
    );
  }

  async function recordFailure(tenantId: string, email: string, now: Date): Promise<void> {
    await orm.insert(failures).values({ tenantId, email, failedAt: now });
    // Old rows serve no window any more.
    await orm
      .delete(failures)
      .where(
        and(
          eq(failures.tenantId, tenantId),
          eq(failures.email, email),
          lt(failures.failedAt, new Date(now.getTime() - FAILURE_WINDOW_MS)),
        ),
      );
  }

  return {
    /** The active user these credentials belong to; 401 otherwise, 429 after repeated failures. */
    async verify(tenantId: string, rawEmail: string, password: string) {
      const email = rawEmail.toLowerCase();
      const now = new Date();
      await refuseWhenLimited(tenantId, email, now);
      const [user] = await orm
        .select({ ...userColumns, passwordHash: users.passwordHash })
        .from(users)
        .where(and(eq(users.tenantId, tenantId), eq(users.email, email)));
      dummyHash ??= passwords.hash("not a password anyone has");
      const matches = await passwords.verify(password, user?.passwordHash ?? (await dummyHash));
      if (user === undefined || !matches || !user.isActive) {
        await recordFailure(tenantId, email, now);
        counted("invalid");
        throw invalid();
      }
      counted("ok");
      const { passwordHash: _, ...visible } = user;
      return visible;
    },
  };
}
