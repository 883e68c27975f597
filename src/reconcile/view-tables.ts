// meta.k8s.io/v1 Tables for the image views: what `kubectl get istag` and
// `kubectl get isimage` print (the columns of `oc get istag`, plus the
// platforms of a manifest list). Pure; ages are computed against `now`.
import type { ImageStreamImageView, ImageStreamTagView } from "./image-views.js";

interface Column {
  name: string;
  type: "string" | "integer" | "date";
  format?: string;
  description: string;
  priority: number;
}

export interface Table {
  kind: "Table";
  apiVersion: "meta.k8s.io/v1";
  metadata: { resourceVersion?: string };
  columnDefinitions: Column[];
  rows: { cells: (string | number)[]; object: unknown }[];
}

const TAG_COLUMNS: Column[] = [
  { name: "Name", type: "string", format: "name", description: "stream:tag", priority: 0 },
  { name: "Image Reference", type: "string", description: "the tag's current image", priority: 0 },
  { name: "Updated", type: "string", description: "when the tag last changed", priority: 0 },
  { name: "Platforms", type: "string", description: "os/arch of a manifest list", priority: 1 },
];

const IMAGE_COLUMNS: Column[] = [
  { name: "Name", type: "string", format: "name", description: "stream@digest", priority: 0 },
  {
    name: "Image Reference",
    type: "string",
    description: "where the image is pulled from",
    priority: 0,
  },
  { name: "Created", type: "string", description: "when it entered the stream", priority: 0 },
];

/** kubectl's short ages: 45s, 12m, 5h, 3d, 2y (k8s.io/apimachinery duration.HumanDuration, simplified). */
export function shortAge(since: string | null | undefined, now: Date): string {
  if (!since) return "<unknown>";
  const s = Math.max(0, Math.floor((now.getTime() - new Date(since).getTime()) / 1000));
  if (Number.isNaN(s)) return "<unknown>";
  if (s < 120) return `${s}s`;
  if (s < 3600 * 2) return `${Math.floor(s / 60)}m`;
  if (s < 86_400 * 2) return `${Math.floor(s / 3600)}h`;
  if (s < 86_400 * 365 * 2) return `${Math.floor(s / 86_400)}d`;
  return `${Math.floor(s / (86_400 * 365))}y`;
}

function rowObject(view: { metadata: object }) {
  return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: view.metadata };
}

function platforms(view: ImageStreamTagView): string {
  const ms = view.image?.dockerImageManifests ?? [];
  return ms.map((m) => `${m.os}/${m.architecture}${m.variant ? `/${m.variant}` : ""}`).join(",");
}

export function tagTable(views: ImageStreamTagView[], now: Date, resourceVersion?: string): Table {
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: resourceVersion ? { resourceVersion } : {},
    columnDefinitions: TAG_COLUMNS,
    rows: views.map((v) => ({
      cells: [
        v.metadata.name,
        v.image?.dockerImageReference ?? "",
        v.image ? shortAge(v.metadata.creationTimestamp, now) : "",
        platforms(v),
      ],
      object: rowObject(v),
    })),
  };
}

export function imageTable(
  views: ImageStreamImageView[],
  now: Date,
  resourceVersion?: string,
): Table {
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: resourceVersion ? { resourceVersion } : {},
    columnDefinitions: IMAGE_COLUMNS,
    rows: views.map((v) => ({
      cells: [
        v.metadata.name,
        v.image.dockerImageReference,
        shortAge(v.metadata.creationTimestamp, now),
      ],
      object: rowObject(v),
    })),
  };
}
