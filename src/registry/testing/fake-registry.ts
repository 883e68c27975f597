// A misbehaving registry for unit tests: a node:http server on 127.0.0.1 that
// serves what a real registry serves (manifests, blobs, tags, Basic or Bearer
// auth), plus override routes for what a real one never does (wrong digests,
// endless bodies, redirect loops, 429s...). Used by tests only.

import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  path: string;
  authorization?: string | undefined;
  /** the form of a token POST */
  body?: string;
}

export type Route = (request: IncomingMessage, response: ServerResponse, url: URL) => boolean;

export type FakeAuth =
  | { kind: "none" }
  | { kind: "basic"; username: string; password: string }
  | {
      kind: "bearer";
      username?: string;
      password?: string;
      tokenField: "token" | "access_token";
      expiresIn?: number;
      /** the one identity token the refresh-token grant (a form POST) accepts; absent: no OAuth2 */
      refreshToken?: string;
    };

interface StoredManifest {
  body: Buffer;
  mediaType: string;
}

export function sha256(body: Buffer | string): string {
  return `sha256:${createHash("sha256").update(body).digest("hex")}`;
}

export class FakeRegistry {
  readonly requests: RecordedRequest[] = [];
  auth: FakeAuth = { kind: "none" };
  tokensIssued = 0;
  private readonly routes: Route[] = [];
  private readonly manifests = new Map<string, StoredManifest>();
  private readonly blobs = new Map<string, Buffer>();
  private readonly tags = new Map<string, string[]>();

  private constructor(private readonly server: Server) {}

  static async start(): Promise<FakeRegistry> {
    const server = createServer();
    const fake = new FakeRegistry(server);
    server.on("request", (request, response) => fake.handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return fake;
  }

  get host(): string {
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** A route tried before the built-in ones; returns true when it answered. */
  use(route: Route): void {
    this.routes.push(route);
  }

  addBlob(body: Buffer | string): string {
    const bytes = Buffer.from(body);
    const digest = sha256(bytes);
    this.blobs.set(digest, bytes);
    return digest;
  }

  /** Stores a manifest under repo@digest and, when given, repo:tag; returns the digest. */
  addManifest(repository: string, document: unknown, mediaType: string, tag?: string): string {
    const body = Buffer.from(JSON.stringify(document));
    const digest = sha256(body);
    this.manifests.set(`${repository}@${digest}`, { body, mediaType });
    if (tag) {
      this.manifests.set(`${repository}:${tag}`, { body, mediaType });
      this.tags.set(repository, [...(this.tags.get(repository) ?? []), tag]);
    }
    return digest;
  }

  /** A schema2 image with a config carrying the given platform and metadata. */
  addImage(
    repository: string,
    tag: string | undefined,
    options: { architecture?: string; os?: string; mediaType?: string } = {},
  ): { digest: string; configDigest: string; layerDigest: string } {
    const config = {
      architecture: options.architecture ?? "amd64",
      os: options.os ?? "linux",
      created: "2024-01-02T03:04:05Z",
      author: "fake",
      config: {
        Entrypoint: ["/bin/app"],
        Cmd: ["--serve"],
        User: "1001",
        WorkingDir: "/srv",
        ExposedPorts: { "8080/tcp": {} },
        Env: ["A=1"],
        Labels: { "io.k8s.display-name": "app" },
      },
    };
    const configBody = JSON.stringify(config);
    const configDigest = this.addBlob(configBody);
    const layerDigest = this.addBlob(`layer-${repository}-${tag}-${options.architecture}`);
    const mediaType = options.mediaType ?? "application/vnd.docker.distribution.manifest.v2+json";
    const isOci = mediaType.includes("oci");
    const manifest = {
      schemaVersion: 2,
      mediaType,
      config: {
        mediaType: isOci
          ? "application/vnd.oci.image.config.v1+json"
          : "application/vnd.docker.container.image.v1+json",
        digest: configDigest,
        size: Buffer.byteLength(configBody),
      },
      layers: [
        {
          mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip",
          digest: layerDigest,
          size: 1234,
        },
      ],
    };
    return {
      digest: this.addManifest(repository, manifest, mediaType, tag),
      configDigest,
      layerDigest,
    };
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? "/", `http://${this.host}`);
    this.requests.push({
      method: request.method ?? "",
      path: `${url.pathname}${url.search}`,
      authorization: request.headers.authorization,
    });
    if (url.pathname === "/token" && request.method === "POST") {
      this.oauthToken(request, response);
      return;
    }
    if (url.pathname === "/token") {
      this.token(request, response, url);
      return;
    }
    for (const route of this.routes) if (route(request, response, url)) return;
    if (this.authorized(request, response)) this.serveContent(request, response, url);
  }

  private serveContent(request: IncomingMessage, response: ServerResponse, url: URL): void {
    const manifest = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(url.pathname);
    const blob = /^\/v2\/(.+)\/blobs\/([^/]+)$/.exec(url.pathname);
    const tags = /^\/v2\/(.+)\/tags\/list$/.exec(url.pathname);
    if (url.pathname === "/v2/") response.writeHead(200).end("{}");
    else if (manifest) this.serveManifest(request, response, manifest[1] ?? "", manifest[2] ?? "");
    else if (blob && this.blobs.has(blob[2] ?? "")) {
      response.writeHead(200).end(this.blobs.get(blob[2] ?? ""));
    } else if (tags) {
      const name = tags[1] ?? "";
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ name, tags: this.tags.get(name) ?? [] }));
    } else notFound(response, blob ? "BLOB_UNKNOWN" : "NAME_UNKNOWN");
  }

  private serveManifest(
    request: IncomingMessage,
    response: ServerResponse,
    repository: string,
    ref: string,
  ): void {
    const stored = this.manifests.get(
      ref.includes(":") ? `${repository}@${ref}` : `${repository}:${ref}`,
    );
    if (!stored) {
      notFound(response, "MANIFEST_UNKNOWN");
      return;
    }
    response.writeHead(200, {
      "content-type": stored.mediaType,
      "content-length": stored.body.length,
      "docker-content-digest": sha256(stored.body),
    });
    response.end(request.method === "HEAD" ? undefined : stored.body);
  }

  private authorized(request: IncomingMessage, response: ServerResponse): boolean {
    const auth = this.auth;
    const header = request.headers.authorization;
    if (auth.kind === "none") return true;
    if (auth.kind === "basic") {
      const expected = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString("base64")}`;
      if (header === expected) return true;
      response.writeHead(401, { "www-authenticate": 'Basic realm="fake"' });
      response.end(JSON.stringify({ errors: [{ code: "UNAUTHORIZED", message: "secret-body" }] }));
      return false;
    }
    if (header?.startsWith("Bearer issued-")) return true;
    response.writeHead(401, {
      "www-authenticate": `Bearer realm="http://${this.host}/token",service="fake-registry"`,
    });
    response.end(JSON.stringify({ errors: [{ code: "UNAUTHORIZED" }] }));
    return false;
  }

  private token(request: IncomingMessage, response: ServerResponse, url: URL): void {
    const auth = this.auth;
    if (auth.kind !== "bearer") {
      notFound(response, "NAME_UNKNOWN");
      return;
    }
    const expected = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString("base64")}`;
    if (auth.username !== undefined && request.headers.authorization !== expected) {
      response.writeHead(401).end('{"details":"incorrect username or password"}');
      return;
    }
    this.issue(response, url.searchParams.get("scope"));
  }

  private issue(response: ServerResponse, scope: string | null): void {
    if (this.auth.kind !== "bearer") return;
    this.tokensIssued++;
    const token = `issued-${this.tokensIssued}-${scope}`;
    const answer: Record<string, unknown> = { [this.auth.tokenField]: token };
    if (this.auth.expiresIn !== undefined) answer.expires_in = this.auth.expiresIn;
    response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer));
  }

  /** The OAuth2 refresh-token grant, as the distribution spec's token services answer it. */
  private oauthToken(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const recorded = this.requests.at(-1);
      if (recorded) recorded.body = body;
      const form = new URLSearchParams(body);
      const auth = this.auth;
      if (auth.kind !== "bearer" || auth.refreshToken === undefined) {
        oauthRefusal(response, 400, "unsupported_grant_type");
      } else if (form.get("grant_type") !== "refresh_token") {
        oauthRefusal(response, 400, "unsupported_grant_type");
      } else if (form.get("refresh_token") !== auth.refreshToken) {
        oauthRefusal(response, 400, "invalid_grant");
      } else {
        this.issue(response, form.get("scope"));
      }
    });
  }
}

/** Answers an RFC 6749 refusal. */
function oauthRefusal(response: ServerResponse, status: number, error: string): void {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify({ error }));
}

function notFound(response: ServerResponse, code: string): void {
  response.writeHead(404, { "content-type": "application/json" });
  response.end(JSON.stringify({ errors: [{ code, message: "not here" }] }));
}
