// The two single-object reads of the checks before a write (ADR 0030), made
// only when a digest is about to be written, never per pass:
// - a ServiceAccount's imagePullSecrets (the pods' credentials include them);
// - an Image object's platforms (the Image informer keeps metadata only,
//   ADR 0015); content addressed, so cached by digest.
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import { GROUP, IMAGE_PLURAL, type Image, imageObjectName, VERSION } from "../../api/types.js";
import type { Platform } from "../../reconcile/triggers/index.js";
import { BoundedCache } from "../../registry/lru.js";
import { isNotFound } from "../kube-errors.js";

const PLATFORMS_CACHED = 2000;

/** The platforms an Image object records: a list's children, or the image's own config. */
export function platformsOfImage(image: Image): Platform[] {
  const children = (image.dockerImageManifests ?? [])
    .filter((m) => m.os !== "" && m.os !== "unknown" && m.architecture !== "unknown")
    .map((m) => ({ os: m.os, architecture: m.architecture }));
  if (children.length > 0) return children;
  const { os, architecture } = image.config ?? {};
  return os && architecture ? [{ os, architecture }] : [];
}

export class KubeClusterReads {
  private readonly core: CoreV1Api;
  private readonly objects: CustomObjectsApi;
  private readonly platforms = new BoundedCache<string, Platform[]>(PLATFORMS_CACHED);

  constructor(kc: KubeConfig) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.objects = kc.makeApiClient(CustomObjectsApi);
  }

  async serviceAccountSecrets(namespace: string, name: string): Promise<string[] | undefined> {
    try {
      const account = await this.core.readNamespacedServiceAccount({ namespace, name });
      return (account.imagePullSecrets ?? []).map((s) => s.name ?? "").filter((n) => n !== "");
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async imagePlatforms(digest: string): Promise<Platform[] | undefined> {
    const cached = this.platforms.get(digest);
    if (cached) return cached;
    try {
      const image = (await this.objects.getClusterCustomObject({
        group: GROUP,
        version: VERSION,
        plural: IMAGE_PLURAL,
        name: imageObjectName(digest),
      })) as Image;
      const platforms = platformsOfImage(image);
      this.platforms.set(digest, platforms);
      return platforms;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }
}
