import type { V1Secret } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { Keyring } from "./keyring.js";
import { parseImageReference } from "./reference.js";

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
  return keyring.lookup(parseImageReference(image)).map((credential) => credential.username);
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
  ])("%s -> %j", (image, expected) => {
    expect(usersFor(keyring, image)).toEqual(expected);
  });

  it("decodes auth into username and password", () => {
    const [credential] = keyring.lookup(parseImageReference("quay.io/org/repo"));
    expect(credential).toEqual({
      username: "quay-repo",
      password: "pw-quay-repo",
      source: "ns/quay",
    });
  });

  it("names unreadable secrets without their content", () => {
    expect(warnings).toEqual(["pull secret ns/broken could not be read"]);
  });
});
