// Cross-namespace sharing (ADR 0004). OpenShift asks RBAC whether the user
// may `get imagestreams/layers` on the source; an operator acts with its own
// identity and cannot know who wrote the spec, so the SOURCE stream's owner
// opts in by naming the namespaces that may use it. Shared with the trigger
// controller, which applies the same rule to workloads.

import type { ImageStream } from "../api/types.js";

export const ANN_ALLOWED_NAMESPACES = "imagestream-operator.io/allowed-namespaces";

/** Same namespace always; otherwise the source lists the namespace, or "*". */
export function isCrossNamespaceAllowed(source: ImageStream, targetNamespace: string): boolean {
  if (source.metadata.namespace === targetNamespace) return true;
  const value = source.metadata.annotations?.[ANN_ALLOWED_NAMESPACES] ?? "";
  const allowed = value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  return allowed.includes("*") || allowed.includes(targetNamespace);
}

/**
 * One message whether the source is missing or only not shared, so a tenant
 * cannot probe which streams exist in namespaces it has no access to.
 */
export function crossNamespaceDeniedMessage(
  source: { namespace: string; name: string },
  targetNamespace: string,
): string {
  return (
    `image stream ${source.namespace}/${source.name} does not exist or is not shared with namespace ` +
    `"${targetNamespace}": its owner can share it by adding the annotation ` +
    `${ANN_ALLOWED_NAMESPACES}: "${targetNamespace}" (a comma-separated list of namespaces, or "*") ` +
    `to image stream ${source.namespace}/${source.name}`
  );
}
