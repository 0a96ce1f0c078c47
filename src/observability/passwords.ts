import type { Tracer } from "@opentelemetry/api";
import type { PasswordHasher } from "../lib/password";
import { childSpan } from "./tracing";

/** A span around each argon2id hash and verification done for a request. */
export function tracedPasswords(passwords: PasswordHasher, tracer: Tracer): PasswordHasher {
  const traced =
    <A extends unknown[], R>(name: string, run: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const span = childSpan(tracer, name, { "password.algorithm": "argon2id" });
      try {
        return await run(...args);
      } finally {
        span?.end();
      }
    };
  return {
    hash: traced("password hash", passwords.hash),
    verify: traced("password verify", passwords.verify),
  };
}
