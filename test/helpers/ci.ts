/** CI=true: a test that cannot run fails instead of being skipped. */
export const IN_CI = process.env.CI === "true" || process.env.CI === "1";
