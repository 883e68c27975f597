import { describe, expect, it } from "vitest";
import type { ImageStream } from "../../api/types.js";
import type { ImageStreamWriter } from "../imagestream-writer.js";
import { recordingWriter, SupersededVersions } from "./own-writes.js";

describe("SupersededVersions", () => {
  it("reports versions our writes replaced as stale until the cache moves on", () => {
    const v = new SupersededVersions();
    v.record("ns/a", "10", "11");
    v.record("ns/a", "11", "12");
    expect(v.isStale("ns/a", "10")).toBe(true);
    expect(v.isStale("ns/a", "11")).toBe(true);
    expect(v.isStale("ns/b", "10")).toBe(false);
    expect(v.isStale("ns/a", "12")).toBe(false); // caught up: record dropped
    expect(v.isStale("ns/a", "10")).toBe(false);
  });

  it("ignores writes that changed nothing (same version back: no watch event will come)", () => {
    const v = new SupersededVersions();
    v.record("ns/a", "10", "10");
    v.record("ns/a", undefined, "11");
    expect(v.isStale("ns/a", "10")).toBe(false);
  });
});

describe("recordingWriter", () => {
  const stream = (rv: string): ImageStream => ({
    metadata: { namespace: "ns", name: "a", resourceVersion: rv },
  });
  it("records the version each write replaced", async () => {
    let next = 20;
    const bump = async () => stream(String(next++));
    const inner = {
      patchSpec: bump,
      writeStatus: bump,
      setAnnotation: bump,
    } as unknown as ImageStreamWriter;
    const v = new SupersededVersions();
    const w = recordingWriter(inner, v);
    const s1 = await w.patchSpec(stream("19"), []);
    await w.writeStatus(s1, {});
    expect(v.isStale("ns/a", "19")).toBe(true);
    expect(v.isStale("ns/a", "20")).toBe(true);
  });
});
