// A registry token service for tests: the Docker registry v2 token flow, the
// way Docker Hub, Quay and GHCR run it. GET /token?service=&scope= with Basic
// credentials returns an RS256 JWT that distribution's `auth.token` accepts:
// the header carries the signing certificate (x5c), which the registry finds
// in its rootcertbundle. Self-contained (Node builtins only) so hack/cluster.sh
// can run it with `hack/node hack/token-server.ts CONFIG.json`.
//
// POST /token is the OAuth2 refresh-token grant (the distribution spec's
// "OAuth2 token" request, what Docker's `identitytoken` is for): a form with
// grant_type=refresh_token, refresh_token, service, scope, client_id.
//
// CONFIG.json: {port, issuer, service, certificateFile, keyFile, username,
// passwordFile, identityTokenFile}. Anonymous or wrong credentials get 401,
// a wrong refresh token too (invalid_grant): the test registry behind it is
// private. Any other grant is 400 unsupported_grant_type.

import { createPrivateKey, randomUUID, sign, timingSafeEqual, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { pathToFileURL } from "node:url";

interface TokenServerConfig {
  port: number;
  issuer: string;
  service: string;
  certificateFile: string;
  keyFile: string;
  username: string;
  passwordFile: string;
  /** the one refresh token the grant accepts, issued to `username` */
  identityTokenFile: string;
}

interface AccessEntry {
  type: string;
  name: string;
  actions: string[];
}

const TOKEN_LIFETIME_SECONDS = 300;
// Registry and token service clocks can differ by a little in real setups.
const CLOCK_SKEW_SECONDS = 10;

function loadConfig(path: string): TokenServerConfig {
  const config = JSON.parse(readFileSync(path, "utf8")) as TokenServerConfig;
  const required = ["port", "issuer", "service", "certificateFile", "keyFile", "username"];
  for (const key of [...required, "identityTokenFile"]) {
    if (config[key as keyof TokenServerConfig] === undefined) {
      throw new Error(`token-server: ${path} lacks "${key}"`);
    }
  }
  return config;
}

function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString("base64url");
}

/** "repository:demo/app:pull,push" -> one access entry; the name may hold colons (ports). */
export function parseScope(scope: string): AccessEntry | undefined {
  const first = scope.indexOf(":");
  const last = scope.lastIndexOf(":");
  if (first < 0 || last <= first) return undefined;
  const actions = scope
    .slice(last + 1)
    .split(",")
    .filter((action) => action !== "");
  return { type: scope.slice(0, first), name: scope.slice(first + 1, last), actions };
}

/** Basic credentials from an Authorization header, or undefined. */
export function basicCredentials(header: string | undefined): [string, string] | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? "");
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  return [decoded.slice(0, colon), decoded.slice(colon + 1)];
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function makeIssuer(config: TokenServerConfig) {
  const certificate = new X509Certificate(readFileSync(config.certificateFile));
  const key = createPrivateKey(readFileSync(config.keyFile));
  const header = base64url(
    JSON.stringify({ alg: "RS256", typ: "JWT", x5c: [certificate.raw.toString("base64")] }),
  );
  return (subject: string, audience: string, access: AccessEntry[]): string => {
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: config.issuer,
      sub: subject,
      aud: audience,
      exp: now + TOKEN_LIFETIME_SECONDS,
      nbf: now - CLOCK_SKEW_SECONDS,
      iat: now,
      jti: randomUUID(),
      access,
    };
    const signingInput = `${header}.${base64url(JSON.stringify(claims))}`;
    return `${signingInput}.${base64url(sign("sha256", Buffer.from(signingInput), key))}`;
  };
}

function reply(res: ServerResponse, status: number, body: unknown, headers = {}): void {
  res.writeHead(status, { "Content-Type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

/** RFC 6749 5.2: an error answer of the token endpoint. */
function oauthError(res: ServerResponse, status: number, error: string, description: string) {
  reply(res, status, { error, error_description: description });
}

/** Every scope asked for, as access entries: the only user owns every repository. */
function requestedAccess(scopes: string[]): AccessEntry[] {
  return scopes
    .flatMap((scope) => scope.split(" "))
    .map(parseScope)
    .filter((entry): entry is AccessEntry => entry !== undefined);
}

function issueAnswer(res: ServerResponse, token: string): void {
  reply(res, 200, {
    token,
    access_token: token,
    expires_in: TOKEN_LIFETIME_SECONDS,
    issued_at: new Date().toISOString(),
  });
}

const MAX_FORM_BYTES = 64 * 1024;

function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_FORM_BYTES) chunks.push(chunk);
    });
    req.on("end", () =>
      resolve(
        size <= MAX_FORM_BYTES ? new URLSearchParams(Buffer.concat(chunks).toString()) : undefined,
      ),
    );
    req.on("error", () => resolve(undefined));
  });
}

/** The refresh-token grant: the identity token stands for the configured user. */
async function handleOAuthToken(
  req: IncomingMessage,
  res: ServerResponse,
  config: TokenServerConfig,
  issue: ReturnType<typeof makeIssuer>,
): Promise<void> {
  const form = await readForm(req);
  const type = req.headers["content-type"] ?? "";
  if (!form || !type.startsWith("application/x-www-form-urlencoded")) {
    oauthError(res, 400, "invalid_request", "expected a form");
    return;
  }
  if (form.get("grant_type") !== "refresh_token") {
    oauthError(res, 400, "unsupported_grant_type", "only refresh_token");
    return;
  }
  const expected = readFileSync(config.identityTokenFile, "utf8").trim();
  if (!sameSecret(form.get("refresh_token") ?? "", expected)) {
    oauthError(res, 401, "invalid_grant", "unknown refresh token");
    return;
  }
  const service = form.get("service") ?? config.service;
  if (service !== config.service || !form.get("client_id")) {
    oauthError(res, 400, "invalid_request", "unknown service or no client_id");
    return;
  }
  issueAnswer(res, issue(config.username, service, requestedAccess(form.getAll("scope"))));
}

function handleToken(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  config: TokenServerConfig,
  issue: ReturnType<typeof makeIssuer>,
): void {
  const password = readFileSync(config.passwordFile, "utf8").trim();
  const credentials = basicCredentials(req.headers.authorization);
  if (
    !credentials ||
    !sameSecret(credentials[0], config.username) ||
    !sameSecret(credentials[1], password)
  ) {
    reply(
      res,
      401,
      { errors: [{ code: "UNAUTHORIZED", message: "authentication required" }] },
      {
        "WWW-Authenticate": 'Basic realm="imagestream-test-token"',
      },
    );
    return;
  }
  const service = url.searchParams.get("service") ?? config.service;
  if (service !== config.service) {
    reply(res, 400, { errors: [{ code: "UNSUPPORTED", message: "unknown service" }] });
    return;
  }
  issueAnswer(
    res,
    issue(credentials[0], service, requestedAccess(url.searchParams.getAll("scope"))),
  );
}

function main(): void {
  const configPath = process.argv[2];
  if (!configPath) {
    console.error("usage: hack/node hack/token-server.ts CONFIG.json");
    process.exit(2);
  }
  const config = loadConfig(configPath);
  const issue = makeIssuer(config);
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://token-server");
    if (req.method === "GET" && url.pathname === "/healthz") {
      reply(res, 200, { ok: true });
    } else if (req.method === "GET" && url.pathname === "/token") {
      handleToken(req, res, url, config, issue);
    } else if (req.method === "POST" && url.pathname === "/token") {
      await handleOAuthToken(req, res, config, issue);
    } else {
      reply(res, 404, { errors: [{ code: "NOT_FOUND", message: "not found" }] });
    }
    // Never the Authorization header, the form or the token: only what was asked for.
    console.log(
      `${req.method} ${url.pathname} ${url.searchParams.get("scope") ?? ""} ${res.statusCode}`,
    );
  });
  server.listen(config.port, "127.0.0.1", () => {
    console.log(`token-server listening on 127.0.0.1:${config.port}`);
  });
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.on(signal, () => server.close(() => process.exit(0)));
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
