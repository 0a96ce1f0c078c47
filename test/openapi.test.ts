import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import SwaggerParser from "@apidevtools/swagger-parser";
import { createTestDatabase, type TestDatabase } from "./helpers/databases";
import { buildApp, call, type TestApp } from "./helpers/http";

const ROUTES = [
  ["get", "/health"],
  ["get", "/ready"],
  ["post", "/tenants"],
  ["get", "/tenants"],
  ["get", "/tenants/{tenantId}"],
  ["patch", "/tenants/{tenantId}"],
  ["delete", "/tenants/{tenantId}"],
  ["post", "/tenants/{tenantId}/users"],
  ["get", "/tenants/{tenantId}/users"],
  ["get", "/tenants/{tenantId}/users/{id}"],
  ["patch", "/tenants/{tenantId}/users/{id}"],
  ["delete", "/tenants/{tenantId}/users/{id}"],
  ["post", "/tenants/{tenantId}/api-keys"],
  ["get", "/tenants/{tenantId}/api-keys"],
  ["delete", "/tenants/{tenantId}/api-keys/{keyId}"],
  ["post", "/tenants/{tenantId}/credentials/verify"],
] as const;

describe("OpenAPI document", () => {
  let testDb: TestDatabase;
  let app: TestApp;
  beforeAll(async () => {
    testDb = await createTestDatabase("sqlite");
    app = buildApp(testDb.db);
  });
  afterAll(() => testDb.drop());

  test("/swagger/json is a valid OpenAPI 3 document", async () => {
    const response = await call(app, "GET", "/swagger/json");
    expect(response.status).toBe(200);
    expect(response.body.openapi).toStartWith("3.");
    await SwaggerParser.validate(structuredClone(response.body));
  });

  test("lists every route with its request and response schemas", async () => {
    const { body: document } = await call(app, "GET", "/swagger/json");
    const listed = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item as object).map((method) => `${method} ${path}`),
    );
    expect(listed.sort()).toEqual(ROUTES.map(([method, path]) => `${method} ${path}`).sort());
    for (const [method, path] of ROUTES) {
      const operation = document.paths[path][method];
      expect(operation.summary).toEqual(expect.any(String));
      expect(Object.keys(operation.responses).length).toBeGreaterThan(0);
      if (method === "post" || method === "patch") {
        expect(operation.requestBody.content["application/json"].schema).toBeDefined();
      }
    }
    const createUser = document.paths["/tenants/{tenantId}/users"].post;
    const userSchema = createUser.responses["201"].content["application/json"].schema;
    expect(Object.keys(userSchema.properties)).not.toContain("passwordHash");
    expect(createUser.responses["409"].content["application/problem+json"].schema).toBeDefined();
    expect(document.paths["/tenants/{tenantId}"].delete.responses["204"].content).toBeUndefined();
  });

  test("every list's 200 describes the Link header of its next page, and no other answer does", async () => {
    const { body: document } = await call(app, "GET", "/swagger/json");
    const linked = ROUTES.filter(([method, path]) =>
      Object.values(
        document.paths[path][method].responses as Record<string, { headers?: object }>,
      ).some((response) => response.headers !== undefined && "Link" in response.headers),
    );
    expect(linked.map(([method, path]) => `${method} ${path}`)).toEqual([
      "get /tenants",
      "get /tenants/{tenantId}/users",
      "get /tenants/{tenantId}/api-keys",
    ]);
    expect(document.paths["/tenants"].get.responses["200"].headers.Link.schema).toEqual({
      type: "string",
    });
  });

  test("every create (a POST answering 201) takes Idempotency-Key, with its 409, 422 and replay header", async () => {
    const { body: document } = await call(app, "GET", "/swagger/json");
    const creates = ROUTES.filter(
      ([method, path]) => method === "post" && document.paths[path][method].responses["201"],
    );
    expect(creates.map(([, path]) => path)).toEqual([
      "/tenants",
      "/tenants/{tenantId}/users",
      "/tenants/{tenantId}/api-keys",
    ]);
    for (const [method, path] of creates) {
      const operation = document.paths[path][method];
      const header = operation.parameters.find(
        (parameter: { name: string }) => parameter.name === "idempotency-key",
      );
      expect(header).toMatchObject({
        name: "idempotency-key",
        required: false,
        description: expect.stringContaining("same key and body"),
        schema: { type: "string", minLength: 1, maxLength: 255 },
      });
      expect(operation.responses["201"].headers["Idempotent-Replayed"].schema).toEqual({
        type: "string",
        enum: ["true"],
      });
      expect(operation.responses["400"]).toBeDefined();
      expect(operation.responses["409"].description).toContain("/problems/idempotency-key-in-use");
      expect(operation.responses["422"].description).toContain("/problems/idempotency-key-reused");
    }
    // Nothing else takes the header: a PATCH or DELETE is idempotent by itself.
    const others = ROUTES.filter(
      ([method, path]) => !creates.some(([m, p]) => m === method && p === path),
    );
    for (const [method, path] of others) {
      const parameters: { name: string }[] = document.paths[path][method].parameters ?? [];
      expect(parameters.map((parameter) => parameter.name)).not.toContain("idempotency-key");
    }
  });

  test("conditional requests: ETag, If-None-Match and 304 on single reads, If-Match, 412 and 428 on changes", async () => {
    const { body: document } = await call(app, "GET", "/swagger/json");
    const operations = ROUTES.map(([method, path]) => ({
      name: `${method} ${path}`,
      operation: document.paths[path][method] as {
        parameters?: { in: string; name: string; required: boolean }[];
        responses: Record<string, { headers?: Record<string, unknown>; description: string }>;
      },
    }));
    const withHeader = (name: string) =>
      operations
        .filter(({ operation }) =>
          (operation.parameters ?? []).some(
            (parameter) => parameter.in === "header" && parameter.name === name,
          ),
        )
        .map(({ name: operation }) => operation);
    const answering = (status: string) =>
      operations
        .filter(({ operation }) => operation.responses[status] !== undefined)
        .map(({ name }) => name);
    const tagged = operations.flatMap(({ name, operation }) =>
      Object.entries(operation.responses)
        .filter(([, response]) => response.headers?.ETag !== undefined)
        .map(([status]) => `${name} ${status}`),
    );

    const reads = ["get /tenants/{tenantId}", "get /tenants/{tenantId}/users/{id}"];
    const changes = [
      "patch /tenants/{tenantId}",
      "delete /tenants/{tenantId}",
      "patch /tenants/{tenantId}/users/{id}",
      "delete /tenants/{tenantId}/users/{id}",
      "delete /tenants/{tenantId}/api-keys/{keyId}",
    ];
    expect(withHeader("If-None-Match")).toEqual(reads);
    expect(answering("304")).toEqual(reads);
    expect(withHeader("If-Match")).toEqual(changes);
    expect(answering("412")).toEqual(changes);
    expect(answering("428")).toEqual(changes);
    expect(tagged.sort()).toEqual(
      [
        "post /tenants 201",
        "get /tenants/{tenantId} 200",
        "get /tenants/{tenantId} 304",
        "patch /tenants/{tenantId} 200",
        "post /tenants/{tenantId}/users 201",
        "get /tenants/{tenantId}/users/{id} 200",
        "get /tenants/{tenantId}/users/{id} 304",
        "patch /tenants/{tenantId}/users/{id} 200",
        "post /tenants/{tenantId}/api-keys 201",
      ].sort(),
    );

    const getUser = document.paths["/tenants/{tenantId}/users/{id}"].get;
    expect(getUser.responses["304"].content).toBeUndefined();
    expect(getUser.responses["304"].description).toContain("If-None-Match");
    expect(getUser.responses["200"].headers.ETag.schema).toEqual({ type: "string" });
    const patchUser = document.paths["/tenants/{tenantId}/users/{id}"].patch;
    expect(patchUser.parameters).toContainEqual(
      expect.objectContaining({ in: "header", name: "If-Match", required: false }),
    );
    for (const status of ["412", "428"]) {
      expect(patchUser.responses[status].content["application/problem+json"].schema).toBeDefined();
    }
    expect(patchUser.responses["428"].description).toContain("REQUIRE_IF_MATCH");
  });

  test("every route but the probes needs the bearer token", async () => {
    const { body: document } = await call(app, "GET", "/swagger/json");
    expect(document.components.securitySchemes.bearer).toMatchObject({
      type: "http",
      scheme: "bearer",
    });
    expect(document.security).toEqual([{ bearer: [] }]);
    expect(document.paths["/health"].get.security).toEqual([]);
    expect(document.paths["/ready"].get.security).toEqual([]);
    expect(document.paths["/tenants"].post.security).toBeUndefined();
    expect(document.paths["/tenants"].post.responses["401"]).toBeDefined();
  });

  test("/swagger serves the documentation page", async () => {
    const response = await call(app, "GET", "/swagger");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toStartWith("text/html");
    expect(response.body).toContain("swagger/json");
  });

  test("/swagger loads Swagger UI from this server, never from a CDN", async () => {
    const { body: page } = await call(app, "GET", "/swagger");
    expect(page).not.toMatch(/https?:\/\//);
    const assets = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]);
    expect(assets.map((path) => path.split("/").pop()).sort()).toEqual([
      "swagger-ui-bundle.js",
      "swagger-ui.css",
    ]);
    for (const path of assets) {
      expect(path).toStartWith("/swagger/assets/");
      const response = await call(app, "GET", path, { token: null });
      expect(response.status).toBe(200);
      expect(response.headers.get("cache-control")).toContain("max-age=");
      const name = path.split("/").pop() ?? "";
      const installed = readFileSync(require.resolve(`swagger-ui-dist/${name}`), "utf8");
      expect(response.body === installed).toBe(true);
      expect(response.headers.get("content-type")).toBe(
        name.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8",
      );
    }
  });
});
