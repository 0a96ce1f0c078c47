import { defineConfig } from "drizzle-kit";
import { type Dialect, parseConfig } from "./src/config";

// drizzle-kit runs under Node, which does not read .env by itself.
try {
  process.loadEnvFile();
} catch {
  // no .env: the environment alone configures the app
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
