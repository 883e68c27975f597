import { describe, expect, it } from "vitest";
import { ANN_TRIGGERS, type ImageStream, type TagReference } from "../../api/types.js";
import { specFingerprint } from "../../reconcile/index.js";
import {
  ANN_LAST_APPLIED_IMAGES,
  ANN_ROLLOUT_POLICY,
  ANN_ROLLOUT_STATUS,
} from "../../reconcile/triggers/index.js";
import { workload } from "../../reconcile/triggers/testdata.js";
import {
  explainWorkload,
  parseWorkloadTriggers,
  type StreamRead,
  streamsToRead,
} from "./explain.js";

const NOW = new Date("2024-05-01T12:00:00Z");
const D1 = `sha256:${"1".repeat(64)}`;
const REF = `quay.io/org/app@${D1}`;

function trigger(from: string, container: string, extra: object = {}) {
  return {
    from: { kind: "ImageStreamTag", name: from },
    fieldPath: `spec.template.spec.containers[?(@.name=="${container}")].image`,
    ...extra,
  };
}

function deployment(images: Record<string, string>, triggers: unknown) {
  return workload("Deployment", images, {
    annotations: {
      [ANN_TRIGGERS]: typeof triggers === "string" ? triggers : JSON.stringify(triggers),
    },
  });
}

/** Stream shop/app: v1 imported (REF), gone failed to import. */
function appStream(): ImageStream {
  const stream: ImageStream = {
    metadata: { name: "app", namespace: "shop", generation: 3 },
    spec: {
      tags: [
        { name: "v1", from: { kind: "DockerImage", name: "quay.io/org/app:1" }, generation: 2 },
        { name: "gone", from: { kind: "DockerImage", name: "quay.io/org/gone:1" }, generation: 3 },
      ],
    },
    status: { tags: [] },
  };
  const [v1, gone] = stream.spec?.tags ?? [];
  stream.status?.tags?.push(
    {
      tag: "v1",
      specHash: specFingerprint(stream, v1 as TagReference),
      items: [
        { created: "2024-05-01T11:58:00Z", dockerImageReference: REF, image: D1, generation: 2 },
      ],
    },
    {
      tag: "gone",
      specHash: specFingerprint(stream, gone as TagReference),
      items: null,
      conditions: [
        {
          type: "ImportSuccess",
          status: "False",
          reason: "NotFound",
          message: "manifest unknown",
          generation: 3,
          lastTransitionTime: "2024-05-01T11:59:00Z",
        },
      ],
    },
  );
  return stream;
}

const reads = (entries: [string, StreamRead][]) => new Map(entries);

describe("explainWorkload", () => {
  it("says per trigger what the operator does and the followed tag's state", () => {
    const w = deployment({ web: REF, side: "busybox", init: "x" }, [
      trigger("app:v1", "web"),
      trigger("app:gone", "side"),
      trigger("app:v1", "init", { paused: true }),
    ]);
    expect(
      explainWorkload(w, "deployment/app", reads([["shop/app", { stream: appStream() }]]), NOW),
    ).toBe(
      [
        "deployment/app in namespace shop: 3 image triggers",
        "",
        '[0] container "web" follows shop/app:v1',
        `    UpToDate: container "web" already runs shop/app:v1 (${REF})`,
        `    tag: * ${REF} (recorded 2 minutes ago)`,
        "",
        '[1] container "side" follows shop/app:gone',
        "    NoImage: image stream tag shop/app:gone has no image yet",
        "    tag: ! error: Import failed (NotFound): manifest unknown (About a minute ago)",
        "",
        '[2] container "init" follows shop/app:v1 (paused)',
        "    Paused: trigger on shop/app:v1 is paused",
        `    tag: * ${REF} (recorded 2 minutes ago)`,
      ].join("\n"),
    );
  });

  it("a container that does not run the tag's image yet: the operator's next write", () => {
    const w = deployment({ web: "busybox" }, [trigger("app:v1", "web")]);
    const text = explainWorkload(
      w,
      "deployment/app",
      reads([["shop/app", { stream: appStream() }]]),
      NOW,
    );
    expect(text).toContain(
      `    NewTrigger: the operator sets container "web" to ${REF} on its next pass (if this stays, check that the operator is running)`,
    );
  });

  it("a missing stream, an unreadable one and a broken trigger", () => {
    const w = deployment({ web: "busybox", side: "busybox" }, [
      trigger("wbe:v1", "web"),
      {
        ...trigger("app:v1", "side"),
        from: { kind: "ImageStreamTag", name: "app:v1", namespace: "lib" },
      },
      trigger("app:v1", "nope"),
    ]);
    const text = explainWorkload(
      w,
      "deployment/app",
      reads([
        ["shop/wbe", {}],
        ["lib/app", { error: "forbidden: cannot get imagestreams in lib" }],
      ]),
      NOW,
    );
    expect(text).toContain(
      '[0] container "web" follows shop/wbe:v1\n    NoImage: image stream tag shop/wbe:v1 has no image: image stream shop/wbe does not exist',
    );
    expect(text).toContain(
      '[1] container "side" follows lib/app:v1\n    CrossNamespaceNotAllowed: cross-namespace trigger not allowed',
    );
    expect(text).toContain(
      "    cannot read image stream lib/app: forbidden: cannot get imagestreams in lib",
    );
    expect(text).toMatch(
      /\n\nProblems:\n {2}! NoSuchContainer \(trigger \[2\]\): no such container: "nope"/,
    );
  });

  it("a tag the stream lacks, the workload's and the stream's Warnings from the operator", () => {
    const w = deployment({ web: "busybox" }, [trigger("app:lates", "web")]);
    const streamWarnings = {
      warnings: [
        { reason: "ImportFailed", note: "Import of tag gone failed", at: "2024-05-01T11:59:00Z" },
        { reason: "StatusUpdateRejected", note: "too large", at: "2024-05-01T11:58:00Z" },
      ],
    };
    const rejected = "the API server refused the update (web to x): Invalid (HTTP 422): denied";
    const text = explainWorkload(
      w,
      "deployment/app",
      reads([["shop/app", { stream: appStream(), warnings: streamWarnings }]]),
      NOW,
      {
        warnings: [
          { reason: "NoSuchTag", note: "old", at: "2024-05-01T10:00:00Z" },
          { reason: "ImageUpdateRejected", note: rejected, at: "2024-05-01T11:57:00Z" },
          { reason: "ImageUpdateRejected", note: rejected, at: "2024-05-01T11:59:00Z" },
        ],
      },
    );
    expect(text).toContain(
      '[0] container "web" follows shop/app:lates\n' +
        '    NoImage: image stream tag shop/app:lates has no image: image stream shop/app has no tag "lates"',
    );
    // tag conditions already show import failures: not repeated from Events
    expect(text).not.toContain("Import of tag gone failed");
    expect(text).toContain("    stream: ! StatusUpdateRejected (2 minutes ago): too large");
    expect(text).toMatch(
      new RegExp(
        "\n\nWarnings from the operator:\n" +
          " {2}! ImageUpdateRejected \\(About a minute ago\\): the API server refused the update .*\n" +
          " {2}! NoSuchTag \\(2 hours ago\\): old$",
      ),
    );
  });

  it("says when the Events cannot be read", () => {
    const w = deployment({ web: "busybox" }, [trigger("app:v1", "web")]);
    const text = explainWorkload(w, "deployment/app", reads([]), NOW, {
      warnings: [],
      error: "forbidden: cannot list events",
    });
    expect(text).toMatch(/\n\nEvents: cannot read them: forbidden: cannot list events$/);
  });

  it("a workload without triggers, or with an annotation that does not parse", () => {
    const plain = workload("Deployment", { web: "busybox" });
    expect(explainWorkload(plain, "deployment/app", reads([]), NOW)).toBe(
      `deployment/app in namespace shop has no valid image triggers (annotation ${ANN_TRIGGERS})`,
    );
    const broken = deployment({ web: "busybox" }, "[{");
    expect(explainWorkload(broken, "deployment/app", reads([]), NOW)).toMatch(
      /has no valid image triggers .*\n\nProblems:\n {2}! InvalidJSON: /,
    );
  });
});

describe("streamsToRead", () => {
  it("lists each followed stream once", () => {
    const w = deployment({ a: "x", b: "x", c: "x" }, [
      trigger("app:v1", "a"),
      trigger("app:v2", "b"),
      {
        ...trigger("base:1", "c"),
        from: { kind: "ImageStreamTag", name: "base:1", namespace: "lib" },
      },
    ]);
    expect(streamsToRead(parseWorkloadTriggers(w))).toEqual([
      { namespace: "shop", name: "app" },
      { namespace: "lib", name: "base" },
    ]);
  });
});

describe("explainWorkload: safe rollouts (ADR 0030)", () => {
  const D2 = `sha256:${"2".repeat(64)}`;
  const REF2 = `quay.io/org/app@${D2}`;
  /** shop/app:v1 moved from REF to REF2 a minute ago */
  function movedStream(): ImageStream {
    const stream = appStream();
    const v1 = stream.status?.tags?.find((t) => t.tag === "v1");
    v1?.items?.unshift({
      created: "2024-05-01T11:59:00Z",
      dockerImageReference: REF2,
      image: D2,
      generation: 2,
    });
    return stream;
  }
  const record = (image: string) => ({
    [ANN_LAST_APPLIED_IMAGES]: JSON.stringify({ [WEB]: image }),
  });
  const WEB = 'spec.template.spec.containers[?(@.name=="web")].image';

  function followed(images: Record<string, string>, annotations: Record<string, string>) {
    const w = deployment(images, [trigger("app:v1", "web")]);
    w.metadata = { ...w.metadata, annotations: { ...w.metadata?.annotations, ...annotations } };
    return w;
  }

  it("a move held by the policy: the policy, and when it rolls", () => {
    const w = followed(
      { web: REF },
      {
        ...record(REF),
        [ANN_ROLLOUT_POLICY]: JSON.stringify({ soak: "10m", progressDeadline: "5m" }),
      },
    );
    const text = explainWorkload(
      w,
      "deployment/app",
      reads([["shop/app", { stream: movedStream() }]]),
      NOW,
    );
    expect(text).toContain("rollout policy: progressDeadline 5m, rollback, soak 10m");
    expect(text).toContain(
      `    Waiting: image stream tag shop/app:v1 moved to ${REF2}; it rolls at 2024-05-01T12:09:00.000Z: soak`,
    );
  });

  it("a failed rollout and a refused digest, from the operator's record", () => {
    const failed = followed(
      { web: REF },
      {
        ...record(REF2),
        [ANN_ROLLOUT_POLICY]: JSON.stringify({ progressDeadline: "5m" }),
        [ANN_ROLLOUT_STATUS]: JSON.stringify({
          [WEB]: {
            phase: "Failed",
            image: REF2,
            previous: REF,
            since: "2024-05-01T11:59:30Z",
            reason: "ProgressDeadlineExceeded",
            message: "timed out",
            rolledBack: true,
          },
        }),
      },
    );
    const streams = reads([["shop/app", { stream: movedStream() }]]);
    expect(explainWorkload(failed, "deployment/app", streams, NOW)).toContain(
      `    RolloutFailed: the rollout of ${REF2} failed at 2024-05-01T11:59:30Z (ProgressDeadlineExceeded: timed out); ` +
        `container "web" was set back to ${REF}; it is not rolled again until image stream tag shop/app:v1 moves to another digest`,
    );
    const refused = followed(
      { web: REF },
      {
        ...record(REF),
        [ANN_ROLLOUT_STATUS]: JSON.stringify({
          [WEB]: {
            phase: "Refused",
            image: REF2,
            since: "2024-05-01T11:59:30Z",
            reason: "PlatformMismatch",
            message: "amd64 only",
          },
        }),
      },
    );
    expect(explainWorkload(refused, "deployment/app", streams, NOW)).toContain(
      `    Refused: ${REF2} is not written: amd64 only`,
    );
  });

  it("a rollout being followed", () => {
    const w = followed(
      { web: REF2 },
      {
        [ANN_LAST_APPLIED_IMAGES]: JSON.stringify({ [WEB]: REF2 }),
        [ANN_ROLLOUT_POLICY]: JSON.stringify({ progressDeadline: "5m" }),
        [ANN_ROLLOUT_STATUS]: JSON.stringify({
          [WEB]: {
            phase: "Progressing",
            image: REF2,
            previous: REF,
            since: "2024-05-01T11:59:30Z",
          },
        }),
      },
    );
    const text = explainWorkload(
      w,
      "deployment/app",
      reads([["shop/app", { stream: movedStream() }]]),
      NOW,
    );
    expect(text).toContain(
      `    rollout: following ${REF2} since 2024-05-01T11:59:30Z (30 seconds ago); fails if not healthy by 2024-05-01T12:04:30.000Z, then set back to ${REF}`,
    );
  });
});
