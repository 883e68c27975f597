// From fetched manifests to ImportResult, following OpenShift's import modes:
// Legacy keeps one child of a manifest list (the recorded digest is the
// child's), PreserveOriginal records the list and imports every child.

import type { ImageManifest } from "../api/types.js";
import type { FetchedManifest, RepositoryContent } from "./content.js";
import { choosePlatform, type ImageManifestDocument } from "./manifest.js";
import { digestReference, type ParsedReference } from "./reference.js";
import { ImportError, type ImportedImage, type ImportRequest, type ImportResult } from "./types.js";

/** Children fetched at once for PreserveOriginal: gentle on registry rate limits. */
const CHILD_CONCURRENCY = 3;

type ImageFetched = FetchedManifest & { document: ImageManifestDocument };

function asImage(fetched: FetchedManifest, reference: string): ImageFetched {
  if (fetched.document.kind !== "image") {
    throw new ImportError("Unsupported", `"${reference}" nests a manifest list in a manifest list`);
  }
  return fetched as ImageFetched;
}

async function importedImage(
  content: RepositoryContent,
  parsed: ParsedReference,
  fetched: ImageFetched,
): Promise<ImportedImage> {
  const { config, layers, mediaType } = fetched.document;
  const metadata = await content.imageConfig(config);
  const layerBytes = layers.reduce((sum, layer) => sum + layer.size, 0);
  const image: ImportedImage = {
    digest: fetched.digest,
    mediaType,
    manifestSize: fetched.size,
    dockerImageReference: digestReference(parsed, fetched.digest),
    size: layerBytes + config.size,
    layers,
  };
  if (metadata) image.config = metadata;
  return image;
}

function listImage(parsed: ParsedReference, fetched: FetchedManifest, manifests: ImageManifest[]) {
  return {
    digest: fetched.digest,
    mediaType: fetched.document.mediaType,
    manifestSize: fetched.size,
    dockerImageReference: digestReference(parsed, fetched.digest),
    size: 0,
    layers: [],
    manifests,
  } satisfies ImportedImage;
}

async function importChildren(
  content: RepositoryContent,
  parsed: ParsedReference,
  manifests: ImageManifest[],
  reference: string,
): Promise<ImportedImage[]> {
  const children: ImportedImage[] = new Array(manifests.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < manifests.length) {
      const index = next++;
      const entry = manifests[index] as ImageManifest;
      const fetched = asImage(await content.manifestByDigest(entry.digest), reference);
      children[index] = await importedImage(content, parsed, fetched);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CHILD_CONCURRENCY, manifests.length) }, worker));
  return children;
}

/** `top`: the manifest the reference names, fetched already (by tag, or by a HEAD's digest). */
export async function assembleImport(
  content: RepositoryContent,
  parsed: ParsedReference,
  request: ImportRequest,
  top: FetchedManifest,
): Promise<ImportResult> {
  if (top.document.kind === "image") {
    return { image: await importedImage(content, parsed, top as ImageFetched), children: [] };
  }
  const { manifests } = top.document;
  if (manifests.length === 0) {
    throw new ImportError("InternalError", `the manifest list of "${request.reference}" is empty`);
  }
  if (request.importMode === "PreserveOriginal") {
    const children = await importChildren(content, parsed, manifests, request.reference);
    return { image: listImage(parsed, top, manifests), children };
  }
  const chosen = choosePlatform(manifests, request.preferredPlatforms) as ImageManifest;
  const child = asImage(await content.manifestByDigest(chosen.digest), request.reference);
  return {
    image: await importedImage(content, parsed, child),
    children: [],
    listDigest: top.digest,
  };
}
