// Generated from openapi.json by openapi-typescript: do not edit. npm run openapi:types

export interface paths {
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness: the process answers */
        get: operations["getHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Readiness: the database answers (every pool of connections) and is fully migrated */
        get: operations["getReady"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/tenants": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List tenants, oldest first (admin) */
        get: operations["getTenants"];
        put?: never;
        /** Create a tenant, with its first API key (admin) */
        post: operations["postTenants"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/tenants/{tenantId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a tenant */
        get: operations["getTenantsByTenantId"];
        put?: never;
        post?: never;
        /** Delete a tenant with its users and keys (admin) */
        delete: operations["deleteTenantsByTenantId"];
        options?: never;
        head?: never;
        /** Change a tenant's name or slug */
        patch: operations["patchTenantsByTenantId"];
        trace?: never;
    };
    "/tenants/{tenantId}/api-keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the tenant's API keys, never their secrets */
        get: operations["getTenantsByTenantIdApi-keys"];
        put?: never;
        /** Issue an API key for the tenant (its secret is shown once) */
        post: operations["postTenantsByTenantIdApi-keys"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/tenants/{tenantId}/api-keys/{keyId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke an API key; it fails from the very next request */
        delete: operations["deleteTenantsByTenantIdApi-keysByKeyId"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/tenants/{tenantId}/credentials/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Check a user's email and password: 200 with the user when they match an active user */
        post: operations["postTenantsByTenantIdCredentialsVerify"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/tenants/{tenantId}/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List a tenant's users, oldest first */
        get: operations["getTenantsByTenantIdUsers"];
        put?: never;
        /** Create a user in a tenant */
        post: operations["postTenantsByTenantIdUsers"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/tenants/{tenantId}/users/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a user of a tenant */
        get: operations["getTenantsByTenantIdUsersById"];
        put?: never;
        post?: never;
        /** Delete a user */
        delete: operations["deleteTenantsByTenantIdUsersById"];
        options?: never;
        head?: never;
        /** Change a user */
        patch: operations["patchTenantsByTenantIdUsersById"];
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: never;
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Response for status 200 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        status: "ok";
                    };
                };
            };
        };
    };
    getReady: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Response for status 200 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        database: "postgres" | "sqlite";
                        /** @description Tag of the last applied migration */
                        migration: string | null;
                        /** @constant */
                        status: "ready";
                    };
                };
            };
            /** @description RFC 9457 problem details */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
        };
    };
    getTenants: {
        parameters: {
            query?: {
                limit?: number;
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Response for status 200 */
            200: {
                headers: {
                    /** @description The next page, as RFC 8288 writes it: `</tenants?limit=20&cursor=…>; rel="next"`. Absent on the last page. */
                    Link?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            /** Format: date-time */
                            createdAt: string;
                            /** Format: uuid */
                            id: string;
                            name: string;
                            slug: string;
                            /** Format: date-time */
                            updatedAt: string;
                        }[];
                        nextCursor: string | null;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
        };
    };
    postTenants: {
        parameters: {
            query?: never;
            header?: {
                /** @description Makes a retry safe: a retry with the same key and body within IDEMPOTENCY_TTL_SECONDS (24 hours by default) gets the first answer again, `Idempotent-Replayed: true`, and creates nothing. Use a new random key (a UUID) per request; keys are per caller */
                "idempotency-key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name: string;
                    /** @description Lower-case letters, digits and inner hyphens; 1..63 characters */
                    slug: string;
                };
            };
        };
        responses: {
            /** @description Response for status 201 */
            201: {
                headers: {
                    /** @description The strong entity tag of the resource as this response shows it, opaque: send it back in If-Match to change the resource only while it is unchanged, or in If-None-Match to be answered 304 while it is */
                    ETag?: string;
                    /** @description `true` on the stored answer of an earlier request with the same Idempotency-Key, sent again; absent otherwise */
                    "Idempotent-Replayed"?: "true";
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The tenant's first API key. Shown once: store it now */
                        apiKey: string;
                        /** Format: date-time */
                        createdAt: string;
                        /** Format: uuid */
                        id: string;
                        name: string;
                        slug: string;
                        /** Format: date-time */
                        updatedAt: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details: /problems/conflict, the slug is taken; /problems/idempotency-key-in-use (with Retry-After), a request with the same Idempotency-Key is in progress */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details: /problems/validation-failed, the request is invalid; /problems/idempotency-key-reused, its Idempotency-Key was sent before with another request */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
        };
    };
    getTenantsByTenantId: {
        parameters: {
            query?: never;
            header?: {
                /** @description ETags of representations the client holds (weak comparison), or `*`: when one is current the answer is 304 with no body */
                "If-None-Match"?: string;
            };
            path: {
                tenantId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Response for status 200 */
            200: {
                headers: {
                    /** @description The strong entity tag of the resource as this response shows it, opaque: send it back in If-Match to change the resource only while it is unchanged, or in If-None-Match to be answered 304 while it is */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        createdAt: string;
                        /** Format: uuid */
                        id: string;
                        name: string;
                        slug: string;
                        /** Format: date-time */
                        updatedAt: string;
                    };
                };
            };
            /** @description Not modified: If-None-Match names the current ETag. No body; the ETag header is sent */
            304: {
                headers: {
                    /** @description The strong entity tag of the resource as this response shows it, opaque: send it back in If-Match to change the resource only while it is unchanged, or in If-None-Match to be answered 304 while it is */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description RFC 9457 problem details */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
        };
    };
    deleteTenantsByTenantId: {
        parameters: {
            query?: never;
            header?: {
                /** @description ETags (strong comparison: weak tags never match), or `*` for any version: the change is made only while the resource's current ETag is one of them, else 412. Required (428 without it) when the server runs with REQUIRE_IF_MATCH=true */
                "If-Match"?: string;
            };
            path: {
                tenantId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description RFC 9457 problem details */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description Precondition failed: If-Match names no current ETag of the resource, which has changed since the tag was read */
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description Precondition required: the server runs with REQUIRE_IF_MATCH=true and If-Match is missing */
            428: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
        };
    };
    patchTenantsByTenantId: {
        parameters: {
            query?: never;
            header?: {
                /** @description ETags (strong comparison: weak tags never match), or `*` for any version: the change is made only while the resource's current ETag is one of them, else 412. Required (428 without it) when the server runs with REQUIRE_IF_MATCH=true */
                "If-Match"?: string;
            };
            path: {
                tenantId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name?: string;
                    /** @description Lower-case letters, digits and inner hyphens; 1..63 characters */
                    slug?: string;
                };
            };
        };
        responses: {
            /** @description Response for status 200 */
            200: {
                headers: {
                    /** @description The strong entity tag of the resource as this response shows it, opaque: send it back in If-Match to change the resource only while it is unchanged, or in If-None-Match to be answered 304 while it is */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        createdAt: string;
                        /** Format: uuid */
                        id: string;
                        name: string;
                        slug: string;
                        /** Format: date-time */
                        updatedAt: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description Precondition failed: If-Match names no current ETag of the resource, which has changed since the tag was read */
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description Precondition required: the server runs with REQUIRE_IF_MATCH=true and If-Match is missing */
            428: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
        };
    };
    "getTenantsByTenantIdApi-keys": {
        parameters: {
            query?: {
                limit?: number;
                cursor?: string;
            };
            header?: never;
            path: {
                tenantId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Response for status 200 */
            200: {
                headers: {
                    /** @description The next page, as RFC 8288 writes it: `</tenants?limit=20&cursor=…>; rel="next"`. Absent on the last page. */
                    Link?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            /** Format: date-time */
                            createdAt: string;
                            /** Format: uuid */
                            id: string;
                            /** Format: date-time */
                            lastUsedAt: string | null;
                            name: string | null;
                            /** @description The key's public part (tak_ and its key id), to recognise it */
                            prefix: string;
                        }[];
                        nextCursor: string | null;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
        };
    };
    "postTenantsByTenantIdApi-keys": {
        parameters: {
            query?: never;
            header?: {
                /** @description Makes a retry safe: a retry with the same key and body within IDEMPOTENCY_TTL_SECONDS (24 hours by default) gets the first answer again, `Idempotent-Replayed: true`, and creates nothing. Use a new random key (a UUID) per request; keys are per caller */
                "idempotency-key"?: string;
            };
            path: {
                tenantId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name?: string;
                };
            };
        };
        responses: {
            /** @description Response for status 201 */
            201: {
                headers: {
                    /** @description The strong entity tag of the resource as this response shows it, opaque: send it back in If-Match to change the resource only while it is unchanged, or in If-None-Match to be answered 304 while it is */
                    ETag?: string;
                    /** @description `true` on the stored answer of an earlier request with the same Idempotency-Key, sent again; absent otherwise */
                    "Idempotent-Replayed"?: "true";
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The whole key. Shown once: store it now, it cannot be read again */
                        apiKey: string;
                        /** Format: date-time */
                        createdAt: string;
                        /** Format: uuid */
                        id: string;
                        name: string | null;
                        /** @description The key's public part (tak_ and its key id), to recognise it */
                        prefix: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details: /problems/idempotency-key-in-use (with Retry-After), a request with the same Idempotency-Key is in progress */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details: /problems/validation-failed, the request is invalid; /problems/idempotency-key-reused, its Idempotency-Key was sent before with another request */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
        };
    };
    "deleteTenantsByTenantIdApi-keysByKeyId": {
        parameters: {
            query?: never;
            header?: {
                /** @description ETags (strong comparison: weak tags never match), or `*` for any version: the change is made only while the resource's current ETag is one of them, else 412. Required (428 without it) when the server runs with REQUIRE_IF_MATCH=true */
                "If-Match"?: string;
            };
            path: {
                tenantId: string;
                keyId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Revoked */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description RFC 9457 problem details */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description Precondition failed: If-Match names no current ETag of the resource, which has changed since the tag was read */
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description Precondition required: the server runs with REQUIRE_IF_MATCH=true and If-Match is missing */
            428: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
        };
    };
    postTenantsByTenantIdCredentialsVerify: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                tenantId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    email: string;
                    password: string;
                };
            };
        };
        responses: {
            /** @description Response for status 200 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        createdAt: string;
                        email: string;
                        /** Format: uuid */
                        id: string;
                        isActive: boolean;
                        name: string;
                        /** @enum {string} */
                        role: "owner" | "admin" | "member";
                        /** Format: uuid */
                        tenantId: string;
                        /** Format: date-time */
                        updatedAt: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
        };
    };
    getTenantsByTenantIdUsers: {
        parameters: {
            query?: {
                limit?: number;
                cursor?: string;
                email?: string;
            };
            header?: never;
            path: {
                tenantId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Response for status 200 */
            200: {
                headers: {
                    /** @description The next page, as RFC 8288 writes it: `</tenants?limit=20&cursor=…>; rel="next"`. Absent on the last page. */
                    Link?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            /** Format: date-time */
                            createdAt: string;
                            email: string;
                            /** Format: uuid */
                            id: string;
                            isActive: boolean;
                            name: string;
                            /** @enum {string} */
                            role: "owner" | "admin" | "member";
                            /** Format: uuid */
                            tenantId: string;
                            /** Format: date-time */
                            updatedAt: string;
                        }[];
                        nextCursor: string | null;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
        };
    };
    postTenantsByTenantIdUsers: {
        parameters: {
            query?: never;
            header?: {
                /** @description Makes a retry safe: a retry with the same key and body within IDEMPOTENCY_TTL_SECONDS (24 hours by default) gets the first answer again, `Idempotent-Replayed: true`, and creates nothing. Use a new random key (a UUID) per request; keys are per caller */
                "idempotency-key"?: string;
            };
            path: {
                tenantId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /**
                     * Format: email
                     * @description Stored in lower case
                     */
                    email: string;
                    isActive?: boolean;
                    name: string;
                    /** @description Write-only; stored as an argon2id hash */
                    password: string;
                    /** @enum {string} */
                    role?: "owner" | "admin" | "member";
                };
            };
        };
        responses: {
            /** @description Response for status 201 */
            201: {
                headers: {
                    /** @description The strong entity tag of the resource as this response shows it, opaque: send it back in If-Match to change the resource only while it is unchanged, or in If-None-Match to be answered 304 while it is */
                    ETag?: string;
                    /** @description `true` on the stored answer of an earlier request with the same Idempotency-Key, sent again; absent otherwise */
                    "Idempotent-Replayed"?: "true";
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        createdAt: string;
                        email: string;
                        /** Format: uuid */
                        id: string;
                        isActive: boolean;
                        name: string;
                        /** @enum {string} */
                        role: "owner" | "admin" | "member";
                        /** Format: uuid */
                        tenantId: string;
                        /** Format: date-time */
                        updatedAt: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details: /problems/conflict, the email is taken in this tenant; /problems/idempotency-key-in-use (with Retry-After), a request with the same Idempotency-Key is in progress */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details: /problems/validation-failed, the request is invalid; /problems/idempotency-key-reused, its Idempotency-Key was sent before with another request */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
        };
    };
    getTenantsByTenantIdUsersById: {
        parameters: {
            query?: never;
            header?: {
                /** @description ETags of representations the client holds (weak comparison), or `*`: when one is current the answer is 304 with no body */
                "If-None-Match"?: string;
            };
            path: {
                tenantId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Response for status 200 */
            200: {
                headers: {
                    /** @description The strong entity tag of the resource as this response shows it, opaque: send it back in If-Match to change the resource only while it is unchanged, or in If-None-Match to be answered 304 while it is */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        createdAt: string;
                        email: string;
                        /** Format: uuid */
                        id: string;
                        isActive: boolean;
                        name: string;
                        /** @enum {string} */
                        role: "owner" | "admin" | "member";
                        /** Format: uuid */
                        tenantId: string;
                        /** Format: date-time */
                        updatedAt: string;
                    };
                };
            };
            /** @description Not modified: If-None-Match names the current ETag. No body; the ETag header is sent */
            304: {
                headers: {
                    /** @description The strong entity tag of the resource as this response shows it, opaque: send it back in If-Match to change the resource only while it is unchanged, or in If-None-Match to be answered 304 while it is */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description RFC 9457 problem details */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
        };
    };
    deleteTenantsByTenantIdUsersById: {
        parameters: {
            query?: never;
            header?: {
                /** @description ETags (strong comparison: weak tags never match), or `*` for any version: the change is made only while the resource's current ETag is one of them, else 412. Required (428 without it) when the server runs with REQUIRE_IF_MATCH=true */
                "If-Match"?: string;
            };
            path: {
                tenantId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description RFC 9457 problem details */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description Precondition failed: If-Match names no current ETag of the resource, which has changed since the tag was read */
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description Precondition required: the server runs with REQUIRE_IF_MATCH=true and If-Match is missing */
            428: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
        };
    };
    patchTenantsByTenantIdUsersById: {
        parameters: {
            query?: never;
            header?: {
                /** @description ETags (strong comparison: weak tags never match), or `*` for any version: the change is made only while the resource's current ETag is one of them, else 412. Required (428 without it) when the server runs with REQUIRE_IF_MATCH=true */
                "If-Match"?: string;
            };
            path: {
                tenantId: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /**
                     * Format: email
                     * @description Stored in lower case
                     */
                    email?: string;
                    isActive?: boolean;
                    name?: string;
                    /** @description Write-only; stored as an argon2id hash */
                    password?: string;
                    /** @enum {string} */
                    role?: "owner" | "admin" | "member";
                };
            };
        };
        responses: {
            /** @description Response for status 200 */
            200: {
                headers: {
                    /** @description The strong entity tag of the resource as this response shows it, opaque: send it back in If-Match to change the resource only while it is unchanged, or in If-None-Match to be answered 304 while it is */
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        createdAt: string;
                        email: string;
                        /** Format: uuid */
                        id: string;
                        isActive: boolean;
                        name: string;
                        /** @enum {string} */
                        role: "owner" | "admin" | "member";
                        /** Format: uuid */
                        tenantId: string;
                        /** Format: date-time */
                        updatedAt: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description Precondition failed: If-Match names no current ETag of the resource, which has changed since the tag was read */
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description RFC 9457 problem details */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
            /** @description Precondition required: the server runs with REQUIRE_IF_MATCH=true and If-Match is missing */
            428: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        detail?: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        /** @description The request's X-Request-Id */
                        requestId?: string;
                        status: number;
                        title: string;
                        /** @description Identifies the kind of problem, e.g. /problems/not-found */
                        type: string;
                    };
                };
            };
        };
    };
}
