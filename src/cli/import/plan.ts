// What `import-image` writes, planned from what it read (pure). It asks for
// an import the OpenShift way, by setting the spec tag's generation to 0
// (ADR 0003), and changes nothing else unless a flag says so, with one
// exception the seed documents (6.7.3): without --import-mode a
// PreserveOriginal tag goes back to Legacy, as oc's default is Legacy. That
// one is said in a line of its own, so nobody loses platforms unawares.
import {
  ANN_DOCKER_REPOSITORY_CHECK,
  ANN_INSECURE_REPOSITORY,
  type ImageStream,
  type TagReference,
} from "../../api/types.js";
import { CliError } from "../errors.js";
import type { PatchOp } from "../streams.js";
import {
  newStream,
  pointerSegment,
  putTagOps,
  resourceVersionGuard,
  type StreamWrite,
} from "../writes.js";
import { followTag } from "./follow.js";
import type { ImportOptions } from "./options.js";

export type WaitTarget = { kind: "tags"; tags: string[] } | { kind: "repository" };

export interface ImportPlan {
  write: StreamWrite;
  wait: WaitTarget;
  /** lines printed once the request is written: a changed import mode, a tag nothing is imported for */
  notices: string[];
}

type Flags = Pick<ImportOptions, "scheduled" | "insecure" | "importMode" | "referencePolicy">;

/** The tag with generation 0 and only the flags that were given applied. */
export function reimportTag(existing: TagReference, flags: Flags, from?: string): TagReference {
  const tag = structuredClone(existing);
  tag.generation = 0;
  if (from !== undefined) tag.from = { kind: "DockerImage", name: from };
  const policy = { ...tag.importPolicy };
  if (flags.scheduled !== undefined) policy.scheduled = flags.scheduled;
  if (flags.insecure !== undefined) policy.insecure = flags.insecure;
  if (flags.importMode !== undefined) policy.importMode = flags.importMode;
  if (tag.importPolicy || Object.keys(policy).length > 0) tag.importPolicy = policy;
  if (flags.referencePolicy !== undefined) tag.referencePolicy = { type: flags.referencePolicy };
  return tag;
}

export function newImportTag(name: string, from: string, flags: Flags): TagReference {
  const created: TagReference = { name, from: { kind: "DockerImage", name: from } };
  return reimportTag(
    { ...created, importPolicy: {}, referencePolicy: { type: flags.referencePolicy ?? "Source" } },
    flags,
  );
}

export function planImport(
  stream: ImageStream | undefined,
  o: ImportOptions,
  namespace: string,
): ImportPlan {
  if (!stream) return planNewStream(o, namespace);
  if (o.all) return planAll(stream, o);
  return planOneTag(stream, o, o.tag ?? "latest");
}

function planNewStream(o: ImportOptions, namespace: string): ImportPlan {
  if (!o.confirm) {
    throw new CliError(
      `no image stream named "${o.stream}" exists, pass --confirm to create and import`,
    );
  }
  const from = o.from ?? o.pullSpec ?? o.stream;
  if (o.all) {
    rejectTagFlags(o);
    const created = newStream(namespace, o.stream, []);
    created.spec = { dockerImageRepository: from };
    if (o.insecure) created.metadata.annotations = { [ANN_INSECURE_REPOSITORY]: "true" };
    return {
      write: { kind: "create", stream: created },
      wait: { kind: "repository" },
      notices: [],
    };
  }
  const tag = o.tag ?? "latest";
  const created = newStream(namespace, o.stream, [newImportTag(tag, from, o)]);
  return {
    write: { kind: "create", stream: created },
    wait: { kind: "tags", tags: [tag] },
    notices: [],
  };
}

function planOneTag(stream: ImageStream, o: ImportOptions, name: string): ImportPlan {
  const followed = followTag(stream, name);
  if (!followed) return planNewTag(stream, o, name);
  const { tag, name: finalName } = followed;
  if (!tag.from) {
    throw new CliError(`tag "${name}" has no source: use the 'tag' command to set one`);
  }
  if (tag.from.kind !== "DockerImage") {
    throw new CliError(
      `tag "${name}" points to existing ${tag.from.kind} "${tag.from.name}", it cannot be re-imported`,
    );
  }
  if (tag.reference) return planReferenceTag(stream, o, tag);
  const changesSource = o.from !== undefined && o.from !== tag.from.name;
  if (changesSource && !o.confirm) {
    const via = followed.followed ? `the tag "${finalName}" which points to ` : "";
    throw new CliError(
      `the tag "${name}" points to ${via}"${tag.from.name}": pass --confirm to change the source to "${o.from}"`,
    );
  }
  const { flags, notices } = legacyByDefault(stream, tag, o);
  const updated = reimportTag(tag, flags, changesSource ? o.from : undefined);
  return {
    write: { kind: "patch", ops: [...resourceVersionGuard(stream), ...putTagOps(stream, updated)] },
    wait: { kind: "tags", tags: [finalName] },
    notices,
  };
}

/**
 * oc's --import-mode defaults to Legacy (seed 6.7.3: omitting it turns a
 * multi-architecture tag back into a single-architecture one). A tag that
 * names no mode keeps following the operator's --default-import-mode.
 */
function legacyByDefault(
  stream: ImageStream,
  tag: TagReference,
  o: ImportOptions,
): { flags: Flags; notices: string[] } {
  if (o.importMode !== undefined || tag.importPolicy?.importMode !== "PreserveOriginal") {
    return { flags: o, notices: [] };
  }
  const notice =
    `Tag ${stream.metadata.name}:${tag.name} import mode changed from PreserveOriginal to Legacy: ` +
    "one platform of a manifest list is imported (pass --import-mode=PreserveOriginal to keep every platform).";
  return { flags: { ...o, importMode: "Legacy" }, notices: [notice] };
}

function referenceNotice(stream: ImageStream, tag: TagReference): string {
  return (
    `Tag ${stream.metadata.name}:${tag.name} is a reference to ${tag.from?.name ?? ""} (reference: true): ` +
    "nothing is imported; the pull spec is used as written."
  );
}

/** Nothing to import: say so, and write nothing (the 'tag' command changes such a tag). */
function planReferenceTag(stream: ImageStream, o: ImportOptions, tag: TagReference): ImportPlan {
  const changing =
    (o.from !== undefined && o.from !== tag.from?.name) ||
    o.scheduled !== undefined ||
    o.insecure !== undefined ||
    o.importMode !== undefined ||
    o.referencePolicy !== undefined;
  if (changing) {
    throw new CliError(
      `tag "${tag.name}" is a reference (reference: true), nothing is imported for it: use the 'tag' command to change it`,
    );
  }
  return {
    write: { kind: "none" },
    wait: { kind: "tags", tags: [] },
    notices: [referenceNotice(stream, tag)],
  };
}

function planNewTag(stream: ImageStream, o: ImportOptions, name: string): ImportPlan {
  const repository = stream.spec?.dockerImageRepository?.trim();
  const from = o.from ?? o.pullSpec ?? (name === "latest" ? repository : undefined);
  if (!from) {
    throw new CliError(
      `the tag "${name}" does not exist on the image stream - choose an existing tag to import or use the 'tag' command to create a new tag`,
    );
  }
  if (!o.confirm) {
    throw new CliError(
      `the tag "${name}" does not exist on the image stream, pass --confirm to create it from "${from}"`,
    );
  }
  const tag = newImportTag(name, from, o);
  return {
    write: { kind: "patch", ops: [...resourceVersionGuard(stream), ...putTagOps(stream, tag)] },
    wait: { kind: "tags", tags: [name] },
    notices: [],
  };
}

function planAll(stream: ImageStream, o: ImportOptions): ImportPlan {
  const repository = stream.spec?.dockerImageRepository?.trim() ?? "";
  if (o.from === undefined && !repository) return planAllSpecTags(stream, o);
  const from = o.from ?? repository;
  if (from !== repository && !o.confirm) {
    throw new CliError(
      repository
        ? `the image stream has a different import spec "${repository}", pass --confirm to update`
        : "the image stream does not currently import an entire Docker repository, pass --confirm to update",
    );
  }
  rejectTagFlags(o);
  const ops: PatchOp[] = [];
  if (from !== repository)
    ops.push({ op: "add", path: "/spec/dockerImageRepository", value: from });
  ops.push(...annotationOps(stream, ANN_DOCKER_REPOSITORY_CHECK, undefined));
  if (o.insecure !== undefined) {
    ops.push(...annotationOps(stream, ANN_INSECURE_REPOSITORY, o.insecure ? "true" : undefined));
  }
  const write: StreamWrite =
    ops.length === 0
      ? { kind: "none" }
      : { kind: "patch", ops: [...resourceVersionGuard(stream), ...ops] };
  return { write, wait: { kind: "repository" }, notices: [] };
}

function planAllSpecTags(stream: ImageStream, o: ImportOptions): ImportPlan {
  const images = (stream.spec?.tags ?? []).filter((t) => t.from?.kind === "DockerImage");
  if (images.length === 0) {
    throw new CliError("image stream does not have tags pointing to external container images");
  }
  const notices = images.filter((t) => t.reference).map((t) => referenceNotice(stream, t));
  const importable = images.filter((t) => !t.reference);
  const ops = importable.flatMap((t) => {
    const legacy = legacyByDefault(stream, t, o);
    notices.push(...legacy.notices);
    return putTagOps(stream, reimportTag(t, legacy.flags));
  });
  const write: StreamWrite =
    ops.length === 0
      ? { kind: "none" }
      : { kind: "patch", ops: [...resourceVersionGuard(stream), ...ops] };
  return { write, wait: { kind: "tags", tags: importable.map((t) => t.name) }, notices };
}

/** Tag settings have no place in a whole-repository import (it creates no spec tags). */
function rejectTagFlags(o: ImportOptions): void {
  if (o.scheduled !== undefined || o.importMode !== undefined || o.referencePolicy !== undefined) {
    throw new CliError(
      "--scheduled, --import-mode and --reference-policy set spec tags: they cannot be used when importing a whole repository",
    );
  }
}

/** Sets (value) or removes (undefined) one annotation; nothing when it already is so. */
export function annotationOps(
  stream: ImageStream,
  key: string,
  value: string | undefined,
): PatchOp[] {
  const annotations = stream.metadata.annotations;
  if (annotations?.[key] === value) return [];
  const path = `/metadata/annotations/${pointerSegment(key)}`;
  if (value === undefined) return [{ op: "remove", path }];
  if (!annotations) return [{ op: "add", path: "/metadata/annotations", value: { [key]: value } }];
  return [{ op: "add", path, value }];
}
