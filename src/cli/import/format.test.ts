import { describe, expect, it } from "vitest";
import { formatImportReport } from "./format.js";

const DIGEST = `sha256:${"d".repeat(64)}`;

describe("formatImportReport", () => {
  it("prints what was imported on stdout and what failed on stderr", () => {
    const report = formatImportReport(
      "app",
      [
        {
          tag: "v1",
          progress: {
            state: "imported",
            event: {
              created: "",
              dockerImageReference: `quay.io/app@${DIGEST}`,
              image: DIGEST,
              generation: 3,
            },
          },
        },
        {
          tag: "ref",
          progress: {
            state: "imported",
            event: {
              created: "",
              dockerImageReference: "quay.io/app:ref",
              image: "",
              generation: 3,
            },
          },
        },
        {
          tag: "copy",
          progress: {
            state: "imported",
            event: {
              created: "",
              dockerImageReference: "quay.io/app:v1",
              image: DIGEST,
              generation: 3,
            },
          },
        },
        {
          tag: "v2",
          progress: { state: "failed", reason: "NotFound", message: "manifest unknown" },
        },
      ],
      60_000,
    );
    expect(report).toEqual({
      ok: false,
      stdout: [
        `Tag app:v1 imported: quay.io/app@${DIGEST}`,
        "Tag app:ref imported: quay.io/app:ref",
        `Tag app:copy imported: quay.io/app:v1 (${DIGEST})`,
      ],
      stderr: ["error: tag app:v2 failed: Import failed (NotFound): manifest unknown"],
    });
  });

  it("says why a wait timed out", () => {
    const report = formatImportReport(
      "app",
      [
        { tag: "a", progress: { state: "requested" } },
        { tag: "b", progress: { state: "importing" } },
        { tag: "c", progress: { state: "removed" } },
      ],
      90_000,
    );
    expect(report.ok).toBe(false);
    expect(report.stdout).toEqual([]);
    expect(report.stderr).toEqual([
      "error: tag app:a: timed out after 90s: the operator did not pick up the request (is the imagestream operator running?)",
      "error: tag app:b: timed out after 90s waiting for the import to finish",
      "error: tag app:c was removed from the image stream while waiting",
    ]);
  });

  it("is ok when everything was imported", () => {
    expect(formatImportReport("app", [], 1000)).toEqual({ ok: true, stdout: [], stderr: [] });
  });
});

describe("the Manifests block after a PreserveOriginal import (seed 6.7.2)", () => {
  const list = `sha256:${"1".repeat(64)}`;
  const amd = `sha256:${"a".repeat(64)}`;
  const arm = `sha256:${"b".repeat(64)}`;
  const imported = {
    state: "imported" as const,
    event: { created: "", dockerImageReference: `r/app@${list}`, image: list, generation: 2 },
  };
  const manifest = (digest: string, architecture: string, variant?: string) => ({
    digest,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    manifestSize: 1,
    os: "linux",
    architecture,
    ...(variant ? { variant } : {}),
  });

  it("prints one os/arch digest line per platform under the tag's line", () => {
    const report = formatImportReport(
      "app",
      [
        {
          tag: "v1",
          progress: imported,
          manifests: { manifests: [manifest(amd, "amd64"), manifest(arm, "arm", "v7")] },
        },
      ],
      1000,
    );
    expect(report.stdout).toEqual([
      `Tag app:v1 imported: r/app@${list}`,
      `Manifests:  linux/amd64   ${amd}`,
      `            linux/arm/v7  ${arm}`,
    ]);
  });

  it("prints nothing for an image that is no list, and says why the platforms are unknown", () => {
    const plain = formatImportReport(
      "app",
      [{ tag: "v1", progress: imported, manifests: { manifests: [] } }],
      1,
    );
    expect(plain.stdout).toEqual([`Tag app:v1 imported: r/app@${list}`]);
    const unreadable = formatImportReport(
      "app",
      [{ tag: "v1", progress: imported, manifests: { error: "forbidden: images is forbidden" } }],
      1,
    );
    expect(unreadable.stdout[1]).toBe("Manifests:  cannot be read: forbidden: images is forbidden");
    expect(unreadable.ok).toBe(true);
  });
});
