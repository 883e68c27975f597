// TypeScript shapes of the image.openshift.io/v1 resources, with OpenShift's
// JSON field names (openshift/api image/v1/types.go). Shared contract between
// the CRDs in config/crd, the pure planners in src/reconcile and the
// controllers; fields we add beyond OpenShift's are marked "ours".

export const GROUP = "image.openshift.io";
export const VERSION = "v1";
export const API_VERSION = `${GROUP}/${VERSION}`;
export const IMAGESTREAM_PLURAL = "imagestreams";
export const IMAGE_PLURAL = "images";

export type TagSourceKind = "DockerImage" | "ImageStreamTag" | "ImageStreamImage";
export type ImportMode = "Legacy" | "PreserveOriginal";
export type ReferencePolicyType = "Source" | "Local" | "";

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string | null;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface ObjectReference {
  kind: TagSourceKind | string;
  name: string;
  namespace?: string;
}

export interface TagImportPolicy {
  insecure?: boolean;
  scheduled?: boolean;
  importMode?: ImportMode | "";
}

export interface TagReference {
  name: string;
  annotations?: Record<string, string> | null;
  from?: ObjectReference | null;
  reference?: boolean;
  generation?: number | null;
  importPolicy?: TagImportPolicy;
  referencePolicy?: { type?: ReferencePolicyType };
}

export interface ImageStreamSpec {
  lookupPolicy?: { local?: boolean };
  dockerImageRepository?: string;
  tags?: TagReference[];
}

export interface TagEvent {
  created: string;
  dockerImageReference: string;
  image: string;
  generation: number;
}

export interface TagEventCondition {
  type: "ImportSuccess" | string;
  status: "True" | "False" | "Unknown";
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
  generation: number;
}

export interface NamedTagEventList {
  tag: string;
  items: TagEvent[] | null;
  conditions?: TagEventCondition[];
  /** ours: fingerprint of the spec tag the last outcome was recorded for (ADR 0003) */
  specHash?: string;
}

export interface ImageStreamStatus {
  dockerImageRepository?: string;
  publicDockerImageRepository?: string;
  tags?: NamedTagEventList[];
  /** ours: tags beyond the bulk-import limit of spec.dockerImageRepository (as OpenShift's status.repository.additionalTags) */
  repository?: { additionalTags?: string[] };
  /** ours: summary fields for printer columns (JSONPath columns only show the first match) */
  tagCount?: number;
  lastUpdated?: string;
}

export interface ImageStream {
  apiVersion?: string;
  kind?: "ImageStream";
  metadata: ObjectMeta;
  spec?: ImageStreamSpec;
  status?: ImageStreamStatus;
}

export interface ImageLayer {
  name: string;
  size: number;
  mediaType: string;
}

export interface ImageManifest {
  digest: string;
  mediaType: string;
  manifestSize: number;
  architecture: string;
  os: string;
  variant?: string;
}

export interface ImageConfigMetadata {
  architecture?: string;
  os?: string;
  variant?: string;
  created?: string;
  author?: string;
  entrypoint?: string[];
  cmd?: string[];
  user?: string;
  workingDir?: string;
  exposedPorts?: string[];
  env?: string[];
  labels?: Record<string, string>;
}

/** Cluster-scoped image metadata, named by imageObjectName(digest). */
export interface Image {
  apiVersion?: string;
  kind?: "Image";
  metadata: ObjectMeta;
  dockerImageReference: string;
  dockerImageManifestMediaType?: string;
  /** ours: the digest itself, since the object name cannot contain ':' */
  digest: string;
  size?: number;
  layers?: ImageLayer[];
  config?: ImageConfigMetadata;
  dockerImageManifests?: ImageManifest[];
}

/** Image object names cannot contain ':': "sha256:abc" becomes "sha256.abc". */
export function imageObjectName(digest: string): string {
  return digest.replace(":", ".");
}

export function digestFromImageObjectName(name: string): string {
  return name.replace(".", ":");
}

// Annotations (openshift/api image/v1/consts.go)
export const ANN_DOCKER_REPOSITORY_CHECK = "openshift.io/image.dockerRepositoryCheck";
export const ANN_INSECURE_REPOSITORY = "openshift.io/image.insecureRepository";
export const ANN_EXCLUDE_SECRET = "openshift.io/image.excludeSecret";
export const ANN_PREFER_ARCH = "importer.image.openshift.io/prefer-arch";
export const ANN_PREFER_OS = "importer.image.openshift.io/prefer-os";
export const ANN_TRIGGERS = "image.openshift.io/triggers";
/**
 * On the Image objects we write: the child digests of a manifest list, comma
 * separated ("" for a single image). Garbage collection reads it from a
 * metadata-only cache, which never holds dockerImageManifests.
 */
export const ANN_IMAGE_MANIFESTS = "imagestream-operator.io/manifests";
/**
 * On a stream: JSON object, tag -> digest of the manifest list a Legacy
 * import chose its child from. status.tags[].items[].image holds the child
 * (OpenShift's meaning), so without this a re-check after a restart could not
 * tell that the list a tag names has not moved.
 */
export const ANN_LIST_DIGESTS = "imagestream-operator.io/list-digests";
