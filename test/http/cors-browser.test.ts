/**
 * CORS in a real browser: a page served from another origin calls the API with fetch and a
 * bearer token (so the browser sends a preflight first). A page from a listed origin reads the
 * answer and its exposed headers, and changes what it read with If-Match; a page from an origin
 * not listed is refused by the browser.
 * Needs Chromium, as test/http/docs-browser.test.ts does.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Server } from "bun";
import type { Browser } from "playwright-core";
import { browserTestRuns, launchChromium } from "../helpers/chromium";
import { LISTENING, start, watch } from "../helpers/server";

const ADMIN = "cors-browser-admin-token-0123456789abcdef";

/** A page with nothing on it, served from its own origin. */
const servePage = () =>
  Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: () =>
      new Response("<!doctype html><title>page</title>", {
        headers: { "content-type": "text/html" },
      }),
  });

describe.skipIf(!browserTestRuns("the CORS browser test"))("CORS in a browser", () => {
  const folder = mkdtempSync(join(tmpdir(), "tenant-api-cors-"));
  let listed: Server<unknown>;
  let unlisted: Server<unknown>;
  let server: ReturnType<typeof start>;
  let api: string;
  let browser: Browser;

  beforeAll(async () => {
    listed = servePage();
    unlisted = servePage();
    server = start(folder, {
      DATABASE_URL: `file:${join(folder, "cors.db")}`,
      ADMIN_TOKEN: ADMIN,
      CORS_ORIGINS: `http://127.0.0.1:${listed.port}`,
    });
    api = await watch(server.stdout).waitFor(LISTENING);
    browser = await launchChromium();
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    server?.kill("SIGTERM");
    await server?.exited;
    listed?.stop(true);
    unlisted?.stop(true);
    rmSync(folder, { recursive: true, force: true });
  });

  /** What a page of `origin` gets from fetch: the answer, or the browser's error. */
  async function fetchFrom(origin: string) {
    const page = await browser.newPage();
    try {
      await page.goto(origin);
      return await page.evaluate(
        async ({ url, token }) => {
          try {
            const response = await fetch(url, {
              method: "POST",
              headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
              body: JSON.stringify({ name: "From a page", slug: `page-${Date.now()}` }),
            });
            return {
              status: response.status,
              location: response.headers.get("location"),
              requestId: response.headers.get("x-request-id"),
              body: (await response.json()) as { id?: string },
            };
          } catch (error) {
            return { refused: String(error) };
          }
        },
        { url: `${api}/tenants`, token: ADMIN },
      );
    } finally {
      await page.close();
    }
  }

  test("a page of a listed origin creates a tenant and reads the answer and its headers", async () => {
    const answer = await fetchFrom(`http://127.0.0.1:${listed.port}/`);
    if ("refused" in answer) throw new Error(`the browser refused: ${answer.refused}`);
    expect(answer.status).toBe(201);
    expect(answer.location).toBe(`/tenants/${answer.body.id}`);
    expect(answer.requestId).toMatch(/^[0-9a-f-]{36}$/);
  }, 30_000);

  test("a page of a listed origin reads the ETag and changes the tenant with If-Match: 200, then 412 for the stale tag", async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`http://127.0.0.1:${listed.port}/`);
      const answers = await page.evaluate(
        async ({ url, token }) => {
          const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
          const created = await fetch(`${url}/tenants`, {
            method: "POST",
            headers,
            body: JSON.stringify({ name: "Tagged page", slug: `tagged-${Date.now()}` }),
          });
          const { id } = (await created.json()) as { id: string };
          const etag = created.headers.get("etag") ?? "";
          const patch = (name: string) =>
            fetch(`${url}/tenants/${id}`, {
              method: "PATCH",
              headers: { ...headers, "if-match": etag },
              body: JSON.stringify({ name }),
            });
          const changed = await patch("Changed from a page");
          const stale = await patch("Lost update");
          return {
            etag,
            changed: { status: changed.status, etag: changed.headers.get("etag") },
            stale: { status: stale.status, body: (await stale.json()) as { type?: string } },
          };
        },
        { url: api, token: ADMIN },
      );
      expect(answers.etag).toMatch(/^"[^"]+"$/);
      expect(answers.changed.status).toBe(200);
      expect(answers.changed.etag).toMatch(/^"[^"]+"$/);
      expect(answers.changed.etag).not.toBe(answers.etag);
      expect(answers.stale.status).toBe(412);
      expect(answers.stale.body.type).toBe("/problems/precondition-failed");
    } finally {
      await page.close();
    }
  }, 30_000);

  test("a page of an origin not listed is refused by the browser", async () => {
    const answer = await fetchFrom(`http://127.0.0.1:${unlisted.port}/`);
    expect(answer).toEqual({ refused: "TypeError: Failed to fetch" });
  }, 30_000);
});
