import { describe, expect, it } from "vitest";
import { rolloutHealth, type WorkloadHealthView } from "./health.js";

const SINCE = Date.parse("2026-12-02T10:00:00Z");
const DEADLINE = 300_000;

function view(kind: WorkloadHealthView["kind"], status: object, spec: object = {}, generation = 2) {
  return { kind, metadata: { generation }, spec, status };
}

const progressing = (reason: string, status = "True", at = "2026-12-02T10:00:30Z") => ({
  conditions: [
    { type: "Progressing", status, reason, message: `${reason} message`, lastUpdateTime: at },
  ],
});

describe("rolloutHealth", () => {
  it.each<[string, WorkloadHealthView, string]>([
    [
      "Deployment not observed yet",
      view("Deployment", {
        observedGeneration: 1,
        ...progressing("ProgressDeadlineExceeded", "False"),
      }),
      "Progressing",
    ],
    [
      "Deployment past its own progress deadline",
      view("Deployment", {
        observedGeneration: 2,
        ...progressing("ProgressDeadlineExceeded", "False"),
      }),
      "Failed",
    ],
    [
      "Deployment with old replicas left",
      view(
        "Deployment",
        { observedGeneration: 2, replicas: 3, updatedReplicas: 2, availableReplicas: 2 },
        { replicas: 2 },
      ),
      "Progressing",
    ],
    [
      "Deployment updated but not available",
      view(
        "Deployment",
        { observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 1 },
        { replicas: 2 },
      ),
      "Progressing",
    ],
    [
      "Deployment done",
      view(
        "Deployment",
        { observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 2 },
        { replicas: 2 },
      ),
      "Healthy",
    ],
    [
      "Deployment scaled to zero",
      view("Deployment", { observedGeneration: 2 }, { replicas: 0 }),
      "Healthy",
    ],
    [
      "StatefulSet ready",
      view(
        "StatefulSet",
        { observedGeneration: 2, updatedReplicas: 3, readyReplicas: 3 },
        { replicas: 3 },
      ),
      "Healthy",
    ],
    [
      "StatefulSet not ready",
      view(
        "StatefulSet",
        { observedGeneration: 2, updatedReplicas: 3, readyReplicas: 2 },
        { replicas: 3 },
      ),
      "Progressing",
    ],
    [
      "DaemonSet available everywhere",
      view("DaemonSet", {
        observedGeneration: 2,
        desiredNumberScheduled: 4,
        updatedNumberScheduled: 4,
        numberAvailable: 4,
      }),
      "Healthy",
    ],
    [
      "DaemonSet updating",
      view("DaemonSet", {
        observedGeneration: 2,
        desiredNumberScheduled: 4,
        updatedNumberScheduled: 3,
        numberAvailable: 4,
      }),
      "Progressing",
    ],
    [
      "CronJob before its next run",
      view("CronJob", {
        lastScheduleTime: "2026-12-02T09:00:00Z",
        lastSuccessfulTime: "2026-12-02T09:00:10Z",
      }),
      "Progressing",
    ],
    [
      "CronJob's next Job running",
      view("CronJob", { lastScheduleTime: "2026-12-02T10:01:00Z", active: [{}] }),
      "Progressing",
    ],
    [
      "CronJob's next Job succeeded",
      view("CronJob", {
        lastScheduleTime: "2026-12-02T10:01:00Z",
        lastSuccessfulTime: "2026-12-02T10:01:30Z",
      }),
      "Healthy",
    ],
    [
      "CronJob's next Job failed",
      view("CronJob", {
        lastScheduleTime: "2026-12-02T10:01:00Z",
        lastSuccessfulTime: "2026-12-02T09:00:10Z",
      }),
      "Failed",
    ],
  ])("%s: %s", (_name, workload, state) => {
    expect(rolloutHealth(workload, SINCE, DEADLINE, SINCE + 60_000).state).toBe(state);
  });

  it("the policy's deadline fails what is still progressing, except a CronJob's wait for its run", () => {
    const slow = view(
      "Deployment",
      { observedGeneration: 2, replicas: 1, updatedReplicas: 1 },
      { replicas: 1 },
    );
    const health = rolloutHealth(slow, SINCE, DEADLINE, SINCE + DEADLINE);
    expect(health).toMatchObject({ state: "Failed", reason: "ProgressDeadline" });
    expect(health.detail).toBe(
      "not healthy 300s after the write: 1 of 1 replicas updated, 0 available",
    );
    const cron = view("CronJob", {});
    expect(rolloutHealth(cron, SINCE, DEADLINE, SINCE + 10 * DEADLINE).state).toBe("Progressing");
  });

  it("a ProgressDeadlineExceeded from before the write is not this rollout's", () => {
    const stale = view("Deployment", {
      observedGeneration: 2,
      ...progressing("ProgressDeadlineExceeded", "False", "2026-12-02T09:59:00Z"),
    });
    expect(rolloutHealth(stale, SINCE, DEADLINE, SINCE + 60_000).state).toBe("Progressing");
  });

  it("names the Deployment controller's reason and message", () => {
    const failed = rolloutHealth(
      view("Deployment", {
        observedGeneration: 2,
        ...progressing("ProgressDeadlineExceeded", "False"),
      }),
      SINCE,
      DEADLINE,
      SINCE,
    );
    expect(failed).toEqual({
      state: "Failed",
      reason: "ProgressDeadlineExceeded",
      detail: "ProgressDeadlineExceeded message",
    });
  });
});
