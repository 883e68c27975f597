// The platforms of an imported manifest list, for the seed's `Manifests:`
// block (6.7.2): read from the image views (ImageStreamTag, ADR 0021) when
// the APIService answers, else from the cluster-scoped Image object, else
// said to be unreadable with why. Read-only.
import { CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import {
  GROUP,
  IMAGE_PLURAL,
  type Image,
  type ImageManifest,
  imageObjectName,
  VERSION,
} from "../../api/types.js";
import {
  type ImageStreamTagView,
  VIEWS_GROUP,
  VIEWS_VERSION,
} from "../../reconcile/image-views.js";
import { describeApiError } from "../errors.js";
import { formatRows, OC_GAP } from "../table.js";

export type ManifestsRead = { manifests: ImageManifest[] } | { error: string };

type Platformed = Pick<ImageManifest, "os" | "architecture" | "variant" | "digest">;

export async function readManifests(
  kc: KubeConfig,
  at: { namespace: string; stream: string; tag: string; digest: string },
): Promise<ManifestsRead> {
  const api = kc.makeApiClient(CustomObjectsApi);
  const server = kc.getCurrentCluster()?.server ?? "(unknown server)";
  try {
    const view = (await api.getNamespacedCustomObject({
      group: VIEWS_GROUP,
      version: VIEWS_VERSION,
      namespace: at.namespace,
      plural: "imagestreamtags",
      name: `${at.stream}:${at.tag}`,
    })) as ImageStreamTagView;
    // the tag may have moved on since: then its Image object says what was imported
    if (view.image?.metadata.name === at.digest) {
      return { manifests: view.image.dockerImageManifests ?? [] };
    }
  } catch {
    // no views API (or it does not answer): the Image object, if this user may read it
  }
  try {
    const image = (await api.getClusterCustomObject({
      group: GROUP,
      version: VERSION,
      plural: IMAGE_PLURAL,
      name: imageObjectName(at.digest),
    })) as Image;
    return { manifests: image.dockerImageManifests ?? [] };
  } catch (error) {
    return { error: describeApiError(error, server).message };
  }
}

function platform(m: Platformed): string {
  return [m.os, m.architecture, m.variant].filter(Boolean).join("/");
}

/** oc's describe layout: `Manifests:` then one `os/arch digest` line per platform. */
export function manifestsBlock(read: ManifestsRead): string[] {
  if ("error" in read) {
    return [`Manifests:  cannot be read: ${read.error}`];
  }
  if (read.manifests.length === 0) return [];
  const rows = read.manifests.map((m, i) => [i === 0 ? "Manifests:" : "", platform(m), m.digest]);
  return formatRows(rows, OC_GAP).split("\n");
}
