import { describe, expect, it } from "vitest";
import { imageStreamTag, imageView } from "../../reconcile/image-views.js";
import { digest, dockerTag, makeStream, NOW, statusTag } from "../../reconcile/test-fixtures.js";
import { describeImage, describeTagWithoutImage, humanSize, manifestLines } from "./image.js";

const A = digest("a");
const image = imageView({
  metadata: { name: A.replace(":", "."), creationTimestamp: "2026-01-01T11:58:00Z" },
  digest: A,
  dockerImageReference: `centos/python-35-centos7@${A}`,
  size: 251_234_567,
  layers: [
    { name: digest("1"), size: 2_898_000, mediaType: "l" },
    { name: digest("2"), size: 72_260_000, mediaType: "l" },
    { name: digest("3"), size: 0, mediaType: "l" },
  ],
  config: {
    created: "2025-12-18T12:00:00Z",
    architecture: "amd64",
    os: "linux",
    entrypoint: ["container-entrypoint"],
    cmd: ["/bin/sh", "-c", "$STI_SCRIPTS_PATH/usage"],
    workingDir: "/opt/app-root/src",
    user: "1001",
    exposedPorts: ["8443/tcp", "8080/tcp"],
    labels: { "build-date": "20170801", name: "python" },
    env: ["PATH=/usr/bin", "HOME=/opt/app-root"],
  },
});

describe("describe istag / isimage", () => {
  it("prints oc's fields in the seed's order", () => {
    expect(describeImage(image, A, NOW).split("\n")).toEqual([
      `Image Name:     ${A}`,
      `Docker Image:   centos/python-35-centos7@${A}`,
      `Name:           ${A}`,
      "Created:        2 minutes ago",
      "Image Size:     251.2 MB (first layer 2.898 MB, last binary layer 72.26 MB)",
      "Image Created:  2 weeks ago",
      "Author:         <none>",
      "Arch:           amd64",
      "Entrypoint:     container-entrypoint",
      "Command:        /bin/sh -c $STI_SCRIPTS_PATH/usage",
      "Working Dir:    /opt/app-root/src",
      "User:           1001",
      "Exposes Ports:  8080/tcp, 8443/tcp",
      "Docker Labels:  build-date=20170801",
      "                name=python",
      "Environment:    PATH=/usr/bin",
      "                HOME=/opt/app-root",
    ]);
  });

  it("a manifest list: no size, Arch <none>, one os/arch digest line per platform", () => {
    const list = imageView({
      metadata: { name: A.replace(":", ".") },
      digest: A,
      dockerImageReference: `busybox@${A}`,
      dockerImageManifests: [
        {
          digest: digest("1"),
          mediaType: "m",
          manifestSize: 1,
          os: "linux",
          architecture: "amd64",
        },
        {
          digest: digest("2"),
          mediaType: "m",
          manifestSize: 1,
          os: "linux",
          architecture: "arm",
          variant: "v7",
        },
      ],
    });
    const lines = describeImage(list, A, NOW).split("\n");
    expect(lines).toContain("Image Size:     <none>");
    expect(lines).toContain("Arch:           <none>");
    const at = lines.indexOf(`Manifests:      linux/amd64 ${digest("1")}`);
    expect(at).toBeGreaterThan(lines.indexOf("Arch:           <none>"));
    expect(lines[at + 1]).toBe(`                linux/arm/v7 ${digest("2")}`);
    expect(lines).toContain("Command:        <none>");
    expect(manifestLines(list.dockerImageManifests ?? [])).toEqual([
      `linux/amd64 ${digest("1")}`,
      `linux/arm/v7 ${digest("2")}`,
    ]);
  });

  it("layer counts as oc reads them: none (Layer Size), one, only empty layers", () => {
    const base = { metadata: { name: "x" }, digest: A, dockerImageReference: "r", size: 1500 };
    const size = (layers: { size: number }[]) =>
      describeImage(
        imageView({ ...base, layers: layers.map((l) => ({ ...l, name: "l", mediaType: "m" })) }),
        A,
        NOW,
      )
        .split("\n")
        .find((l) => l.includes("Size:"));
    expect(size([])).toBe("Layer Size:     1.5 kB");
    expect(size([{ size: 1500 }])).toBe("Image Size:     1.5 kB");
    expect(size([{ size: 0 }, { size: 0 }])).toBe("Image Size:     1.5 kB");
    expect(size([{ size: 0 }, { size: 1500 }])).toBe(
      "Image Size:     1.5 kB (last binary layer 1.5 kB)",
    );
  });

  it.each([
    [0, "0 B"],
    [999, "999 B"],
    [1000, "1 kB"],
    [1390, "1.39 kB"],
    [251_234_567, "251.2 MB"],
    [72_260_000, "72.26 MB"],
    [3_000_000_000, "3 GB"],
  ])("humanSize(%i) = %s", (bytes, text) => {
    expect(humanSize(bytes)).toBe(text);
  });

  it("a tag without image metadata shows what its view holds, and the import failure", () => {
    const stream = makeStream({
      tags: [dockerTag("v1", "quay.io/org/app:v1")],
      status: [
        statusTag("v1", [], {
          conditions: [
            {
              type: "ImportSuccess",
              status: "False",
              reason: "NotFound",
              message: "no such tag",
              generation: 1,
            },
          ],
        }),
      ],
    });
    const view = imageStreamTag(stream, "v1", undefined);
    if (!view) throw new Error("no view");
    expect(describeTagWithoutImage(view, NOW).split("\n")).toEqual([
      "Image Name:     <none>",
      "Docker Image:   quay.io/org/app:v1",
      "Name:           <none>",
      "Created:        <none>",
      "Image Size:     <unknown: no image metadata>",
      "Import Error:   NotFound: no such tag",
    ]);
  });
});
