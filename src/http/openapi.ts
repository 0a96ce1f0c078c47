import { openapi } from "@elysiajs/openapi";
import { Elysia } from "elysia";
import { assetUrl, docsAssets } from "./docs-assets";
import { restoreStringFormats } from "./formats";
import { PROBLEM_CONTENT_TYPE } from "./problem";

// Importing @elysiajs/openapi replaced TypeBox's string formats: put them back (see formats.ts).
restoreStringFormats();

const DOCS_PATH = "/swagger";
const SPEC_PATH = "/swagger/json";

interface ResponseObject {
  content?: Record<string, unknown>;
}
interface OperationObject {
  responses?: Record<string, ResponseObject>;
}
interface OpenApiDocument {
  paths?: Record<string, Record<string, OperationObject>>;
}

/**
 * Corrects what @elysiajs/openapi writes: a bodiless response (204) gets a `content` of
 * `{type, description}`, which fails validation, and error bodies are problem+json, not JSON.
 * Idempotent, because the plugin caches the document it hands out.
 */
function correctDocument(document: OpenApiDocument): void {
  for (const pathItem of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(pathItem)) {
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        const { content } = response;
        if (content === undefined) continue;
        if (!Object.keys(content).some((mediaType) => mediaType.includes("/"))) {
          delete response.content;
          continue;
        }
        const json = content["application/json"];
        if (Number(status) >= 400 && json !== undefined) {
          response.content = { [PROBLEM_CONTENT_TYPE]: json };
        }
      }
    }
  }
}

/** The OpenAPI document at /swagger/json and Swagger UI at /swagger, with its assets served here. */
export function apiDocs(info: { title: string; version: string; description: string }) {
  return (
    new Elysia({ name: "api-docs" })
      // Local, before the plugin: it wraps the plugin's document route and no route of the API
      // (a global after-handle hook costs every request of the app).
      .onAfterHandle(({ path, response }) => {
        if (path === SPEC_PATH && typeof response === "object" && response !== null) {
          correctDocument(response as OpenApiDocument);
        }
      })
      .use(docsAssets())
      .use(
        openapi({
          path: DOCS_PATH,
          specPath: SPEC_PATH,
          provider: "swagger-ui",
          swagger: {
            cdn: assetUrl("swagger-ui-bundle.js"),
            theme: assetUrl("swagger-ui.css"),
            // No badge that sends the document to validator.swagger.io.
            validatorUrl: "none",
          },
          documentation: {
            info,
            components: {
              securitySchemes: {
                bearer: {
                  type: "http",
                  scheme: "bearer",
                  description: "The admin token (ADMIN_TOKEN), or a tenant's API key (tak_…)",
                },
              },
            },
            security: [{ bearer: [] }],
            tags: [
              { name: "Tenants", description: "Isolated customers of the API" },
              { name: "Users", description: "Users inside a tenant" },
              { name: "API keys", description: "A tenant's keys: tak_<key id>_<secret>" },
              { name: "Operations", description: "Liveness and readiness probes" },
            ],
          },
        }),
      )
  );
}
