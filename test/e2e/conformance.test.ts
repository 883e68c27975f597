// Compatibility proof against the real API server: every OpenShift sample
// ImageStream (test/conformance/openshift-library) and the documentation's
// example stream (test/conformance/seed-6.2.yaml) are applied the way an
// OpenShift user would, with kubectl server-side apply, and must read back
// unchanged: nothing rejected, nothing pruned, nothing defaulted.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadAllYaml } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_VERSION, type ImageStream } from "../../src/api/types.js";
import { applyJson, installCrds, kubectl, kubectlOk, repoRoot } from "./support/kubectl.js";

const conformanceDir = join(repoRoot, "test/conformance");
const libraryDir = join(conformanceDir, "openshift-library");
const FIELD_MANAGER = "conformance";
// Namespaces of this run only, so reruns and other clusters never collide.
const namespacePrefix = `conformance-${Date.now().toString(36)}`;

interface Manifest {
  file: string;
  stream: ImageStream;
}

// Files may hold one object, several YAML documents, or a List of objects.
function loadStreams(file: string): ImageStream[] {
  const docs = loadAllYaml(readFileSync(file, "utf8")) as Array<Record<string, unknown>>;
  return docs.flatMap((doc) =>
    doc.kind === "List" ? (doc.items as ImageStream[]) : [doc as unknown as ImageStream],
  );
}

function loadLibrary(): Manifest[] {
  const files = readdirSync(libraryDir, { recursive: true, encoding: "utf8" })
    .filter((path) => /\.(json|ya?ml)$/.test(path))
    .sort();
  return files.flatMap((path) =>
    loadStreams(join(libraryDir, path)).map((stream) => ({ file: path, stream })),
  );
}

// The README states how many manifests the library holds.
function countStatedInReadme(): number {
  const readme = readFileSync(join(libraryDir, "README.md"), "utf8");
  const stated = /^(\d+) ImageStream manifests/m.exec(readme);
  if (!stated?.[1]) throw new Error("README.md does not state the manifest count");
  return Number(stated[1]);
}

// Several samples share a name (official vs community variants): the n-th
// stream of a given name goes into the n-th namespace.
function assignNamespaces(manifests: Manifest[]): Array<Manifest & { namespace: string }> {
  const seen = new Map<string, number>();
  return manifests.map((manifest) => {
    const name = manifest.stream.metadata.name ?? "";
    const slot = seen.get(name) ?? 0;
    seen.set(name, slot + 1);
    return { ...manifest, namespace: `${namespacePrefix}-${slot}` };
  });
}

function applyObject(object: object, extraArgs: string[] = []): void {
  const result = applyJson(object, FIELD_MANAGER, extraArgs);
  if (result.status !== 0) throw new Error(`rejected: ${result.stderr || result.stdout}`);
}

function readStream(namespace: string, name: string): ImageStream {
  return JSON.parse(kubectlOk(["get", "imagestreams", name, "-n", namespace, "-o", "json"]));
}

function asAppliedIn(stream: ImageStream, namespace: string): ImageStream {
  return {
    ...stream,
    apiVersion: API_VERSION,
    metadata: { ...stream.metadata, namespace },
  };
}

const library = assignNamespaces(loadLibrary());
const namespaces = [...new Set(library.map((entry) => entry.namespace))];

beforeAll(() => {
  installCrds();
  for (const namespace of namespaces) kubectlOk(["create", "namespace", namespace]);
});

afterAll(() => {
  kubectl(["delete", "namespace", ...namespaces, "--wait=false"]);
});

describe("openshift/library ImageStreams round-trip unchanged", () => {
  it("finds every manifest the README lists", () => {
    expect(library.length).toBe(countStatedInReadme());
  });

  it.each(library.map((entry) => [entry.file, entry] as const))("%s", (_file, entry) => {
    const input = asAppliedIn(entry.stream, entry.namespace);
    applyObject(input);

    const live = readStream(entry.namespace, input.metadata.name ?? "");
    expect(live.spec).toStrictEqual(input.spec);
    expect(live.metadata.annotations).toStrictEqual(input.metadata.annotations);
    expect(live.metadata.labels).toStrictEqual(input.metadata.labels);
  });
});

describe("documentation example (Managing image streams, 6.2)", () => {
  it("accepts its spec, then its status through the status subresource", () => {
    const [seed] = loadStreams(join(conformanceDir, "seed-6.2.yaml"));
    if (!seed) throw new Error("seed-6.2.yaml holds no object");
    const namespace = namespaces[0] ?? `${namespacePrefix}-0`;
    const input = asAppliedIn(seed, namespace);
    const { status, ...withoutStatus } = input;

    applyObject(withoutStatus);
    const { name } = input.metadata;
    applyObject(
      { apiVersion: input.apiVersion, kind: input.kind, metadata: { name, namespace }, status },
      ["--subresource=status"],
    );

    const live = readStream(namespace, name ?? "");
    expect(live.spec).toStrictEqual(input.spec);
    expect(live.status).toStrictEqual(status);
    expect(live.metadata.labels).toStrictEqual(input.metadata.labels);
    expect(live.metadata.annotations).toStrictEqual(input.metadata.annotations);
  });
});
