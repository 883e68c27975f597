// Reads whole Image objects by name for the views. The operator's Image
// informer keeps metadata only (ADR 0015), so a view reads the Image with the
// operator's client; an Image never changes under its digest name, so a
// bounded cache by name is safe (a deleted Image merely lingers until evicted,
// and the views only ask for digests a stream still names).
import { CustomObjectsApi, type KubeConfig, type KubernetesObject } from "@kubernetes/client-node";
import { GROUP, IMAGE_PLURAL, type Image, imageObjectName, VERSION } from "../api/types.js";
import { shapeForCache } from "../controllers/cache-shape.js";
import { isNotFound } from "../controllers/kube-errors.js";
import { BoundedCache } from "../registry/lru.js";

export type ReadImage = (digest: string) => Promise<Image | undefined>;

export interface ImageReaderLimits {
  maxEntries: number;
  maxBytes: number;
}

export const DEFAULT_IMAGE_READER_LIMITS: ImageReaderLimits = {
  maxEntries: 2000,
  maxBytes: 32 * 1024 * 1024,
};

export function imageReader(
  kc: KubeConfig,
  limits: ImageReaderLimits = DEFAULT_IMAGE_READER_LIMITS,
): ReadImage {
  const api = kc.makeApiClient(CustomObjectsApi);
  const cache = new BoundedCache<string, Image>(limits.maxEntries, limits.maxBytes);
  const inFlight = new Map<string, Promise<Image | undefined>>();
  const fetch = async (name: string): Promise<Image | undefined> => {
    try {
      const read = await api.getClusterCustomObject({
        group: GROUP,
        version: VERSION,
        plural: IMAGE_PLURAL,
        name,
      });
      const image = shapeForCache(read as KubernetesObject) as unknown as Image;
      // weight: the JSON size approximates what the object holds in memory
      cache.set(name, image, JSON.stringify(image).length);
      return image;
    } catch (err) {
      if (isNotFound(err)) return undefined; // not imported yet: not cached, asked again
      throw err;
    }
  };
  return (digest) => {
    const name = imageObjectName(digest);
    const hit = cache.get(name);
    if (hit) return Promise.resolve(hit);
    // concurrent views of one image share one read
    const pending = inFlight.get(name) ?? fetch(name).finally(() => inFlight.delete(name));
    inFlight.set(name, pending);
    return pending;
  };
}
