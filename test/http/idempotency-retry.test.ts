import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Database } from "../../src/db/client";
import { TAKEOVER_AFTER_MS } from "../../src/modules/idempotency/store";
import { describeEachDialect } from "../helpers/databases";
import { LISTENING, start, watch } from "../helpers/server";

/**
 * Over real HTTP, against the server entry: a client sends a create, drops the connection before
 * reading the answer, and retries with the same Idempotency-Key, once or 32 times at once.
 */

const ADMIN_TOKEN = "idempotency-retry-admin-token-0123456789abcdef";

async function tenantIds(db: Database, slug: string): Promise<string[]> {
  if (db.dialect === "postgres") {
    return (await db.sql<{ id: string }[]>`select id from tenants where slug = ${slug}`).map(
      (row) => row.id,
    );
  }
  return db.sqlite
    .query<{ id: string }, [string]>("select id from tenants where slug = ?")
    .all(slug)
    .map((row) => row.id);
}

async function count(db: Database, statement: string): Promise<number> {
  if (db.dialect === "postgres") {
    const [row] = await db.sql.unsafe<{ n: string }[]>(statement);
    return Number(row?.n);
  }
  return db.sqlite.query<{ n: number }, []>(statement).get()?.n ?? -1;
}

describeEachDialect("a create whose answer was lost, retried over HTTP", (database) => {
  let folder: string;
  let server: ReturnType<typeof start>;
  let url: URL;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), "tenant-api-retry-"));
    server = start(folder, { ADMIN_TOKEN, DATABASE_URL: database().url });
    url = new URL(await watch(server.stdout).waitFor(LISTENING));
  });
  afterAll(async () => {
    server?.kill("SIGTERM");
    await server?.exited;
    if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
  });

  const send = (body: object, key: string) =>
    fetch(new URL("/tenants", url), {
      method: "POST",
      headers: {
        authorization: `Bearer ${ADMIN_TOKEN}`,
        "content-type": "application/json",
        "idempotency-key": key,
      },
      body: JSON.stringify(body),
    });

  /** Writes the whole request on a socket of its own, then closes it without reading a byte. */
  async function sendAndHangUp(body: object, key: string): Promise<void> {
    const text = JSON.stringify(body);
    const request =
      `POST /tenants HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\n` +
      `Content-Type: application/json\r\nIdempotency-Key: ${key}\r\n` +
      `Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`;
    let received = 0;
    const socket = await Bun.connect({
      hostname: url.hostname,
      port: Number(url.port),
      socket: {
        data: (_socket, chunk) => {
          received += chunk.byteLength;
        },
      },
    });
    socket.write(request);
    socket.end();
    expect(received).toBe(0);
  }

  /** Retries while the first request is still running (409), as a client does. */
  async function retryUntilAnswered(body: object, key: string): Promise<Response> {
    for (let attempt = 0; attempt < 100; attempt++) {
      const response = await send(body, key);
      if (response.status !== 409) return response;
      expect(response.headers.get("retry-after")).toBe("1");
      await response.arrayBuffer();
      await Bun.sleep(50);
    }
    throw new Error("still 409 after 100 retries");
  }

  test("the retry gets the lost answer: one row, the same id, an API key that works", async () => {
    const { db } = database();
    const key = crypto.randomUUID();
    const body = { name: "Lost", slug: "lost-answer" };
    await sendAndHangUp(body, key);
    // The server finishes the create although nobody reads its answer.
    for (let waited = 0; (await tenantIds(db, body.slug)).length === 0; waited += 10) {
      if (waited > 10_000) throw new Error("the dropped request never created its tenant");
      await Bun.sleep(10);
    }
    const [id] = await tenantIds(db, body.slug);

    const retry = await retryUntilAnswered(body, key);
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(retry.headers.get("location")).toBe(`/tenants/${id}`);
    const text = await retry.text();
    const answer = JSON.parse(text) as { id: string; apiKey: string };
    expect(answer.id).toBe(id as string);
    const again = await send(body, key);
    expect(await again.text()).toBe(text);
    const withKey = await fetch(new URL(`/tenants/${id}`, url), {
      headers: { authorization: `Bearer ${answer.apiKey}` },
    });
    expect(withKey.status).toBe(200);
    expect(await tenantIds(db, body.slug)).toEqual([id as string]);
  });

  test("32 retries at once after a dropped request: one row, every 201 the same, the others 409", async () => {
    const { db } = database();
    const key = crypto.randomUUID();
    const body = { name: "Stampede", slug: "lost-stampede" };
    await sendAndHangUp(body, key);
    const responses = await Promise.all(Array.from({ length: 32 }, () => send(body, key)));
    const answers = await Promise.all(
      responses.map(async (response) => ({
        status: response.status,
        replayed: response.headers.get("idempotent-replayed"),
        location: response.headers.get("location"),
        text: await response.text(),
      })),
    );
    const created = answers.filter((answer) => answer.status === 201);
    const busy = answers.filter((answer) => answer.status === 409);
    expect(created.length + busy.length).toBe(32);
    for (const answer of busy) {
      expect(JSON.parse(answer.text).type).toBe("/problems/idempotency-key-in-use");
    }
    // At most one of them ran the create (when it overtook the dropped request); the rest replay.
    expect(created.filter((answer) => answer.replayed !== "true").length).toBeLessThanOrEqual(1);
    expect(
      new Set(created.map((answer) => `${answer.location} ${answer.text}`)).size,
    ).toBeLessThanOrEqual(1);

    const final = await retryUntilAnswered(body, key);
    expect(final.status).toBe(201);
    const text = await final.text();
    if (created[0] !== undefined) expect(text).toBe(created[0].text);
    const ids = await tenantIds(db, body.slug);
    expect(ids).toEqual([(JSON.parse(text) as { id: string }).id]);
  });

  test("a server killed mid-request: the retry gets 409, then takes over and creates once", async () => {
    const { db } = database();
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" };
    const tenant = (await (
      await fetch(new URL("/tenants", url), {
        method: "POST",
        headers: admin,
        body: JSON.stringify({ name: "Crash", slug: "crash" }),
      })
    ).json()) as { id: string };
    const inProgress = "select count(*) as n from idempotency_keys where state = 'in_progress'";
    let crashedMidFlight = 0;
    // Killed while it hashes the password (after its reservation, before its write); in the rare
    // run where the write came first, the retry replays its answer, and we try again.
    for (let attempt = 0; attempt < 3 && crashedMidFlight === 0; attempt++) {
      const key = crypto.randomUUID();
      const email = `crash${attempt}@example.com`;
      const body = JSON.stringify({ email, name: "Crash", password: "correct horse battery" });
      const path = `/tenants/${tenant.id}/users`;
      const headers = { ...admin, "idempotency-key": key };
      const users = `select count(*) as n from users where email = '${email}'`;
      const victimFolder = mkdtempSync(join(tmpdir(), "tenant-api-crash-"));
      const victim = start(victimFolder, { ADMIN_TOKEN, DATABASE_URL: database().url });
      try {
        const victimUrl = await watch(victim.stdout).waitFor(LISTENING);
        const pending = fetch(`${victimUrl}${path}`, { method: "POST", headers, body }).catch(
          () => undefined,
        );
        const deadline = Date.now() + 10_000;
        while ((await count(db, inProgress)) === 0) {
          if (Date.now() > deadline) throw new Error("the request never made its reservation");
          await Bun.sleep(1);
        }
        victim.kill("SIGKILL");
        await victim.exited;
        await pending;
      } finally {
        victim.kill("SIGKILL");
        rmSync(victimFolder, { recursive: true, force: true });
      }
      const retry = () => fetch(new URL(path, url), { method: "POST", headers, body });
      if ((await count(db, inProgress)) === 0) {
        expect(await count(db, users)).toBe(1);
        expect((await retry()).headers.get("idempotent-replayed")).toBe("true");
        continue;
      }
      crashedMidFlight++;
      expect(await count(db, users)).toBe(0);
      // Another instance: the reservation is fresh, as far as it can tell.
      const early = await retry();
      expect(early.status).toBe(409);
      expect(((await early.json()) as { type: string }).type).toBe(
        "/problems/idempotency-key-in-use",
      );
      // A minute later (TAKEOVER_AFTER_MS), a retry takes the reservation over and creates.
      const minuteAgo = new Date(Date.now() - TAKEOVER_AFTER_MS - 1_000);
      const aged = db.dialect === "postgres" ? `'${minuteAgo.toISOString()}'` : minuteAgo.getTime();
      const age = `update idempotency_keys set created_at = ${aged} where state = 'in_progress'`;
      if (db.dialect === "postgres") await db.sql.unsafe(age);
      else db.sqlite.exec(age);
      const late = await retry();
      expect(late.status).toBe(201);
      expect(late.headers.get("idempotent-replayed")).toBeNull();
      const text = await late.text();
      const again = await retry();
      expect(again.headers.get("idempotent-replayed")).toBe("true");
      expect(await again.text()).toBe(text);
      expect(await count(db, users)).toBe(1);
    }
    expect(crashedMidFlight).toBe(1);
  }, 30_000);
});
