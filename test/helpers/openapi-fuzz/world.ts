/**
 * The data a generated request names: two tenants, each with users and keys, made through the API
 * itself. It turns a request spec into a real Request, and a spec into a curl line for a report.
 * Entity tags come from the API too: a GET of the resource, or the answer that created it.
 */
import { ADMIN_TOKEN, call, type TestApp } from "../http";
import type { Operation } from "./document";
import type { Credentials, PathValue, RequestSpec, TagValue } from "./requests";

const PASSWORD = "fuzz password 1";

interface FixtureUser {
  id: string;
  email: string;
}

interface FixtureTenant {
  id: string;
  key: string;
  users: FixtureUser[];
  keys: string[];
}

/** The collection a path parameter names: the segment before it (`/users/{id}` -> users). */
const collectionOf = (path: string, parameter: string) => {
  const segments = path.split("/");
  return segments[segments.indexOf(`{${parameter}}`) - 1] ?? "";
};

export interface BuiltRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Uint8Array | undefined;
}

export class World {
  private readonly tenants: FixtureTenant[] = [];
  private readonly cursors = new Map<string, string | null>();
  /** The ETag each resource was created with, by its path. */
  private readonly createdTags = new Map<string, string>();
  private created = 0;

  constructor(
    private readonly app: TestApp,
    private readonly label: string,
  ) {}

  private async create(path: string, body: Record<string, unknown>) {
    const response = await call(this.app, "POST", path, { body });
    if (response.status !== 201) {
      throw new Error(`fixture POST ${path}: ${response.status} ${JSON.stringify(response.body)}`);
    }
    const created = response.body as { id: string; apiKey?: string };
    const etag = response.headers.get("etag");
    if (etag !== null) this.createdTags.set(`${path}/${created.id}`, etag);
    return created;
  }

  private unique(prefix: string): string {
    this.created++;
    return `${prefix}-${this.label}-${this.created}`;
  }

  async setUp(): Promise<void> {
    for (let index = 0; index < 2; index++) {
      const slug = this.unique("fixture");
      const tenant = await this.create("/tenants", { name: slug, slug });
      const fixture: FixtureTenant = {
        id: tenant.id,
        key: tenant.apiKey ?? "",
        users: [],
        keys: [],
      };
      for (let user = 0; user < 3; user++) {
        const email = `${this.unique("user")}@example.com`;
        const created = await this.create(`/tenants/${tenant.id}/users`, {
          email,
          name: "Fixture",
          password: PASSWORD,
        });
        fixture.users.push({ id: created.id, email });
      }
      for (let key = 0; key < 2; key++) {
        fixture.keys.push((await this.create(`/tenants/${tenant.id}/api-keys`, {})).id);
      }
      this.tenants.push(fixture);
    }
  }

  private tenantAt(pick: number): FixtureTenant {
    const tenant = this.tenants[pick % this.tenants.length];
    if (tenant === undefined) throw new Error("the world is not set up");
    return tenant;
  }

  /** Something made to be deleted by a valid DELETE, in the collection the parameter names. */
  private async disposable(collection: string, tenant: FixtureTenant): Promise<string> {
    switch (collection) {
      case "tenants": {
        const slug = this.unique("disposable");
        return (await this.create("/tenants", { name: slug, slug })).id;
      }
      case "users":
        return (
          await this.create(`/tenants/${tenant.id}/users`, {
            email: `${this.unique("disposable")}@example.com`,
            name: "Disposable",
            password: PASSWORD,
          })
        ).id;
      case "api-keys":
        return (await this.create(`/tenants/${tenant.id}/api-keys`, {})).id;
      default:
        throw new Error(`no fixture for the collection ${collection}`);
    }
  }

  private async pathValue(
    path: string,
    name: string,
    value: PathValue,
    tenant: FixtureTenant,
  ): Promise<string> {
    if (value.kind === "raw") return value.text;
    const collection = collectionOf(path, name);
    if (value.kind === "disposable") return this.disposable(collection, tenant);
    const pool =
      collection === "tenants"
        ? this.tenants.map(({ id }) => id)
        : collection === "users"
          ? tenant.users.map(({ id }) => id)
          : tenant.keys;
    return pool[value.pick % pool.length] ?? "";
  }

  /** The nextCursor of a first page of one row: a cursor the server made, for a valid request. */
  private async cursorFor(path: string): Promise<string | null> {
    if (!this.cursors.has(path)) {
      const page = await call(this.app, "GET", `${path}?limit=1`);
      this.cursors.set(path, (page.body as { nextCursor?: string | null }).nextCursor ?? null);
    }
    return this.cursors.get(path) ?? null;
  }

  /**
   * The current ETag of the resource at `path`: from a GET where the resource has one, else the
   * one it was created with (an API key changes no tag after its creation).
   */
  private async currentTag(path: string): Promise<string> {
    const read = await call(this.app, "GET", path);
    const tag = read.status === 200 ? read.headers.get("etag") : this.createdTags.get(path);
    return tag ?? '"no-such-resource"';
  }

  private async tagHeader(path: string, value: TagValue): Promise<string> {
    switch (value.kind) {
      case "any":
        return "*";
      case "raw":
        return value.text;
      case "current":
        return this.currentTag(path);
      case "weak-current":
        return `W/${await this.currentTag(path)}`;
      case "listed":
        return `"fuzz-other", ${await this.currentTag(path)}`;
      case "not-current":
        return `${(await this.currentTag(path)).slice(0, -1)}x"`;
    }
  }

  private authorization(credentials: Credentials, tenant: FixtureTenant): string | undefined {
    switch (credentials.kind) {
      case "valid":
        return `Bearer ${credentials.tenantKey ? tenant.key : ADMIN_TOKEN}`;
      case "none":
        return undefined;
      case "header":
        return credentials.value;
      case "other-tenant":
        return `Bearer ${this.tenants.find(({ id }) => id !== tenant.id)?.key}`;
      case "tenant-on-admin-route":
        return `Bearer ${tenant.key}`;
    }
  }

  async build(spec: RequestSpec, operation: Operation): Promise<BuiltRequest> {
    const tenantPick = spec.path.tenantId?.kind === "known" ? spec.path.tenantId.pick : 0;
    const tenant = this.tenantAt(tenantPick);
    let path = operation.path;
    for (const [name, value] of Object.entries(spec.path)) {
      path = path.replace(`{${name}}`, await this.pathValue(operation.path, name, value, tenant));
    }
    const query = [...spec.query];
    if (spec.realCursor) {
      const cursor = await this.cursorFor(path);
      if (cursor !== null) query.push(["cursor", encodeURIComponent(cursor)]);
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of spec.headers) headers[name] = await this.tagHeader(path, value);
    const authorization = this.authorization(spec.credentials, tenant);
    if (authorization !== undefined) headers.authorization = authorization;
    if (spec.contentType !== null && spec.body !== undefined) {
      headers["content-type"] = spec.contentType;
    }
    let text = spec.body?.text;
    if (
      spec.knownCredentials &&
      spec.category === "valid" &&
      path.endsWith("/credentials/verify")
    ) {
      text = JSON.stringify({ email: tenant.users[0]?.email, password: PASSWORD });
    }
    const body =
      text === undefined
        ? undefined
        : spec.body?.encoding === "latin1"
          ? Uint8Array.from(text, (character) => character.charCodeAt(0) & 0xff)
          : new TextEncoder().encode(text);
    const search = query.map(([name, value]) => `${name}=${value}`).join("&");
    return {
      method: spec.method,
      url: `http://localhost${path}${search ? `?${search}` : ""}`,
      headers,
      body,
    };
  }
}

/** Bytes as a bash $'...' string: printable ASCII as is, everything else as \xHH. */
function shellBytes(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) {
    const character = String.fromCharCode(byte);
    out +=
      byte >= 0x20 && byte < 0x7f && character !== "'" && character !== "\\"
        ? character
        : `\\x${byte.toString(16).padStart(2, "0")}`;
  }
  return `$'${out}'`;
}

/** The request as a curl command against `npm start`, secrets replaced by variables. */
export function curlOf(request: BuiltRequest): string {
  const parts = [
    `curl -i -X ${request.method} '${request.url.replace("http://localhost", "http://localhost:3000")}'`,
  ];
  for (const [name, value] of Object.entries(request.headers)) {
    const shown =
      name === "authorization"
        ? value.replace(ADMIN_TOKEN, "$ADMIN").replace(/tak_[A-Za-z0-9_-]+/, "$KEY")
        : value;
    parts.push(`-H "${name}: ${shown.replaceAll('"', '\\"')}"`);
  }
  if (request.body !== undefined) parts.push(`--data-binary ${shellBytes(request.body)}`);
  return parts.join(" ");
}
