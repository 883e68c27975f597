// Authorization of view requests, as every aggregated API server does it: one
// SubjectAccessReview per request, for the front-proxy user, asked of the API
// server (which applies RBAC). Decisions are cached for a few seconds, as
// kube-apiserver's webhook authorizer does, so a kubectl burst costs one review.
import { AuthorizationV1Api, type KubeConfig } from "@kubernetes/client-node";
import { BoundedCache } from "../registry/lru.js";
import type { UserInfo } from "./server.js";

export interface ResourceAttributes {
  namespace?: string;
  verb: string;
  group: string;
  version: string;
  resource: string;
  name?: string;
}

export interface Decision {
  allowed: boolean;
  reason?: string;
}

export type Authorize = (user: UserInfo, attrs: ResourceAttributes) => Promise<Decision>;

const CACHE_MS = 10_000;
const CACHE_ENTRIES = 10_000;

export function subjectAccessReviewer(kc: KubeConfig, now = () => Date.now()): Authorize {
  const api = kc.makeApiClient(AuthorizationV1Api);
  const cache = new BoundedCache<string, { decision: Decision; at: number }>(CACHE_ENTRIES);
  return async (user, attrs) => {
    const key = JSON.stringify([user, attrs]);
    const hit = cache.get(key);
    if (hit && now() - hit.at < CACHE_MS) return hit.decision;
    const review = await api.createSubjectAccessReview({
      body: {
        apiVersion: "authorization.k8s.io/v1",
        kind: "SubjectAccessReview",
        spec: {
          user: user.username,
          groups: user.groups,
          extra: user.extra,
          ...(user.uid ? { uid: user.uid } : {}),
          resourceAttributes: attrs,
        },
      },
    });
    const status = review.status;
    const decision: Decision = {
      allowed: status?.allowed === true && status.denied !== true,
      ...(status?.reason ? { reason: status.reason } : {}),
    };
    cache.set(key, { decision, at: now() });
    return decision;
  };
}
