// The read-only image views (ADR 0021): OpenShift's ImageStreamTag and
// ImageStreamImage objects computed from a stream and its Image objects, and
// the meta.k8s.io Tables kubectl prints. Pure: objects in, objects out.
// Shapes follow openshift/api image/v1/types.go.
import type {
  Image,
  ImageStream,
  NamedTagEventList,
  TagEventCondition,
  TagReference,
} from "../api/types.js";

export const VIEWS_GROUP = "image.imagestream-operator.io";
export const VIEWS_VERSION = "v1";
export const VIEWS_API_VERSION = `${VIEWS_GROUP}/${VIEWS_VERSION}`;

/** OpenShift's Image (image.openshift.io/v1), as an ImageStreamTag embeds it. */
export interface ImageView {
  metadata: {
    name: string;
    creationTimestamp?: string | null;
    annotations?: Record<string, string>;
  };
  dockerImageReference: string;
  dockerImageMetadata: DockerImageMetadata;
  dockerImageMetadataVersion: "1.0";
  dockerImageManifestMediaType?: string;
  dockerImageLayers: { name: string; size: number; mediaType: string }[];
  dockerImageManifests?: {
    digest: string;
    mediaType: string;
    manifestSize: number;
    architecture: string;
    os: string;
    variant?: string;
  }[];
}

/** OpenShift's DockerImage metadata (image.openshift.io/1.0): Docker's capitalised field names. */
interface DockerImageMetadata {
  kind: "DockerImage";
  apiVersion: "image.openshift.io/1.0";
  Id: string;
  Created?: string;
  Author?: string;
  Architecture?: string;
  Os?: string;
  Variant?: string;
  Size?: number;
  Config?: {
    Env?: string[];
    Cmd?: string[];
    Entrypoint?: string[];
    User?: string;
    WorkingDir?: string;
    ExposedPorts?: Record<string, Record<string, never>>;
    Labels?: Record<string, string>;
  };
}

export interface ViewMeta {
  name: string;
  namespace: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string | null;
}

export interface ImageStreamTagView {
  kind: "ImageStreamTag";
  apiVersion: string;
  metadata: ViewMeta;
  tag: TagReference | null;
  generation: number;
  lookupPolicy: { local: boolean };
  conditions?: TagEventCondition[];
  image?: ImageView;
}

export interface ImageStreamImageView {
  kind: "ImageStreamImage";
  apiVersion: string;
  metadata: ViewMeta;
  image: ImageView;
}

/** "stream:tag" -> parts; undefined when the name is not of that form. */
export function parseTagViewName(name: string): { stream: string; tag: string } | undefined {
  const i = name.indexOf(":");
  if (i <= 0 || i === name.length - 1 || name.indexOf(":", i + 1) >= 0) return undefined;
  return { stream: name.slice(0, i), tag: name.slice(i + 1) };
}

/** "stream@sha256:abc..." (a prefix of the hex is allowed) -> parts. */
export function parseImageViewName(name: string): { stream: string; digest: string } | undefined {
  const m = /^([^@:/]+)@((?:[a-z0-9]+:)?[a-f0-9]+)$/.exec(name);
  return m?.[1] && m[2] ? { stream: m[1], digest: m[2] } : undefined;
}

export function imageView(image: Image): ImageView {
  const c = image.config ?? {};
  const ports = c.exposedPorts?.length
    ? Object.fromEntries(c.exposedPorts.map((p) => [p, {} as Record<string, never>]))
    : undefined;
  const config = {
    ...(c.env ? { Env: c.env } : {}),
    ...(c.cmd ? { Cmd: c.cmd } : {}),
    ...(c.entrypoint ? { Entrypoint: c.entrypoint } : {}),
    ...(c.user ? { User: c.user } : {}),
    ...(c.workingDir ? { WorkingDir: c.workingDir } : {}),
    ...(ports ? { ExposedPorts: ports } : {}),
    ...(c.labels ? { Labels: c.labels } : {}),
  };
  return {
    metadata: {
      name: image.digest,
      ...(image.metadata.creationTimestamp
        ? { creationTimestamp: image.metadata.creationTimestamp }
        : {}),
    },
    dockerImageReference: image.dockerImageReference,
    dockerImageMetadata: {
      kind: "DockerImage",
      apiVersion: "image.openshift.io/1.0",
      Id: image.digest,
      ...(c.created ? { Created: c.created } : {}),
      ...(c.author ? { Author: c.author } : {}),
      ...(c.architecture ? { Architecture: c.architecture } : {}),
      ...(c.os ? { Os: c.os } : {}),
      ...(c.variant ? { Variant: c.variant } : {}),
      ...(image.size !== undefined ? { Size: image.size } : {}),
      ...(Object.keys(config).length ? { Config: config } : {}),
    },
    dockerImageMetadataVersion: "1.0",
    ...(image.dockerImageManifestMediaType
      ? { dockerImageManifestMediaType: image.dockerImageManifestMediaType }
      : {}),
    dockerImageLayers: image.layers ?? [],
    ...(image.dockerImageManifests?.length
      ? {
          dockerImageManifests: image.dockerImageManifests.map((m) => ({
            digest: m.digest,
            mediaType: m.mediaType,
            manifestSize: m.manifestSize,
            architecture: m.architecture,
            os: m.os,
            ...(m.variant ? { variant: m.variant } : {}),
          })),
        }
      : {}),
  };
}

function statusTag(stream: ImageStream, tag: string): NamedTagEventList | undefined {
  return stream.status?.tags?.find((t) => t.tag === tag);
}

/** The image digest a tag view needs, if the tag has a current image. */
export function currentImage(stream: ImageStream, tag: string): string | undefined {
  return statusTag(stream, tag)?.items?.[0]?.image || undefined;
}

/**
 * The tags a stream has views for: every status tag with a current item and
 * every spec tag (OpenShift lists spec tags without an image too).
 */
export function tagNames(stream: ImageStream): string[] {
  const names = new Set<string>();
  for (const t of stream.spec?.tags ?? []) names.add(t.name);
  for (const t of stream.status?.tags ?? []) if (t.items?.length) names.add(t.tag);
  return [...names].sort();
}

function viewMeta(stream: ImageStream, name: string, created?: string | null): ViewMeta {
  const m = stream.metadata;
  return {
    name,
    namespace: m.namespace ?? "",
    ...(m.uid ? { uid: m.uid } : {}),
    ...(m.resourceVersion ? { resourceVersion: m.resourceVersion } : {}),
    creationTimestamp: created ?? m.creationTimestamp ?? null,
  };
}

/**
 * The ImageStreamTag `stream:tag`, or undefined when the stream has no such
 * tag. `image` is the tag's current Image object, when it exists.
 */
export function imageStreamTag(
  stream: ImageStream,
  tag: string,
  image: Image | undefined,
): ImageStreamTagView | undefined {
  const spec = stream.spec?.tags?.find((t) => t.name === tag) ?? null;
  const status = statusTag(stream, tag);
  const current = status?.items?.[0];
  if (!spec && !current) return undefined;
  return {
    kind: "ImageStreamTag",
    apiVersion: VIEWS_API_VERSION,
    metadata: viewMeta(stream, `${stream.metadata.name}:${tag}`, current?.created),
    tag: spec,
    generation: current?.generation ?? spec?.generation ?? 0,
    lookupPolicy: { local: stream.spec?.lookupPolicy?.local === true },
    ...(status?.conditions?.length ? { conditions: status.conditions } : {}),
    ...(image
      ? {
          image: {
            ...imageView(image),
            dockerImageReference: current?.dockerImageReference ?? image.dockerImageReference,
          },
        }
      : {}),
  };
}

export type DigestMatch =
  | { digest: string; dockerImageReference: string; created: string }
  | { error: "NotFound" | "Conflict"; message: string };

/**
 * Resolves a digest or a unique prefix of its hex across every status item
 * of the stream, as OpenShift does ("multiple images match the prefix").
 */
export function resolveStreamDigest(stream: ImageStream, wanted: string): DigestMatch {
  const hex = wanted.includes(":") ? wanted : `sha256:${wanted}`;
  const found = new Map<string, { dockerImageReference: string; created: string }>();
  for (const t of stream.status?.tags ?? []) {
    for (const item of t.items ?? []) {
      if (item.image?.startsWith(hex) && !found.has(item.image))
        found.set(item.image, {
          dockerImageReference: item.dockerImageReference,
          created: item.created,
        });
    }
  }
  const name = `${stream.metadata.name}@${wanted}`;
  if (found.size === 0)
    return { error: "NotFound", message: `imagestreamimages "${name}" not found` };
  if (found.size > 1)
    return { error: "Conflict", message: `multiple images match the prefix "${wanted}"` };
  const [[digest, item]] = [...found] as [
    [string, { dockerImageReference: string; created: string }],
  ];
  return { digest, ...item };
}

/** Every image digest in the stream's status history, newest first per tag, without repeats. */
export function streamDigests(stream: ImageStream): string[] {
  const seen = new Set<string>();
  for (const t of stream.status?.tags ?? [])
    for (const i of t.items ?? []) if (i.image) seen.add(i.image);
  return [...seen];
}

export function imageStreamImage(
  stream: ImageStream,
  match: { digest: string; dockerImageReference: string; created: string },
  image: Image,
): ImageStreamImageView {
  return {
    kind: "ImageStreamImage",
    apiVersion: VIEWS_API_VERSION,
    metadata: viewMeta(stream, `${stream.metadata.name}@${match.digest}`, match.created),
    image: { ...imageView(image), dockerImageReference: match.dockerImageReference },
  };
}
