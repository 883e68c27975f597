// AdmissionReview requests as the API server sends them, for the admission
// tests and the benchmark (imported by tests and bench/ only).
import type { ImageStream } from "../api/types.js";
import { ADMISSION_API_VERSION } from "./image-lookup.js";

export const DIGEST = `sha256:${"a".repeat(64)}`;

/** A stream with local lookup and tag v1 imported from quay.io/org/<name>. */
export function localStream(namespace: string, name: string, local = true): ImageStream {
  return {
    apiVersion: "image.openshift.io/v1",
    kind: "ImageStream",
    metadata: { namespace, name },
    spec: {
      lookupPolicy: { local },
      tags: [{ name: "v1", from: { kind: "DockerImage", name: `quay.io/org/${name}:v1` } }],
    },
    status: {
      dockerImageRepository: "",
      tags: [
        {
          tag: "v1",
          items: [
            {
              created: "2026-01-01T00:00:00Z",
              dockerImageReference: `quay.io/org/${name}@${DIGEST}`,
              image: DIGEST,
              generation: 1,
            },
          ],
        },
      ],
    },
  };
}

export function podReview(namespace: string, images: string[], uid = "uid-1"): unknown {
  return {
    apiVersion: ADMISSION_API_VERSION,
    kind: "AdmissionReview",
    request: {
      uid,
      kind: { group: "", version: "v1", kind: "Pod" },
      resource: { group: "", version: "v1", resource: "pods" },
      requestKind: { group: "", version: "v1", kind: "Pod" },
      namespace,
      operation: "CREATE",
      userInfo: { username: "alice" },
      object: {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "p", namespace },
        spec: { containers: images.map((image, i) => ({ name: `c${i}`, image })) },
      },
      oldObject: null,
      dryRun: false,
    },
  };
}
