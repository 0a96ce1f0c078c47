import { Elysia } from "elysia";
import swaggerUiPackage from "swagger-ui-dist/package.json" with { type: "json" };

// The version is part of the path, so browsers may keep a file for good: an upgrade of
// swagger-ui-dist changes every URL.
const ASSETS_PATH = `/swagger/assets/${swaggerUiPackage.version}`;
const CACHE_CONTROL = "public, max-age=31536000, immutable";

// Imported on the first request for them: held in memory, the two files cost a process about
// 10 MB of resident memory, and most processes never serve the docs page.
const ASSETS = {
  "swagger-ui-bundle.js": {
    load: () => import("swagger-ui-dist/swagger-ui-bundle.js", { with: { type: "text" } }),
    type: "text/javascript; charset=utf-8",
  },
  "swagger-ui.css": {
    load: () => import("swagger-ui-dist/swagger-ui.css", { with: { type: "text" } }),
    type: "text/css; charset=utf-8",
  },
} as const;

type AssetName = keyof typeof ASSETS;

/** Where the page finds an asset. */
export const assetUrl = (name: AssetName) => `${ASSETS_PATH}/${name}`;

/**
 * Swagger UI's script and stylesheet from the installed swagger-ui-dist, instead of the CDN the
 * OpenAPI plugin points at: the docs page works offline and behind a strict firewall.
 */
export function docsAssets() {
  const app = new Elysia({ name: "docs-assets" });
  for (const [name, { load, type }] of Object.entries(ASSETS)) {
    app.get(
      `${ASSETS_PATH}/${name}`,
      async () =>
        new Response((await load()).default, {
          headers: { "content-type": type, "cache-control": CACHE_CONTROL },
        }),
      { detail: { hide: true } },
    );
  }
  return app;
}
