import type { V1Secret } from "@kubernetes/client-node";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FUZZ_TIMEOUT_MS, fuzzParameters, hostileText, timed } from "../testing/fuzz.js";
import {
  DOCKERCFG_TYPE,
  DOCKERCONFIGJSON_TYPE,
  Keyring,
  PODMANCONFIGJSON_TYPE,
  PULL_SECRET_FIELDS,
} from "./keyring.js";
import { parseImageReference } from "./reference.js";

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
const auth = (user: string, password: string) => ({ auth: b64(`${user}:${password}`) });

const CONFIG_JSON_SEEDS: unknown[] = [
  {
    auths: {
      "https://index.docker.io/v1/": auth("hub", "pw"),
      "quay.io/org": { username: "u", password: "p", email: "e@x" },
      "*.example.com:5000": auth("wild", "a:b:c"),
      "ghcr.io": { identitytoken: "tok" },
    },
  },
  { "registry.example.com": auth("legacy", "pw") },
  { auths: { "localhost:5000": auth("local", "pw") }, credsStore: "desktop" },
];
const TEXT_SEEDS = CONFIG_JSON_SEEDS.map((seed) => JSON.stringify(seed));

const IMAGES = [
  "nginx",
  "quay.io/org/app:v1",
  "a.example.com:5000/x",
  "localhost:5000/a/b",
  "ghcr.io/o/a",
  `${"a".repeat(40)}.example.com/x`,
].map((image) => parseImageReference(image));

const secretData = fc.oneof(
  hostileText(TEXT_SEEDS, CONFIG_JSON_SEEDS).map(b64),
  fc.string({ maxLength: 40 }),
  fc.constant(""),
);
const secret: fc.Arbitrary<V1Secret> = fc
  .record({
    type: fc.constantFrom(
      DOCKERCONFIGJSON_TYPE,
      DOCKERCFG_TYPE,
      PODMANCONFIGJSON_TYPE,
      "Opaque",
      "__proto__",
    ),
    field: fc.constantFrom(".dockerconfigjson", ".dockercfg", "auth.json", "constructor"),
    data: secretData,
    name: fc.string({ maxLength: 10 }),
  })
  .map(({ type, field, data, name }) => ({
    type,
    metadata: { name, namespace: "ns" },
    data: { [field]: data },
  }));

describe("Keyring.fromSecrets on hostile pull secrets", () => {
  it(
    "builds a keyring (warning about unreadable secrets) and looks up any image without throwing",
    () => {
      fc.assert(
        fc.property(fc.array(secret, { maxLength: 4 }), (secrets) => {
          const { keyring, warnings } = timed("Keyring.fromSecrets", () =>
            Keyring.fromSecrets(secrets),
          );
          expect(warnings.length).toBeLessThanOrEqual(secrets.length);
          for (const image of IMAGES) {
            for (const credential of timed("Keyring.lookup", () => keyring.lookup(image))) {
              const secrets =
                credential.kind === "refresh-token"
                  ? [credential.identityToken]
                  : [credential.username, credential.password];
              for (const secret of secrets) expect(typeof secret).toBe("string");
              expect(credential.source).toMatch(/^ns\//);
            }
          }
        }),
        fuzzParameters(1500),
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    "matches glob keys against any host in bounded time",
    () => {
      const glob = fc.stringMatching(/^[a*b]{1,12}$/);
      const label = fc.stringMatching(/^[ab]{1,20}$/);
      fc.assert(
        fc.property(glob, label, (pattern, host) => {
          const { keyring } = Keyring.fromSecrets([
            configJson({ [`${pattern}.example.com`]: auth("u", "p") }),
          ]);
          const found = timed("Keyring.lookup", () =>
            keyring.lookup({ registry: `${host}.example.com`, repository: "x" }),
          );
          expect(found.length > 0).toBe(globMatches(pattern, host));
        }),
        fuzzParameters(2000),
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});

/** An independent oracle for short inputs: expand the glob into a regular expression. */
function globMatches(pattern: string, label: string): boolean {
  return new RegExp(`^${pattern.replace(/\*+/g, ".*")}$`).test(label);
}

function configJson(auths: Record<string, unknown>, type = DOCKERCONFIGJSON_TYPE): V1Secret {
  const text = type === DOCKERCFG_TYPE ? JSON.stringify(auths) : JSON.stringify({ auths });
  const field = PULL_SECRET_FIELDS[type] ?? ".dockercfg";
  return { type, metadata: { name: "s", namespace: "ns" }, data: { [field]: b64(text) } };
}

const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,8}[a-z0-9])?$/);
const host = fc
  .array(label, { minLength: 2, maxLength: 3 })
  .map((labels) => labels.join("."))
  .filter((h) => !["docker.io", "index.docker.io", "registry-1.docker.io"].includes(h));

describe("pull secret round trip", () => {
  it(
    "hands back exactly the user and password stored, for the host, port and path of the key",
    () => {
      const entry = fc.record({
        host,
        port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
        path: fc.array(label, { maxLength: 2 }).map((p) => p.join("/")),
        scheme: fc.constantFrom("", "https://", "http://"),
        user: fc.string({ unit: "grapheme", maxLength: 12 }).filter((u) => !u.includes(":")),
        password: fc.string({ unit: "grapheme", maxLength: 24 }),
        asFields: fc.boolean(),
        type: fc.constantFrom(DOCKERCONFIGJSON_TYPE, DOCKERCFG_TYPE, PODMANCONFIGJSON_TYPE),
      });
      // an entry with neither user nor password holds no credential: the
      // keyring leaves it out, so it has nothing to hand back
      const stored = entry.filter((e) => e.user !== "" || e.password !== "");
      fc.assert(
        fc.property(stored, (e) => {
          const registry = e.port === undefined ? e.host : `${e.host}:${e.port}`;
          const key = `${e.scheme}${registry}${e.path ? `/${e.path}` : ""}`;
          const value = e.asFields
            ? { username: e.user, password: e.password }
            : auth(e.user, e.password);
          const { keyring, warnings } = Keyring.fromSecrets([configJson({ [key]: value }, e.type)]);
          expect(warnings).toEqual([]);
          const repository = e.path ? `${e.path}/app` : "app";
          // a key without a port is for HTTPS only (ADR 0026)
          const onlyOver = e.port === undefined ? { onlyOver: "https" } : {};
          expect(keyring.lookup({ registry, repository })).toEqual([
            { username: e.user, password: e.password, source: "ns/s", entry: key, ...onlyOver },
          ]);
          expect(keyring.lookup({ registry: `other-${registry}`, repository })).toEqual([]);
        }),
        fuzzParameters(1500),
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});

/**
 * OpenShift's importer, written as its code reads (credentials.go): the
 * lookup key is host[:port] over HTTPS and host:80 over plain HTTP when no
 * port is given; a canonical port (443 for HTTPS, 80 for HTTP) is retried
 * without it. Plus our one addition (ADR 0026): a key host:443 for an HTTPS
 * host named without a port.
 */
function openshiftSends(keyPort: string, imagePort: string, scheme: "https" | "http"): boolean {
  const lookupPort = scheme === "http" && imagePort === "" ? "80" : imagePort;
  if (lookupPort === keyPort) return true;
  if (scheme === "https" && imagePort === "" && keyPort === "443") return true;
  const canonical =
    (scheme === "https" && imagePort === "443") || (scheme === "http" && imagePort === "80");
  return canonical ? openshiftSends(keyPort, "", scheme) : false;
}

describe("ports against an oracle of OpenShift's lookup", () => {
  it(
    "hands a credential out for exactly the schemes OpenShift would send it over",
    () => {
      const port = fc.constantFrom("", "80", "443", "5000", "8080");
      fc.assert(
        fc.property(host, port, port, (h, keyPort, imagePort) => {
          const key = keyPort ? `${h}:${keyPort}` : h;
          const registry = imagePort ? `${h}:${imagePort}` : h;
          const { keyring } = Keyring.fromSecrets([configJson({ [key]: auth("u", "p") })]);
          const found = keyring.lookup({ registry, repository: "app" });
          const schemes = (["https", "http"] as const).filter((s) =>
            openshiftSends(keyPort, imagePort, s),
          );
          if (schemes.length === 0) {
            expect(found).toEqual([]);
            return;
          }
          expect(found).toHaveLength(1);
          expect(found[0]?.onlyOver).toBe(schemes.length === 2 ? undefined : schemes[0]);
        }),
        fuzzParameters(500),
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});

describe("Keyring regressions found by fuzzing", () => {
  it("matches a key of many globs against a long label at once (was an exponential RegExp)", () => {
    const pattern = `${"*a".repeat(20)}*b`;
    const { keyring } = Keyring.fromSecrets([
      configJson({ [`${pattern}.example.com`]: auth("u", "p") }),
    ]);
    const started = performance.now();
    const found = keyring.lookup({ registry: `${"a".repeat(60)}.example.com`, repository: "x" });
    expect(performance.now() - started).toBeLessThan(100);
    expect(found).toEqual([]);
    expect(
      keyring.lookup({ registry: `${"a".repeat(60)}b.example.com`, repository: "x" }),
    ).toHaveLength(1);
  });
});
