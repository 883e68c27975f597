import type { V1Secret } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { Keyring } from "./keyring.js";
import { parseImageReference } from "./reference.js";
import type { DockerCredential } from "./types.js";

function b64(text: string): string {
  return Buffer.from(text).toString("base64");
}

function configJsonSecret(
  name: string,
  auths: Record<string, unknown>,
  annotations = {},
): V1Secret {
  return {
    metadata: { name, namespace: "ns", annotations },
    type: "kubernetes.io/dockerconfigjson",
    data: { ".dockerconfigjson": b64(JSON.stringify({ auths })) },
  };
}

function dockercfgSecret(name: string, auths: Record<string, unknown>): V1Secret {
  return {
    metadata: { name, namespace: "ns" },
    type: "kubernetes.io/dockercfg",
    data: { ".dockercfg": b64(JSON.stringify(auths)) },
  };
}

const entry = (user: string) => ({ auth: b64(`${user}:pw-${user}`) });

function usersFor(keyring: Keyring, image: string): string[] {
  return keyring.lookup(parseImageReference(image)).map(userOf);
}

/** The username, or for an identity token "token:" and its value. */
function userOf(credential: DockerCredential): string {
  return credential.kind === "refresh-token"
    ? `token:${credential.identityToken}`
    : credential.username;
}

describe("Keyring.fromSecrets", () => {
  const { keyring, warnings } = Keyring.fromSecrets([
    configJsonSecret("hub", { "https://index.docker.io/v1/": entry("hub") }),
    configJsonSecret("quay", {
      "quay.io": entry("quay-host"),
      "quay.io/org": entry("quay-org"),
      "quay.io/org/repo": entry("quay-repo"),
    }),
    dockercfgSecret("legacy", { "https://legacy.example.com": { username: "old", password: "p" } }),
    configJsonSecret("ports", { "r.example.com:5000": entry("port5000") }),
    configJsonSecret("wild", { "*.wild.example.com": entry("wild") }),
    configJsonSecret(
      "excluded",
      { "quay.io": entry("excluded") },
      {
        "openshift.io/image.excludeSecret": "true",
      },
    ),
    configJsonSecret("v2path", { "https://v2.example.com/v2/": entry("v2") }),
    dockercfgSecret("pasted", { auths: { "pasted.example.com": entry("pasted") } }),
    configJsonSecret("idtoken", {
      "token.example.com": { identitytoken: "refresh-1" },
      "both.example.com": { ...entry("both"), identitytoken: "refresh-2" },
    }),
    { metadata: { name: "opaque", namespace: "ns" }, type: "Opaque", data: { x: b64("{}") } },
    {
      metadata: { name: "broken", namespace: "ns" },
      type: "kubernetes.io/dockerconfigjson",
      data: { ".dockerconfigjson": b64("{not json") },
    },
  ]);

  it.each([
    ["nginx", ["hub"]],
    ["docker.io/library/nginx", ["hub"]],
    ["quay.io/org/repo:v1", ["quay-repo", "quay-org", "quay-host"]],
    ["quay.io/org/other", ["quay-org", "quay-host"]],
    ["quay.io/organization/x", ["quay-host"]],
    ["quay.io/else/x", ["quay-host"]],
    ["legacy.example.com/a", ["old"]],
    ["r.example.com:5000/a", ["port5000"]],
    ["r.example.com/a", []],
    ["r.example.com:5001/a", []],
    ["a.wild.example.com/x", ["wild"]],
    ["a.b.wild.example.com/x", []],
    ["wild.example.com/x", []],
    ["v2.example.com/x", ["v2"]],
    ["pasted.example.com/x", ["pasted"]],
    ["ghcr.io/x/y", []],
    ["token.example.com/x", ["token:refresh-1"]],
    // a username and password win over an identitytoken beside them
    ["both.example.com/x", ["both"]],
  ])("%s -> %j", (image, expected) => {
    expect(usersFor(keyring, image)).toEqual(expected);
  });

  it("decodes auth into username and password", () => {
    const [credential] = keyring.lookup(parseImageReference("quay.io/org/repo"));
    expect(credential).toEqual({
      username: "quay-repo",
      password: "pw-quay-repo",
      source: "ns/quay",
      entry: "quay.io/org/repo",
      // keyed without a port: for HTTPS only (ADR 0026)
      onlyOver: "https",
    });
  });

  it("keeps an entry with only an identitytoken as a refresh-token credential (ADR 0031)", () => {
    const found = keyring.lookup(parseImageReference("token.example.com/team/app"));
    expect(found).toEqual([
      {
        kind: "refresh-token",
        identityToken: "refresh-1",
        source: "ns/idtoken",
        entry: "token.example.com",
        onlyOver: "https",
      },
    ]);
    expect(warnings.join("\n")).not.toContain("idtoken");
  });

  it("names unreadable secrets without their content", () => {
    expect(warnings).toEqual([
      "pull secret ns/broken could not be read: its .dockerconfigjson is not JSON",
    ]);
  });
});

/** Values that must never appear in a message, an Event or a log line. */
const SECRET_VALUES = ["pw-S3CRET", "TOKEN-S3CRET", b64("robot:pw-S3CRET"), "not-b64!S3CRET"];

describe("Keyring.explain: which secrets were tried and why each was unusable", () => {
  const secrets: V1Secret[] = [
    configJsonSecret("robot", { "registry.example.com": { auth: b64("robot:pw-S3CRET") } }),
    configJsonSecret("other-host", { "quay.io": { auth: b64("robot:pw-S3CRET") } }),
    configJsonSecret("token", { "registry.example.com": { identitytoken: "TOKEN-S3CRET" } }),
    configJsonSecret("bad-auth", { "registry.example.com": { auth: "not-b64!S3CRET" } }),
    configJsonSecret("no-colon", { "registry.example.com": { auth: b64("pw-S3CRET") } }),
    {
      metadata: { name: "garbled", namespace: "ns" },
      type: "kubernetes.io/dockerconfigjson",
      data: { ".dockerconfigjson": "%%%pw-S3CRET" },
    },
    {
      metadata: { name: "empty", namespace: "ns" },
      type: "kubernetes.io/dockercfg",
      data: {},
    },
    {
      metadata: { name: "opaque", namespace: "ns" },
      type: "Opaque",
      data: { p: b64("pw-S3CRET") },
    },
  ];
  const { keyring, warnings } = Keyring.fromSecrets(secrets);
  const image = parseImageReference("registry.example.com/team/app:v1");
  const text = keyring.explain(image);

  it.each([
    "ns/robot: its credentials for registry.example.com were refused",
    "ns/other-host: no entry for registry.example.com/team/app",
    "ns/token: its identitytoken for registry.example.com was refused",
    'ns/bad-auth: entry "registry.example.com" has an "auth" that is not base64',
    'ns/no-colon: entry "registry.example.com" has an "auth" that is not base64 of user:password',
    "ns/garbled could not be read: its .dockerconfigjson is not base64",
    "ns/empty could not be read: has no .dockercfg data",
    "ns/opaque is not a pull secret (type Opaque)",
  ])("says %s", (part) => {
    expect(text).toContain(part);
  });

  it("never holds a value from a secret, in the explanation or the log warnings", () => {
    for (const value of SECRET_VALUES) {
      expect(text).not.toContain(value);
      expect(warnings.join("\n")).not.toContain(value);
    }
    expect(warnings).toEqual([
      "pull secret ns/garbled could not be read: its .dockerconfigjson is not base64",
      "pull secret ns/empty could not be read: has no .dockercfg data",
    ]);
  });

  it("says so when the namespace has no pull secret, and shortens a long list", () => {
    expect(Keyring.fromSecrets([]).keyring.explain(image)).toBe("no pull secret in the namespace");
    const many = Array.from({ length: 10 }, (_, i) => configJsonSecret(`s${i}`, {}));
    const long = Keyring.fromSecrets(many).keyring.explain(image);
    expect(long).toContain("ns/s7: no entry");
    expect(long).not.toContain("ns/s8");
    expect(long).toMatch(/; and 2 more$/);
  });
});

function podmanSecret(name: string, auths: Record<string, unknown>): V1Secret {
  return {
    metadata: { name, namespace: "ns" },
    type: "kubernetes.io/podmanconfigjson",
    data: { "auth.json": b64(JSON.stringify({ auths })) },
  };
}

describe("ports, as OpenShift's importer matches them (ADR 0026)", () => {
  /** [key, image, schemes the credential is handed out for ("both", "https", "http"), or none] */
  it.each([
    ["localhost", "localhost/app", "https"],
    ["https://localhost", "localhost/app", "https"],
    // the scheme written in a key is dropped, as the kubelet's keyring does
    ["http://localhost", "localhost/app", "https"],
    ["localhost:80", "localhost/app", "http"],
    ["http://localhost:80", "localhost/app", "http"],
    // OpenShift's own test calls this right but unsupported: we support it
    ["localhost:443", "localhost/app", "https"],
    ["localhost", "localhost:443/app", "https"],
    ["localhost:443", "localhost:443/app", "both"],
    ["localhost:80", "localhost:80/app", "both"],
    ["localhost:5000", "localhost:5000/app", "both"],
    ["localhost", "localhost:80/app", "none"],
    ["localhost", "localhost:5000/app", "none"],
    ["localhost:5000", "localhost/app", "none"],
    ["localhost:80", "localhost:443/app", "none"],
    ["*.example.com:80", "r.example.com/app", "http"],
  ])("key %s, image %s: %s", (key, image, expected) => {
    const { keyring } = Keyring.fromSecrets([configJsonSecret("s", { [key]: entry("u") })]);
    const found = keyring.lookup(parseImageReference(image));
    if (expected === "none") {
      expect(found).toEqual([]);
      return;
    }
    expect(found).toHaveLength(1);
    expect(found[0]?.onlyOver).toBe(expected === "both" ? undefined : expected);
  });

  it("keeps both keys of a host (the one with a port first), so each scheme finds its own", () => {
    const { keyring } = Keyring.fromSecrets([
      configJsonSecret("s", { "r.example.com": entry("tls"), "r.example.com:80": entry("plain") }),
    ]);
    const found = keyring.lookup(parseImageReference("r.example.com/app"));
    expect(found.map((c) => [userOf(c), c.onlyOver])).toEqual([
      ["plain", "http"],
      ["tls", "https"],
    ]);
  });

  it("explains that a port-less key is not sent to a plain-HTTP registry", () => {
    const { keyring } = Keyring.fromSecrets([
      configJsonSecret("s", { "r.example.com": entry("u") }),
    ]);
    expect(keyring.explain(parseImageReference("r.example.com/app"))).toBe(
      'ns/s: its credentials for r.example.com were refused, or not sent: entry "r.example.com" is only sent over HTTPS (key it "r.example.com:80" for a plain-HTTP registry)',
    );
  });
});

describe("Podman's auth.json (kubernetes.io/podmanconfigjson)", () => {
  it("is read like a .dockerconfigjson", () => {
    const { keyring, warnings } = Keyring.fromSecrets([
      podmanSecret("podman", { "quay.io/org": entry("podman") }),
    ]);
    expect(warnings).toEqual([]);
    expect(usersFor(keyring, "quay.io/org/app")).toEqual(["podman"]);
  });

  it("names a secret without auth.json", () => {
    const { warnings } = Keyring.fromSecrets([
      {
        metadata: { name: "p", namespace: "ns" },
        type: "kubernetes.io/podmanconfigjson",
        data: { ".dockerconfigjson": b64("{}") },
      },
    ]);
    expect(warnings).toEqual(["pull secret ns/p could not be read: has no auth.json data"]);
  });
});
