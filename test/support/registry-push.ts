// Pushes synthetic images to a real registry through the distribution API, for
// tests. Deliberately independent of src/registry (its own HTTP, auth and
// digests), so tests of the client do not check it against itself.
//
//   const target = { registry: "127.0.0.1:5000", scheme: "http" };
//   const image = await pushImage(target, { repository: "demo/app", tag: "v1" });
//   const index = await pushIndex(target, { repository: "demo/multi", tag: "v1",
//     format: "oci", platforms: [{ os: "linux", architecture: "arm64" }] });

import { createHash, randomBytes } from "node:crypto";
import http, { type IncomingHttpHeaders } from "node:http";
import https from "node:https";
import { gzipSync } from "node:zlib";

export interface PushTarget {
  /** host:port */
  registry: string;
  /** default https */
  scheme?: "http" | "https";
  /** PEM of the CA that signed the registry's certificate */
  ca?: string;
  username?: string;
  password?: string;
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface ImageConfigInput {
  entrypoint?: string[];
  cmd?: string[];
  env?: string[];
  labels?: Record<string, string>;
  exposedPorts?: string[];
  user?: string;
  workingDir?: string;
}

export interface PushImageOptions extends ImageConfigInput {
  repository: string;
  /** omitted: pushed by digest only (children of an index) */
  tag?: string;
  format?: "docker" | "oci";
  platform?: Platform;
  layerCount?: number;
  layerBytes?: number;
}

export interface PushedImage {
  digest: string;
  mediaType: string;
  manifestSize: number;
  configDigest: string;
  layers: { digest: string; size: number; mediaType: string }[];
  platform: Platform;
  config: Record<string, unknown>;
}

export interface PushIndexOptions {
  repository: string;
  tag: string;
  format: "docker" | "oci";
  platforms: Platform[];
}

export interface PushedIndex {
  digest: string;
  mediaType: string;
  children: PushedImage[];
}

export const MEDIA = {
  docker: {
    manifest: "application/vnd.docker.distribution.manifest.v2+json",
    list: "application/vnd.docker.distribution.manifest.list.v2+json",
    config: "application/vnd.docker.container.image.v1+json",
    layer: "application/vnd.docker.image.rootfs.diff.tar.gzip",
  },
  oci: {
    manifest: "application/vnd.oci.image.manifest.v1+json",
    list: "application/vnd.oci.image.index.v1+json",
    config: "application/vnd.oci.image.config.v1+json",
    layer: "application/vnd.oci.image.layer.v1.tar+gzip",
  },
} as const;

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export function sha256Digest(data: Buffer): string {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** One request/response with the body in memory; pushes are small. */
function exchange(
  target: PushTarget,
  method: string,
  url: URL,
  headers: Record<string, string>,
  body?: Buffer,
): Promise<Reply> {
  const transport = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const request = transport.request(
      url,
      {
        method,
        headers: body ? { ...headers, "content-length": String(body.length) } : headers,
        ca: target.ca,
        timeout: 30_000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks),
          }),
        );
        response.on("error", reject);
      },
    );
    request.on("timeout", () => request.destroy(new Error(`${method} ${url.pathname}: timeout`)));
    request.on("error", reject);
    request.end(body);
  });
}

function challengeParams(header: string): { scheme: string; params: Record<string, string> } {
  const scheme = header.trim().split(/\s+/, 1)[0]?.toLowerCase() ?? "";
  const params: Record<string, string> = {};
  for (const match of header.matchAll(/(\w+)="([^"]*)"/g)) params[match[1] ?? ""] = match[2] ?? "";
  return { scheme, params };
}

/** A registry conversation that answers Basic and Bearer challenges with the target's credentials. */
export class RegistryPusher {
  private authorization: string | undefined;

  constructor(readonly target: PushTarget) {}

  private url(path: string): URL {
    return new URL(path, `${this.target.scheme ?? "https"}://${this.target.registry}`);
  }

  private basic(): string {
    const pair = `${this.target.username ?? ""}:${this.target.password ?? ""}`;
    return `Basic ${Buffer.from(pair).toString("base64")}`;
  }

  private async authorize(challenge: string, repository: string): Promise<void> {
    const { scheme, params } = challengeParams(challenge);
    if (scheme === "basic") {
      this.authorization = this.basic();
      return;
    }
    const realm = new URL(params.realm ?? "");
    if (params.service) realm.searchParams.set("service", params.service);
    realm.searchParams.set("scope", `repository:${repository}:pull,push`);
    const headers: Record<string, string> = this.target.username
      ? { authorization: this.basic() }
      : {};
    const reply = await exchange(this.target, "GET", realm, headers);
    if (reply.status !== 200) throw new Error(`token request answered ${reply.status}`);
    const answer = JSON.parse(reply.body.toString()) as { token?: string; access_token?: string };
    this.authorization = `Bearer ${answer.token ?? answer.access_token}`;
  }

  /** Sends with the current authorization, answering one challenge if refused. */
  async send(
    method: string,
    pathOrUrl: string,
    repository: string,
    headers: Record<string, string> = {},
    body?: Buffer,
  ): Promise<Reply> {
    const url = pathOrUrl.startsWith("http") ? new URL(pathOrUrl) : this.url(pathOrUrl);
    const withAuth = () =>
      this.authorization ? { ...headers, authorization: this.authorization } : headers;
    let reply = await exchange(this.target, method, url, withAuth(), body);
    const challenge = first(reply.headers["www-authenticate"]);
    if (reply.status === 401 && challenge) {
      await this.authorize(challenge, repository);
      reply = await exchange(this.target, method, url, withAuth(), body);
    }
    return reply;
  }

  async pushBlob(repository: string, data: Buffer): Promise<string> {
    const digest = sha256Digest(data);
    const exists = await this.send("HEAD", `/v2/${repository}/blobs/${digest}`, repository);
    if (exists.status === 200) return digest;
    const started = await this.send("POST", `/v2/${repository}/blobs/uploads/`, repository);
    const location = first(started.headers.location);
    if (started.status !== 202 || !location)
      throw new Error(`upload start answered ${started.status}`);
    const upload = new URL(location, this.url("/"));
    upload.searchParams.set("digest", digest);
    const done = await this.send(
      "PUT",
      upload.href,
      repository,
      { "content-type": "application/octet-stream" },
      data,
    );
    if (done.status !== 201) throw new Error(`blob upload answered ${done.status}`);
    return digest;
  }

  async pushManifest(
    repository: string,
    reference: string,
    mediaType: string,
    body: Buffer,
  ): Promise<string> {
    const reply = await this.send(
      "PUT",
      `/v2/${repository}/manifests/${reference}`,
      repository,
      { "content-type": mediaType },
      body,
    );
    if (reply.status !== 201)
      throw new Error(
        `manifest push answered ${reply.status}: ${reply.body.toString().slice(0, 200)}`,
      );
    const digest = sha256Digest(body);
    const announced = first(reply.headers["docker-content-digest"]);
    if (announced && announced !== digest)
      throw new Error(`registry computed ${announced}, expected ${digest}`);
    return digest;
  }

  /** The digest the registry reports for a tag or digest (HEAD Docker-Content-Digest). */
  async headDigest(repository: string, reference: string): Promise<string> {
    const accept = [
      MEDIA.oci.list,
      MEDIA.docker.list,
      MEDIA.oci.manifest,
      MEDIA.docker.manifest,
    ].join(", ");
    const reply = await this.send("HEAD", `/v2/${repository}/manifests/${reference}`, repository, {
      accept,
    });
    const digest = first(reply.headers["docker-content-digest"]);
    if (reply.status !== 200 || !digest) throw new Error(`HEAD manifest answered ${reply.status}`);
    return digest;
  }
}

function imageConfig(
  platform: Platform,
  input: ImageConfigInput,
  diffIds: string[],
): Record<string, unknown> {
  return {
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant ? { variant: platform.variant } : {}),
    created: new Date().toISOString(),
    author: "registry-push test helper",
    config: {
      Entrypoint: input.entrypoint ?? ["/usr/bin/app"],
      Cmd: input.cmd ?? ["--listen", ":8080"],
      Env: input.env ?? ["PATH=/usr/local/bin:/usr/bin:/bin", `ARCH=${platform.architecture}`],
      Labels: input.labels ?? { "org.opencontainers.image.title": "synthetic" },
      ExposedPorts: Object.fromEntries(
        (input.exposedPorts ?? ["8080/tcp"]).map((port) => [port, {}]),
      ),
      User: input.user ?? "1001",
      WorkingDir: input.workingDir ?? "/app",
    },
    rootfs: { type: "layers", diff_ids: diffIds },
  };
}

export async function pushImageWith(
  pusher: RegistryPusher,
  options: PushImageOptions,
): Promise<PushedImage> {
  const media = MEDIA[options.format ?? "docker"];
  const platform = options.platform ?? { os: "linux", architecture: "amd64" };
  const layers: PushedImage["layers"] = [];
  const diffIds: string[] = [];
  for (let i = 0; i < (options.layerCount ?? 2); i++) {
    const raw = randomBytes(options.layerBytes ?? 2048);
    const gz = gzipSync(raw);
    diffIds.push(sha256Digest(raw));
    layers.push({
      digest: await pusher.pushBlob(options.repository, gz),
      size: gz.length,
      mediaType: media.layer,
    });
  }
  const config = imageConfig(platform, options, diffIds);
  const configBody = Buffer.from(JSON.stringify(config));
  const configDigest = await pusher.pushBlob(options.repository, configBody);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: media.manifest,
      config: { mediaType: media.config, digest: configDigest, size: configBody.length },
      layers,
    }),
  );
  const reference = options.tag ?? sha256Digest(manifest);
  const digest = await pusher.pushManifest(options.repository, reference, media.manifest, manifest);
  return {
    digest,
    mediaType: media.manifest,
    manifestSize: manifest.length,
    configDigest,
    layers,
    platform,
    config,
  };
}

export function pushImage(target: PushTarget, options: PushImageOptions): Promise<PushedImage> {
  return pushImageWith(new RegistryPusher(target), options);
}

/** Children pushed by digest, then the OCI image index or Docker manifest list by tag. */
export async function pushIndex(
  target: PushTarget,
  options: PushIndexOptions,
): Promise<PushedIndex> {
  const pusher = new RegistryPusher(target);
  const media = MEDIA[options.format];
  const children: PushedImage[] = [];
  for (const platform of options.platforms) {
    children.push(
      await pushImageWith(pusher, {
        repository: options.repository,
        format: options.format,
        platform,
        layerCount: 1,
      }),
    );
  }
  const body = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: media.list,
      manifests: children.map((child) => ({
        mediaType: child.mediaType,
        digest: child.digest,
        size: child.manifestSize,
        platform: child.platform,
      })),
    }),
  );
  const digest = await pusher.pushManifest(options.repository, options.tag, media.list, body);
  return { digest, mediaType: media.list, children };
}
