import { existsSync } from "node:fs";
import { chromium } from "playwright-core";
import { IN_CI } from "./ci";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * Whether a browser test runs: without Chromium it is skipped with one loud line, except under
 * CI=true, where it runs and fails in `requireChromium`.
 */
export function browserTestRuns(what: string): boolean {
  const missing = !existsSync(CHROMIUM);
  if (missing && !IN_CI) console.warn(`\n*** ${CHROMIUM} not found: ${what} is SKIPPED ***\n`);
  return !missing || IN_CI;
}

/** Headless Chromium; root in a container cannot use its sandbox. */
export function launchChromium() {
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium is required in CI and missing at ${CHROMIUM}`);
  return chromium.launch({ executablePath: CHROMIUM, chromiumSandbox: false });
}
