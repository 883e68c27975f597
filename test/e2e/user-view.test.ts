// What users (not the operator) see and may do: `kubectl get is` columns
// filled from the status the operator keeps, and the built-in view, edit and
// admin roles extended to image streams through aggregation (answered by the
// real API server's authorizer, the clusterrole-aggregation controller having
// merged our rules into them).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pushImage } from "../support/registry-push.js";
import {
  createNamespace,
  createStream,
  deleteNamespace,
  dockerTag,
  eventually,
  saveOperatorLog,
  targets,
  uniqueRepository,
  waitForImage,
} from "./imports-support.js";
import { testEnv } from "./support/env.js";
import { kubectl, kubectlOk } from "./support/kubectl.js";
import { type RunningOperator, startOperator } from "./support/operator.js";

const REGISTRY_HOSTNAME = "registry.example.test:5000";
let namespace: string;

beforeAll(async () => {
  namespace = await createNamespace("user-view");
});
afterAll(async () => {
  if (namespace) await deleteNamespace(namespace);
});

describe("kubectl get is", () => {
  let operator: RunningOperator;

  beforeAll(async () => {
    operator = await startOperator(["--registry-hostname", REGISTRY_HOSTNAME]);
  });
  afterAll(async () => {
    await operator?.stop();
    if (operator) expect(saveOperatorLog(operator, "user-view")).toEqual([]);
  });

  it("shows the repository, the number of tags and when a tag last moved", async () => {
    const repository = uniqueRepository("columns");
    await pushImage(targets.plain, { repository, tag: "v1" });
    const from = `${testEnv.registry}/${repository}:v1`;
    const insecure = { importPolicy: { insecure: true } };
    await createStream(namespace, "web", {
      tags: [dockerTag("v1", from, insecure), dockerTag("latest", from, insecure)],
    });
    await waitForImage(namespace, "web", "v1");
    await waitForImage(namespace, "web", "latest");

    const table = kubectlOk(["get", "is", "web", "-n", namespace]).trimEnd().split("\n");
    expect(table[0]?.split(/\s{2,}/)).toEqual([
      "NAME",
      "IMAGE REPOSITORY",
      "TAGS",
      "UPDATED",
      "AGE",
    ]);
    const [name, repo, tags, updated, age] = table[1]?.split(/\s+/) ?? [];
    expect([name, repo, tags]).toEqual(["web", `${REGISTRY_HOSTNAME}/${namespace}/web`, "2"]);
    expect(updated).toMatch(/^\d+s$/);
    expect(age).toMatch(/^\d+s$/);
  });
});

describe("aggregated user roles", () => {
  const users = { viewer: "view", editor: "edit", owner: "admin" } as const;

  beforeAll(async () => {
    for (const [user, role] of Object.entries(users)) {
      kubectlOk(["create", "serviceaccount", user, "-n", namespace]);
      kubectlOk([
        ...["create", "rolebinding", `${user}-${role}`, "-n", namespace],
        ...[`--clusterrole=${role}`, `--serviceaccount=${namespace}:${user}`],
      ]);
    }
    // aggregation is asynchronous: wait until edit carries our rules
    await eventually(
      "the edit role to include imagestreams",
      async () => (canI("editor", "create", "imagestreams.image.openshift.io") ? true : undefined),
      30_000,
    );
  });

  function canI(user: keyof typeof users, verb: string, resource: string): boolean {
    const as = `--as=system:serviceaccount:${namespace}:${user}`;
    // kubectl reads TYPE/NAME, so a subresource goes in its own flag
    const [type = "", subresource] = resource.split("/");
    const sub = subresource ? [`--subresource=${subresource}`] : [];
    const run = kubectl(["auth", "can-i", verb, type, ...sub, "-n", namespace, as]);
    return run.stdout.trim() === "yes";
  }

  it.each([
    ["get", "imagestreams.image.openshift.io", [true, true, true]],
    ["watch", "imagestreams.image.openshift.io", [true, true, true]],
    ["create", "imagestreams.image.openshift.io", [false, true, true]],
    ["patch", "imagestreams.image.openshift.io", [false, true, true]],
    ["delete", "imagestreams.image.openshift.io", [false, true, true]],
    // status belongs to the operator, whatever the user's role
    ["patch", "imagestreams.image.openshift.io/status", [false, false, false]],
    ["update", "imagestreams.image.openshift.io/status", [false, false, false]],
  ] as const)("%s %s: view, edit, admin", (verb, resource, expected) => {
    expect([
      canI("viewer", verb, resource),
      canI("editor", verb, resource),
      canI("owner", verb, resource),
    ]).toEqual(expected);
  });
});
