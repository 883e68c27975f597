import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FUZZ_TIMEOUT_MS, fuzzParameters, hostileText, timed } from "../testing/fuzz.js";
import { parseImageConfig } from "./config.js";
import { type ManifestDocument, MEDIA_TYPES, parseManifest } from "./manifest.js";
import { isValidDigest } from "./reference.js";
import { ImportError } from "./types.js";

const d = (c: string) => `sha256:${c.repeat(64)}`;
const MANIFEST_SEEDS: unknown[] = [
  {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.dockerManifest,
    config: { mediaType: MEDIA_TYPES.dockerConfig, digest: d("a"), size: 1469 },
    layers: [
      { mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip", digest: d("b"), size: 3 },
    ],
  },
  {
    schemaVersion: 2,
    config: { mediaType: MEDIA_TYPES.ociConfig, digest: d("c"), size: 10 },
    layers: [],
  },
  {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociIndex,
    manifests: [
      {
        mediaType: MEDIA_TYPES.ociManifest,
        digest: d("d"),
        size: 7,
        platform: { os: "linux", architecture: "amd64" },
      },
      {
        mediaType: MEDIA_TYPES.ociManifest,
        digest: d("e"),
        size: 7,
        platform: { os: "linux", architecture: "arm64", variant: "v8" },
      },
    ],
  },
  { schemaVersion: 1, name: "x", tag: "y", fsLayers: [] },
];
const CONFIG_SEEDS: unknown[] = [
  {
    architecture: "amd64",
    os: "linux",
    created: "2024-01-01T00:00:00Z",
    config: {
      Env: ["A=1"],
      Cmd: ["sh"],
      ExposedPorts: { "80/tcp": {} },
      Labels: { a: "b" },
      User: "1000",
    },
  },
];
const CONTENT_TYPES = [
  undefined,
  "application/json",
  MEDIA_TYPES.dockerList,
  MEDIA_TYPES.ociManifest,
  "text/html; charset=utf-8",
  "",
];

function checkDocument(document: ManifestDocument): void {
  const descriptors =
    document.kind === "list"
      ? document.manifests
      : [document.config, ...document.layers.map((l) => ({ digest: l.name, size: l.size }))];
  for (const descriptor of descriptors) {
    const digest = "digest" in descriptor ? descriptor.digest : "";
    expect(isValidDigest(digest)).toBe(true);
    const size = "size" in descriptor ? descriptor.size : descriptor.manifestSize;
    expect(Number.isSafeInteger(size) && size >= 0).toBe(true);
  }
}

describe("parseManifest on hostile registry answers", () => {
  it(
    "parses an image or an index, or fails with InternalError/Unsupported",
    () => {
      fc.assert(
        fc.property(
          hostileText(
            MANIFEST_SEEDS.map((s) => JSON.stringify(s)),
            MANIFEST_SEEDS,
          ),
          fc.constantFrom(...CONTENT_TYPES),
          (text, contentType) => {
            try {
              checkDocument(
                timed("parseManifest", () =>
                  parseManifest(Buffer.from(text), contentType, "r.io", "r.io/a:b"),
                ),
              );
            } catch (error) {
              if (!(error instanceof ImportError)) throw error;
              expect(["InternalError", "Unsupported"]).toContain(error.reason);
              expect(error.message.length).toBeLessThan(300);
            }
          },
        ),
        fuzzParameters(2000),
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    "parses arbitrary bytes without throwing anything but ImportError",
    () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
          try {
            parseManifest(Buffer.from(bytes), undefined, "r.io", "r.io/a:b");
          } catch (error) {
            expect(error).toBeInstanceOf(ImportError);
          }
        }),
        fuzzParameters(1000),
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    "reads back every descriptor of a generated index or image manifest",
    () => {
      const descriptor = fc.record({
        mediaType: fc.constantFrom(
          MEDIA_TYPES.ociManifest,
          MEDIA_TYPES.dockerManifest,
          "application/x-other",
        ),
        digest: fc.stringMatching(/^[0-9a-f]{64}$/).map((h) => `sha256:${h}`),
        size: fc.maxSafeNat(),
      });
      const platform = fc.record({
        os: fc.string({ maxLength: 8 }),
        architecture: fc.string({ maxLength: 8 }),
      });
      fc.assert(
        fc.property(
          fc.array(fc.tuple(descriptor, platform), { maxLength: 6 }),
          descriptor,
          (entries, config) => {
            const index = {
              schemaVersion: 2,
              mediaType: MEDIA_TYPES.ociIndex,
              manifests: entries.map(([e, p]) => ({ ...e, platform: p })),
            };
            const list = parseManifest(
              Buffer.from(JSON.stringify(index)),
              undefined,
              "r.io",
              "ref",
            );
            expect(list).toEqual({
              kind: "list",
              mediaType: MEDIA_TYPES.ociIndex,
              manifests: entries.map(([e, p]) => ({
                digest: e.digest,
                mediaType: e.mediaType,
                manifestSize: e.size,
                os: p.os,
                architecture: p.architecture,
              })),
            });
            const image = {
              schemaVersion: 2,
              mediaType: MEDIA_TYPES.ociManifest,
              config,
              layers: entries.map(([e]) => e),
            };
            const parsed = parseManifest(
              Buffer.from(JSON.stringify(image)),
              undefined,
              "r.io",
              "ref",
            );
            expect(parsed).toEqual({
              kind: "image",
              mediaType: MEDIA_TYPES.ociManifest,
              config,
              layers: entries.map(([e]) => ({
                name: e.digest,
                size: e.size,
                mediaType: e.mediaType,
              })),
            });
          },
        ),
        fuzzParameters(1000),
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});

describe("parseImageConfig on hostile config blobs", () => {
  it(
    "keeps only fields of the right type, or fails with InternalError",
    () => {
      fc.assert(
        fc.property(
          hostileText(
            CONFIG_SEEDS.map((s) => JSON.stringify(s)),
            CONFIG_SEEDS,
          ),
          (text) => {
            try {
              const metadata = timed("parseImageConfig", () =>
                parseImageConfig(Buffer.from(text), "r.io"),
              );
              for (const field of [
                "architecture",
                "os",
                "variant",
                "created",
                "author",
                "user",
                "workingDir",
              ] as const) {
                if (metadata[field] !== undefined) expect(typeof metadata[field]).toBe("string");
              }
              for (const field of ["entrypoint", "cmd", "env", "exposedPorts"] as const) {
                for (const item of metadata[field] ?? []) expect(typeof item).toBe("string");
              }
              for (const value of Object.values(metadata.labels ?? {}))
                expect(typeof value).toBe("string");
            } catch (error) {
              if (!(error instanceof ImportError)) throw error;
              expect(error.reason).toBe("InternalError");
            }
          },
        ),
        fuzzParameters(1500),
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});
