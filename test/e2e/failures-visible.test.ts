// Failures where the user looks (issue 8): against the real API server, with
// the real operator under its ServiceAccount and the CLI as a child process.
// - the API server's answers to our three kinds of failed write (a failed
//   JSON-patch test guard, a validation error, a policy denial) are what the
//   one conflict rule (src/controllers/kube-errors.ts) expects;
// - a trigger's image write denied by a ValidatingAdmissionPolicy is one
//   ImageUpdateRejected Warning with the API server's reason, shown by `why`;
// - a trigger naming a tag the stream lacks is a NoSuchTag Warning, shown by
//   `why`; a stream that does not exist is one NoSuchStream Warning.
import {
  AdmissionregistrationV1Api,
  type EventsV1Event,
  PatchStrategy,
  setHeaderOptions,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apps,
  createNamespace,
  createStream,
  createWorkload,
  custom,
  deleteNamespace,
  eventsFor,
  eventually,
  pushToRegistry,
  readWorkload,
  sleep,
  triggersJson,
  waitForEvent,
  waitForTagImage,
} from "../../bench/trigger-cluster.js";
import { ANN_TRIGGERS, GROUP, IMAGESTREAM_PLURAL, VERSION } from "../../src/api/types.js";
import { REPORTING_CONTROLLER } from "../../src/controllers/events.js";
import { classifyWriteFailure } from "../../src/controllers/kube-errors.js";
import { saveOperatorLog } from "./imports-support.js";
import { cli } from "./support/cli.js";
import { adminKubeConfig } from "./support/env.js";
import { type RunningOperator, startOperator } from "./support/operator.js";

const admission = adminKubeConfig.makeApiClient(AdmissionregistrationV1Api);
const WEB_PATH = 'spec.template.spec.containers[?(@.name=="web")].image';
const STREAMS = { group: GROUP, version: VERSION, plural: IMAGESTREAM_PLURAL };
const jsonPatch = setHeaderOptions("Content-Type", PatchStrategy.JsonPatch);
const strategic = setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch);
/** the Deployment the policy pins to busybox */
const PINNED = "pinned";

let operator: RunningOperator;
let ns: string;
let policy: string;

/** The answer of a write that must fail. */
async function failure(write: () => Promise<unknown>): Promise<unknown> {
  try {
    await write();
  } catch (err) {
    return err;
  }
  throw new Error("the write succeeded");
}

function setImage(name: string, image: string, dryRun = false) {
  return apps.patchNamespacedDeployment(
    {
      namespace: ns,
      name,
      body: { spec: { template: { spec: { containers: [{ name: "web", image }] } } } },
      ...(dryRun ? { dryRun: "All" } : {}),
    },
    strategic,
  );
}

/** Denies any update of Deployment `pinned` in this namespace that runs anything but busybox. */
async function pinToBusybox(): Promise<void> {
  await admission.createValidatingAdmissionPolicy({
    body: {
      metadata: { name: policy },
      spec: {
        failurePolicy: "Fail",
        matchConstraints: {
          resourceRules: [
            {
              apiGroups: ["apps"],
              apiVersions: ["v1"],
              operations: ["UPDATE"],
              resources: ["deployments"],
              resourceNames: [PINNED],
            },
          ],
        },
        validations: [
          {
            expression: "object.spec.template.spec.containers.all(c, c.image == 'busybox')",
            message: "this Deployment is pinned to busybox",
          },
        ],
      },
    },
  });
  await admission.createValidatingAdmissionPolicyBinding({
    body: {
      metadata: { name: policy },
      spec: {
        policyName: policy,
        validationActions: ["Deny"],
        matchResources: {
          namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } },
        },
      },
    },
  });
  // a new policy takes a moment to be enforced: wait until a dry run is denied
  await eventually("the admission policy to be enforced", async () => {
    const denied = await setImage(PINNED, "nginx", true).then(
      () => false,
      () => true,
    );
    return denied;
  });
}

/** Our Warning Events about one object, by reason. */
async function warnings(name: string, reason: string): Promise<EventsV1Event[]> {
  return (await eventsFor(ns, name)).filter(
    (e) =>
      e.type === "Warning" && e.reason === reason && e.reportingController === REPORTING_CONTROLLER,
  );
}

beforeAll(async () => {
  ns = await createNamespace("failvis");
  policy = `e2e-${ns}`;
  operator = await startOperator();
  const pushed = await pushToRegistry(`${ns}/app`, "v1");
  await createStream(ns, "app", { v1: `${ns}/app:v1` });
  await waitForTagImage(ns, "app", "v1", pushed.digest);
}, 60_000);

afterAll(async () => {
  if (operator) saveOperatorLog(operator, "failures-visible");
  await operator?.stop();
  await admission.deleteValidatingAdmissionPolicyBinding({ name: policy }).catch(() => undefined);
  await admission.deleteValidatingAdmissionPolicy({ name: policy }).catch(() => undefined);
  if (ns) await deleteNamespace(ns);
});

describe("the API server's failed writes, as the one conflict rule reads them", () => {
  it("a failed test guard is a conflict; a validation error and a policy denial are invalid", async () => {
    const guardFailed = await failure(() =>
      custom.patchNamespacedCustomObject(
        {
          ...STREAMS,
          namespace: ns,
          name: "app",
          body: [
            { op: "test", path: "/metadata/resourceVersion", value: "1" },
            { op: "add", path: "/metadata/labels", value: { a: "b" } },
          ],
        },
        jsonPatch,
      ),
    );
    expect(classifyWriteFailure(guardFailed)).toBe("conflict");
    const invalid = await failure(() =>
      custom.patchNamespacedCustomObject(
        {
          ...STREAMS,
          namespace: ns,
          name: "app",
          body: [{ op: "add", path: "/spec/tags/0/name", value: 5 }],
        },
        jsonPatch,
      ),
    );
    expect(classifyWriteFailure(invalid)).toBe("invalid");
  });
});

describe("a trigger's write the API server refuses", () => {
  it("is one ImageUpdateRejected Warning with the policy's message, and `why` shows it", async () => {
    await createWorkload("Deployment", ns, { name: PINNED, containers: { web: "busybox" } });
    await pinToBusybox();
    const denied = await failure(() => setImage(PINNED, "nginx", true));
    expect(classifyWriteFailure(denied)).toBe("invalid");

    const triggers = triggersJson([{ name: "app:v1", fieldPath: WEB_PATH }]);
    await apps.patchNamespacedDeployment(
      {
        namespace: ns,
        name: PINNED,
        body: { metadata: { annotations: { [ANN_TRIGGERS]: triggers } } },
      },
      strategic,
    );
    const event = await waitForEvent(ns, PINNED, "ImageUpdateRejected");
    expect(event.type).toBe("Warning");
    expect(event.note).toContain("Invalid (HTTP 422)");
    expect(event.note).toContain("this Deployment is pinned to busybox");
    expect(event.note).toContain(`from ${ns}/app:v1`);
    // the queue retries with backoff (several attempts in these seconds): one Event
    await sleep(4_000);
    const rejected = await warnings(PINNED, "ImageUpdateRejected");
    const attempts = operator
      .logs()
      .split("\n")
      .filter(
        (l) => l.includes(`Deployment/${ns}/${PINNED}`) && l.includes("retrying with backoff"),
      );
    console.log(
      `refused writes: ${attempts.length} reconcile attempts, ${rejected.length} ImageUpdateRejected Event(s)`,
    );
    expect(rejected).toHaveLength(1);
    expect((await readWorkload("Deployment", ns, PINNED)).containers.web).toBe("busybox");

    const why = await cli("why", `deployment/${PINNED}`, "-n", ns);
    expect(why.code, why.stderr).toBe(0);
    expect(why.stdout).toMatch(
      /\n\nWarnings from the operator:\n {2}! ImageUpdateRejected \(.+ ago\): the API server refused the update \(web to \S+ from \S+\/app:v1\): Invalid \(HTTP 422\): .*pinned to busybox/,
    );
  });
});

describe("a trigger that cannot resolve", () => {
  it("naming a tag the stream lacks: a NoSuchTag Warning, and `why` says which tag", async () => {
    const triggers = triggersJson([{ name: "app:lates", fieldPath: WEB_PATH }]);
    await createWorkload("Deployment", ns, {
      name: "typo",
      triggers,
      containers: { web: "busybox" },
    });
    const event = await waitForEvent(ns, "typo", "NoSuchTag");
    expect(event.type).toBe("Warning");
    expect(event.note).toBe(
      `${ANN_TRIGGERS}[0]: image stream ${ns}/app has no tag "lates": check from.name "app:lates", ` +
        "or add the tag (kubectl imagestream tag SOURCE app:lates)",
    );
    const why = await cli("why", "deployment/typo", "-n", ns);
    expect(why.code, why.stderr).toBe(0);
    expect(why.stdout).toContain(
      `    NoImage: image stream tag ${ns}/app:lates has no image: image stream ${ns}/app has no tag "lates"`,
    );
    expect(why.stdout).toMatch(/\n\nWarnings from the operator:\n {2}! NoSuchTag \(.+ ago\): /);
  });

  it("naming a stream that does not exist: one NoSuchStream Warning, not one per pass", async () => {
    const triggers = triggersJson([{ name: "nostream:v1", fieldPath: WEB_PATH }]);
    await createWorkload("Deployment", ns, {
      name: "lost",
      triggers,
      containers: { web: "busybox" },
    });
    await waitForEvent(ns, "lost", "NoSuchStream");
    // passes of the workload: its own status updates and an annotation change
    await apps.patchNamespacedDeployment(
      { namespace: ns, name: "lost", body: { metadata: { labels: { touched: "1" } } } },
      strategic,
    );
    await sleep(2_000);
    expect(await warnings("lost", "NoSuchStream")).toHaveLength(1);
  });
});
