/**
 * Fails when any secret a test run sent (tokens, API keys, passwords) appears in the logs of that
 * run.   bun scripts/check-log-secrets.ts <log file> <secrets file>
 */
import { readFileSync } from "node:fs";

const [logFile, secretsFile] = process.argv.slice(2);
if (!logFile || !secretsFile) {
  console.error("usage: bun scripts/check-log-secrets.ts <log file> <secrets file>");
  process.exit(2);
}
const log = readFileSync(logFile, "utf8");
const secrets = [
  ...new Set(
    readFileSync(secretsFile, "utf8")
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as string),
  ),
];
const lines = log.split("\n").filter((line) => line !== "").length;
const leaked = secrets.filter((secret) => log.includes(secret));
console.log(`${lines} log lines checked for ${secrets.length} secrets: ${leaked.length} found`);
if (lines === 0 || secrets.length === 0) {
  console.error("nothing to check: the test run wrote no log lines or used no secrets");
  process.exit(1);
}
for (const secret of leaked) console.error(`leaked: ${secret.slice(0, 12)}…`);
process.exit(leaked.length === 0 ? 0 : 1);
