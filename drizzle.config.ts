import { defineConfig } from "drizzle-kit";
import { type Dialect, parseConfig } from "./src/config";

// drizzle-kit runs under Node, which does not read .env by itself.
try {
  process.loadEnvFile();
} catch {
  // no .env: the environment alone configures the app
}

/** The address `drizzle-kit studio` was asked to listen on (its default is 127.0.0.1). */
function studioHost(argv: string[]): string | undefined {
  if (argv[2] !== "studio") return undefined;
  let host = "127.0.0.1";
  argv.forEach((arg, index) => {
    if (arg === "--host") host = argv[index + 1] ?? host;
    else if (arg.startsWith("--host=")) host = arg.slice("--host=".length);
  });
  return host;
}

// Studio's server runs any SQL it is sent and answers any origin: on an address other machines
// reach, anyone there could read or wipe the database. `npm run db:studio` passes 127.0.0.1;
// a later --host wins, so refuse anything but loopback here, before it listens.
const host = studioHost(process.argv);
if (host !== undefined && !/^(localhost|127(\.\d{1,3}){3}|::1|\[::1\])$/i.test(host)) {
  console.error(
    `tenant-api: refusing to start Drizzle Studio on ${host}: it runs any SQL it is sent, so it ` +
      "listens on 127.0.0.1 only (from another machine, use an SSH tunnel: ssh -L 4983:127.0.0.1:4983 HOST)",
  );
  process.exit(1);
}

const { database } = parseConfig(process.env);
// `npm run db:generate` runs drizzle-kit once per dialect by setting DRIZZLE_DIALECT.
const dialect: Dialect =
  process.env.DRIZZLE_DIALECT === "postgres" || process.env.DRIZZLE_DIALECT === "sqlite"
    ? process.env.DRIZZLE_DIALECT
    : database.dialect;

export default defineConfig({
  schema: "./src/db/schema.ts",
  out: `./drizzle/${dialect}`,
  casing: undefined,
  strict: true,
  verbose: true,
  ...(dialect === "postgres"
    ? {
        dialect: "postgresql",
        dbCredentials: {
          url: database.dialect === "postgres" ? database.url : "postgres://localhost/unused",
        },
      }
    : {
        dialect: "sqlite",
        dbCredentials: { url: database.dialect === "sqlite" ? database.path : "./data/app.db" },
      }),
});
