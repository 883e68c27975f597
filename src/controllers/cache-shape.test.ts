import type { KubernetesObject } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { ANN_IMAGE_MANIFESTS, ANN_TRIGGERS } from "../api/types.js";
import { containersOf } from "../reconcile/triggers/resolve-container.js";
import {
  shapeForCache,
  shapeImageForCache,
  shapeNodeForCache,
  shapeWorkloadForCache,
} from "./cache-shape.js";

const managedFields = [{ manager: "kubectl", operation: "Apply", fieldsV1: { "f:spec": {} } }];

describe("shapeForCache", () => {
  it("drops managedFields and kubectl's last-applied copy, keeps the rest", () => {
    const stream = {
      metadata: {
        name: "s",
        namespace: "n",
        resourceVersion: "7",
        managedFields,
        annotations: {
          "kubectl.kubernetes.io/last-applied-configuration": "{...}",
          "openshift.io/image.dockerRepositoryCheck": "t",
        },
      },
      spec: { tags: [{ name: "a" }] },
      status: { dockerImageRepository: "" },
    };
    expect(shapeForCache(stream)).toEqual({
      metadata: {
        name: "s",
        namespace: "n",
        resourceVersion: "7",
        annotations: { "openshift.io/image.dockerRepositoryCheck": "t" },
      },
      spec: stream.spec,
      status: stream.status,
    });
    expect(stream.metadata.managedFields).toBe(managedFields); // the input is not mutated
  });
});

describe("shapeImageForCache", () => {
  it("keeps name, age, resourceVersion and our children annotation only", () => {
    const image = {
      metadata: {
        name: "sha256.a",
        resourceVersion: "3",
        creationTimestamp: "2026-01-01T00:00:00Z",
        managedFields,
        annotations: { [ANN_IMAGE_MANIFESTS]: "sha256:b", other: "x" },
      },
      dockerImageLayers: [{ name: "l", size: 1 }],
    };
    expect(shapeImageForCache(image as unknown as KubernetesObject)).toEqual({
      metadata: {
        name: "sha256.a",
        resourceVersion: "3",
        creationTimestamp: "2026-01-01T00:00:00Z",
        annotations: { [ANN_IMAGE_MANIFESTS]: "sha256:b" },
      },
    });
  });
});

describe("shapeWorkloadForCache", () => {
  const container = (name: string) => ({
    name,
    image: `${name}:1`,
    env: [{ name: "E", value: "v" }],
    resources: { limits: { cpu: "1" } },
  });
  const metadata = {
    name: "w",
    namespace: "n",
    uid: "u",
    resourceVersion: "9",
    generation: 4,
    managedFields,
    annotations: {
      [ANN_TRIGGERS]: "[]",
      "imagestream-operator.io/last-applied-images": "{}",
      "deployment.kubernetes.io/revision": "3",
    },
    labels: { app: "w", "last-applied.imagestream-operator.io/web": "abc" },
  };
  const shapedMetadata = {
    name: "w",
    namespace: "n",
    uid: "u",
    resourceVersion: "9",
    annotations: {
      [ANN_TRIGGERS]: "[]",
      "imagestream-operator.io/last-applied-images": "{}",
    },
    labels: { "last-applied.imagestream-operator.io/web": "abc" },
  };

  it.each([
    [
      "Deployment",
      { replicas: 3, template: { spec: { containers: [container("web")], volumes: [{}] } } },
      { template: { spec: { containers: [{ name: "web", image: "web:1" }] } } },
    ],
    [
      "CronJob",
      {
        schedule: "* * * * *",
        jobTemplate: {
          spec: {
            template: {
              spec: { initContainers: [container("init")], containers: [container("job")] },
            },
          },
        },
      },
      {
        jobTemplate: {
          spec: {
            template: {
              spec: {
                containers: [{ name: "job", image: "job:1" }],
                initContainers: [{ name: "init", image: "init:1" }],
              },
            },
          },
        },
      },
    ],
  ] as const)(
    "a %s keeps identity, our annotations and labels, container names and images",
    (kind, spec, shapedSpec) => {
      const shaped = shapeWorkloadForCache({ metadata, spec });
      expect(shaped).toEqual({ metadata: shapedMetadata, spec: shapedSpec });
      // what trigger planning reads is unchanged
      const workload = { kind, ...shaped } as Parameters<typeof containersOf>[0];
      const original = { kind, metadata, spec } as Parameters<typeof containersOf>[0];
      expect(containersOf(workload, "containers")).toEqual(containersOf(original, "containers"));
      expect(containersOf(workload, "initContainers")).toEqual(
        containersOf(original, "initContainers"),
      );
    },
  );

  it("a workload without our annotations keeps no annotations or labels", () => {
    const shaped = shapeWorkloadForCache({
      metadata: { name: "w", namespace: "n", labels: { app: "w" }, annotations: { a: "b" } },
      spec: { template: { spec: { containers: [] } } },
    });
    expect(shaped.metadata).toEqual({ name: "w", namespace: "n" });
  });

  it("keeps what the checks before a write read: placement and pull secrets", () => {
    const placement = {
      nodeSelector: { "kubernetes.io/arch": "arm64" },
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [] }],
          },
          preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1 }],
        },
        podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [] },
      },
      imagePullSecrets: [{ name: "regcred" }],
      serviceAccountName: "builder",
      tolerations: [{ key: "k" }],
    };
    const shaped = shapeWorkloadForCache({
      metadata: { name: "w", annotations: { [ANN_TRIGGERS]: "[]" } },
      spec: { template: { spec: { containers: [container("web")], ...placement } } },
    });
    expect(shaped.spec).toEqual({
      template: {
        spec: {
          containers: [{ name: "web", image: "web:1" }],
          nodeSelector: placement.nodeSelector,
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [{ matchExpressions: [] }],
              },
            },
          },
          imagePullSecrets: [{ name: "regcred" }],
          serviceAccountName: "builder",
        },
      },
    });
  });

  it("a workload with a rollout policy also keeps its generation, replicas and rollout status", () => {
    const policy = "imagestream-operator.io/rollout";
    const shaped = shapeWorkloadForCache({
      metadata: { name: "w", generation: 4, annotations: { [ANN_TRIGGERS]: "[]", [policy]: "{}" } },
      spec: { replicas: 2, template: { spec: { containers: [] } } },
      status: {
        observedGeneration: 4,
        replicas: 2,
        updatedReplicas: 2,
        availableReplicas: 1,
        collisionCount: 1,
        conditions: [
          { type: "Available", status: "False", reason: "MinimumReplicasUnavailable" },
          {
            type: "Progressing",
            status: "True",
            reason: "ReplicaSetUpdated",
            message: "m",
            lastUpdateTime: "t",
          },
        ],
      },
    } as never) as { metadata: object; spec: object; status: object };
    expect(shaped.metadata).toEqual({
      name: "w",
      generation: 4,
      annotations: { [ANN_TRIGGERS]: "[]", [policy]: "{}" },
    });
    expect(shaped.spec).toEqual({ replicas: 2, template: { spec: { containers: [] } } });
    expect(shaped.status).toEqual({
      observedGeneration: 4,
      replicas: 2,
      updatedReplicas: 2,
      availableReplicas: 1,
      conditions: [
        {
          type: "Progressing",
          status: "True",
          reason: "ReplicaSetUpdated",
          message: "m",
          lastUpdateTime: "t",
        },
      ],
    });
  });
});

describe("shapeNodeForCache", () => {
  it("keeps the name and labels only", () => {
    const node = {
      metadata: {
        name: "n1",
        resourceVersion: "5",
        labels: { "kubernetes.io/arch": "arm64" },
        annotations: { a: "b" },
        managedFields,
      },
      status: { images: [{ names: ["x"] }] },
    };
    expect(shapeNodeForCache(node)).toEqual({
      metadata: { name: "n1", resourceVersion: "5", labels: { "kubernetes.io/arch": "arm64" } },
    });
  });
});
