// The image config blob (Docker image v1 / OCI image config) reduced to the
// metadata an Image object shows. Fields of the wrong type are dropped rather
// than failing the import: the digest already proves what the publisher wrote.

import type { ImageConfigMetadata } from "../api/types.js";
import { ImportError } from "./types.js";

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

function texts(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.filter((item): item is string => typeof item === "string");
}

function stringMap(value: unknown): Record<string, string> | undefined {
  if (!isObject(value)) return undefined;
  const entries = Object.entries(value).filter(
    (entry): entry is [string, string] => typeof entry[1] === "string",
  );
  return Object.fromEntries(entries);
}

function assign<K extends keyof ImageConfigMetadata>(
  target: ImageConfigMetadata,
  key: K,
  value: ImageConfigMetadata[K] | undefined,
): void {
  if (value !== undefined) target[key] = value;
}

export function parseImageConfig(body: Buffer, host: string): ImageConfigMetadata {
  let document: unknown;
  try {
    document = JSON.parse(body.toString("utf8"));
  } catch {
    throw new ImportError("InternalError", `registry ${host} returned a malformed image config`);
  }
  if (!isObject(document)) {
    throw new ImportError("InternalError", `registry ${host} returned a malformed image config`);
  }
  const runtime = isObject(document.config) ? document.config : {};
  const metadata: ImageConfigMetadata = {};
  assign(metadata, "architecture", text(document.architecture));
  assign(metadata, "os", text(document.os));
  assign(metadata, "variant", text(document.variant));
  assign(metadata, "created", text(document.created));
  assign(metadata, "author", text(document.author));
  assign(metadata, "entrypoint", texts(runtime.Entrypoint));
  assign(metadata, "cmd", texts(runtime.Cmd));
  assign(metadata, "user", text(runtime.User));
  assign(metadata, "workingDir", text(runtime.WorkingDir));
  const ports = isObject(runtime.ExposedPorts) ? Object.keys(runtime.ExposedPorts) : undefined;
  assign(metadata, "exposedPorts", ports?.sort());
  assign(metadata, "env", texts(runtime.Env));
  assign(metadata, "labels", stringMap(runtime.Labels));
  return metadata;
}
