// Names the commands accept: `[namespace/]stream:tag` destinations and
// `[namespace/]stream` streams, with OpenShift's tag name rule and the
// Kubernetes object name rule for streams.
import { CliError } from "./errors.js";

/** OpenShift's spec tag name rule, which the CRD enforces too. */
export const TAG_NAME = /^[\w][\w.-]{0,127}$/;
const OBJECT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export interface StreamName {
  namespace: string;
  name: string;
}

export interface StreamTagName extends StreamName {
  tag: string;
}

export function validateTagName(tag: string): void {
  if (!TAG_NAME.test(tag)) {
    throw new CliError(
      `invalid tag name "${tag}": use letters, digits, '_', '.' and '-' (not first), at most 128 characters`,
    );
  }
}

export function validateStreamName(name: string): void {
  if (name.length > 253 || !OBJECT_NAME.test(name)) {
    throw new CliError(
      `invalid image stream name "${name}": use lowercase letters, digits, '-' and '.'`,
    );
  }
}

/** `[namespace/]name`; the namespace defaults to the current one. */
export function parseStreamName(input: string, defaultNamespace: string): StreamName {
  const parts = input.split("/");
  if (parts.length === 1) return { namespace: defaultNamespace, name: input };
  const [namespace = "", name = ""] = parts;
  if (parts.length !== 2) throw new CliError(`invalid image stream "${input}"`);
  if (!namespace) throw new CliError(`invalid namespace "" for image stream "${input}"`);
  if (!name) throw new CliError(`invalid name "" for image stream "${input}"`);
  return { namespace, name };
}

/** `[namespace/]stream:tag`, every part validated. */
export function parseStreamTag(input: string, defaultNamespace: string): StreamTagName {
  const { namespace, name: nameAndTag } = parseStreamName(input, defaultNamespace);
  const colon = nameAndTag.indexOf(":");
  if (colon < 0) throw new CliError(`"${nameAndTag}" must be of the form <stream_name>:<tag>`);
  const name = nameAndTag.slice(0, colon);
  const tag = nameAndTag.slice(colon + 1);
  validateStreamName(name);
  validateTagName(tag);
  return { namespace, name, tag };
}

/** How a tag is named in messages: `stream:tag`, or `ns/stream:tag` outside the current namespace. */
export function displayTag(target: StreamTagName, currentNamespace: string): string {
  const local = `${target.name}:${target.tag}`;
  return target.namespace === currentNamespace ? local : `${target.namespace}/${local}`;
}
