// RFC 6902 add/replace/remove/test on plain JSON, for unit tests that check
// what a planned patch does to a stream (the real API server applies it in
// the e2e tests). Throws like the server rejects: a failed test, a missing path.
import type { PatchOp } from "../streams.js";

type Json = Record<string, unknown> | unknown[];

function segments(path: string): string[] {
  if (!path.startsWith("/")) throw new Error(`bad pointer ${path}`);
  return path
    .slice(1)
    .split("/")
    .map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"));
}

function parentOf(doc: Json, path: string): { parent: Json; key: string } {
  const keys = segments(path);
  const key = keys.pop() as string;
  let parent: unknown = doc;
  for (const k of keys) {
    parent = Array.isArray(parent) ? parent[Number(k)] : (parent as Record<string, unknown>)?.[k];
    if (typeof parent !== "object" || parent === null) throw new Error(`path ${path} not found`);
  }
  return { parent: parent as Json, key };
}

function read(parent: Json, key: string): unknown {
  return Array.isArray(parent) ? parent[Number(key)] : parent[key];
}

function applyOne(doc: Json, op: PatchOp): void {
  const { parent, key } = parentOf(doc, op.path);
  const value = structuredClone(op.value);
  switch (op.op) {
    case "test":
      if (JSON.stringify(read(parent, key)) !== JSON.stringify(op.value)) {
        throw new Error(`test failed at ${op.path}`);
      }
      return;
    case "add":
      if (Array.isArray(parent)) parent.splice(key === "-" ? parent.length : Number(key), 0, value);
      else parent[key] = value;
      return;
    case "replace":
      if (read(parent, key) === undefined) throw new Error(`path ${op.path} not found`);
      if (Array.isArray(parent)) parent[Number(key)] = value;
      else parent[key] = value;
      return;
    case "remove":
      if (read(parent, key) === undefined) throw new Error(`path ${op.path} not found`);
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
      return;
  }
}

/** A patched copy; the input is left as it was. */
export function applyPatch<T>(doc: T, ops: readonly PatchOp[]): T {
  const copy = structuredClone(doc) as Json;
  for (const op of ops) applyOne(copy, op);
  return copy as T;
}
