/**
 * Swagger UI in a real browser with no internet: every request to another host is aborted, and
 * the page must still list every operation of the document. Needs Chromium (/usr/bin/chromium,
 * or CHROMIUM_PATH): skipped with a warning without it, a failure when CI=true.
 *
 * The screenshot goes to .test-results/swagger.png; UPDATE_SCREENSHOT=1 writes docs/swagger.png,
 * the one the README shows, instead.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Browser } from "playwright-core";
import { browserTestRuns, launchChromium } from "../helpers/chromium";
import { REPO_ROOT } from "../helpers/project";
import { LISTENING, start, watch } from "../helpers/server";

const SCREENSHOT = join(
  REPO_ROOT,
  process.env.UPDATE_SCREENSHOT === "1" ? "docs/swagger.png" : ".test-results/swagger.png",
);

describe.skipIf(!browserTestRuns("the Swagger UI browser test"))(
  "Swagger UI in a browser, offline",
  () => {
    const folder = mkdtempSync(join(tmpdir(), "tenant-api-docs-"));
    let server: ReturnType<typeof start>;
    let url: string;
    let browser: Browser;

    beforeAll(async () => {
      server = start(folder, {
        DATABASE_URL: `file:${join(folder, "docs.db")}`,
        ADMIN_TOKEN: "docs-browser-admin-token-0123456789abcdef",
      });
      url = await watch(server.stdout).waitFor(LISTENING);
      browser = await launchChromium();
    }, 30_000);

    afterAll(async () => {
      await browser?.close();
      server?.kill("SIGTERM");
      await server?.exited;
      rmSync(folder, { recursive: true, force: true });
    });

    test("lists every operation of the document with no request leaving 127.0.0.1", async () => {
      const document = (await (await fetch(`${url}/swagger/json`)).json()) as {
        paths: Record<string, object>;
      };
      const expected = Object.entries(document.paths)
        .flatMap(([path, item]) =>
          Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
        )
        .sort();

      const page = await browser.newPage({
        viewport: { width: 1280, height: 900 },
        colorScheme: "light",
      });
      const elsewhere: string[] = [];
      const scriptErrors: string[] = [];
      page.on("pageerror", (error) => scriptErrors.push(error.message));
      await page.route("**/*", (route) => {
        const requested = new URL(route.request().url());
        if (requested.hostname === "127.0.0.1") return route.continue();
        elsewhere.push(requested.href);
        return route.abort("blockedbyclient");
      });

      await page.goto(`${url}/swagger`);
      const operations = page.locator(".opblock-summary");
      await operations
        .nth(expected.length - 1)
        .waitFor({ state: "visible", timeout: 15_000 })
        .catch((error: Error) => {
          throw new Error(
            `Swagger UI did not list the operations (blocked: ${elsewhere.join(", ") || "none"}; script errors: ${scriptErrors.join(", ") || "none"}): ${error.message}`,
          );
        });
      const listed = await operations.evaluateAll((summaries) =>
        summaries.map((summary) => {
          const method = summary.querySelector(".opblock-summary-method")?.textContent;
          const path = summary.querySelector(".opblock-summary-path")?.getAttribute("data-path");
          return `${method} ${path}`;
        }),
      );
      expect(listed.sort()).toEqual(expected);
      expect(expected).toContain("POST /tenants");
      await expect(page.locator(".info .title").textContent()).resolves.toContain("tenant-api");
      expect(await operations.first().isVisible()).toBe(true);

      mkdirSync(dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT });
      expect(elsewhere).toEqual([]);
      expect(scriptErrors).toEqual([]);
    }, 30_000);
  },
);
