// The push-notification formats registries send, each read into the pushed
// tags it names (pure: the receivers authenticate and read the body, this
// reads the JSON). Each parser follows its vendor's documented payload; the
// samples are under test/fixtures/push (SOURCES.md says where each came from).
// A body that is not the format at all is "unknown" (the receiver answers
// 400); a well-formed one may name no tag (a push by digest), which is fine.
import { DOCKER_HUB } from "../registry/reference.js";
import { type PushedTag, pushedTags, validPush } from "./push-events.js";

export type Parsed = { pushed: PushedTag[] } | { unknown: string };

export const RECEIVER_FORMATS = [
  "distribution",
  "dockerhub",
  "quay",
  "harbor",
  "github",
  "gitlab",
  "gar",
  "generic",
] as const;
export type ReceiverFormat = (typeof RECEIVER_FORMATS)[number];

type Json = Record<string, unknown>;

const asObject = (v: unknown): Json | undefined =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
const asString = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const unknown = (why: string): Parsed => ({ unknown: why });
const found = (pushed: (PushedTag | undefined)[]): Parsed => ({
  pushed: pushed.filter((p): p is PushedTag => p !== undefined),
});

/**
 * A tagged reference as vendors write one: "host/repo:tag", maybe behind a
 * scheme, with an owner in capitals (GitHub's sample: ghcr.io/Codertocat/...;
 * repository paths are lowercase on every registry) or with an empty tag.
 * Undefined when it names no tag (a digest, no tag, no host, not a reference).
 */
export function pushedReference(text: string, digest?: unknown): PushedTag | undefined {
  const bare = text.replace(/^[a-z]+:\/\//i, "");
  const slash = bare.indexOf("/");
  const colon = bare.lastIndexOf(":");
  if (slash < 0 || colon < slash || bare.includes("@")) return undefined;
  const repository = bare.slice(slash + 1, colon).toLowerCase();
  return validPush(repository, bare.slice(colon + 1), bare.slice(0, slash), digest);
}

function distribution(body: unknown): Parsed {
  if (!Array.isArray(asObject(body)?.events)) return unknown("no events list");
  return { pushed: pushedTags(body) };
}

// Docker Hub: push_data.tag and repository.repo_name ("library/nginx" for
// official images); the host is always Docker Hub.
function dockerhub(body: unknown): Parsed {
  const tag = asString(asObject(asObject(body)?.push_data)?.tag);
  const repo = asString(asObject(asObject(body)?.repository)?.repo_name);
  if (tag === undefined || repo === undefined)
    return unknown("no push_data.tag or repository.repo_name");
  return found([validPush(repo, tag, DOCKER_HUB)]);
}

// Quay: docker_url is host/repository; updated_tags is a list of tags
// (current docs) or a map tag -> image id (older Quay).
function quay(body: unknown): Parsed {
  const b = asObject(body);
  const url = asString(b?.docker_url);
  const tags = Array.isArray(b?.updated_tags)
    ? (b.updated_tags as unknown[])
    : Object.keys(asObject(b?.updated_tags) ?? {});
  if (url === undefined || b?.updated_tags === undefined)
    return unknown("no docker_url or updated_tags");
  const slash = url.indexOf("/");
  if (slash < 0) return unknown("docker_url names no repository");
  const [host, repo] = [url.slice(0, slash), url.slice(slash + 1).toLowerCase()];
  return found(tags.map((t) => validPush(repo, t, host)));
}

// Harbor (Default format): type PUSH_ARTIFACT; one resource per pushed tag,
// resource_url host/project/repo:tag (a push by digest holds the digest).
function harbor(body: unknown): Parsed {
  const b = asObject(body);
  if (b?.type !== "PUSH_ARTIFACT")
    return unknown(`event type ${String(b?.type)} is not PUSH_ARTIFACT`);
  const resources = asObject(b.event_data)?.resources;
  if (!Array.isArray(resources)) return unknown("no event_data.resources");
  return found(
    resources.map((r) =>
      pushedReference(asString(asObject(r)?.resource_url) ?? "", asObject(r)?.digest),
    ),
  );
}

// GitHub Packages: the "package" or legacy "registry_package" event; the
// version's package_url is ghcr.io/owner/name:tag (tag empty for a push by
// digest), container_metadata.tag.name the tag.
function github(body: unknown): Parsed {
  const b = asObject(body);
  const pkg = asObject(b?.package) ?? asObject(b?.registry_package);
  const version = asObject(pkg?.package_version);
  const url = asString(version?.package_url);
  if (url === undefined) return unknown("no package.package_version.package_url");
  const tag = asString(asObject(asObject(version?.container_metadata)?.tag)?.name) ?? "";
  const image = url.endsWith(":") ? `${url}${tag}` : url;
  // a container version's "version" is its manifest digest
  return found([pushedReference(image, version?.version)]);
}

// Google Artifact Registry through a Pub/Sub push subscription: the message's
// base64 data is {action: "INSERT", digest, tag: "host/project/repo/image:tag"}.
function gar(body: unknown): Parsed {
  const data = asString(asObject(asObject(body)?.message)?.data);
  if (data === undefined) return unknown("no message.data");
  let event: Json | undefined;
  try {
    event = asObject(JSON.parse(Buffer.from(data, "base64").toString("utf8")));
  } catch {
    return unknown("message.data is not base64 JSON");
  }
  if (event?.action !== "INSERT") return found([]); // deletions move nothing
  const tag = asString(event.tag);
  // digest is the full reference host/project/repo/image@sha256:...
  const digest = asString(event.digest)?.split("@")[1];
  return found([tag === undefined ? undefined : pushedReference(tag, digest)]);
}

// This project's own format: {"image": "host/repo:tag"} or {"images": [...]}.
function generic(body: unknown): Parsed {
  const b = asObject(body);
  const images = Array.isArray(b?.images)
    ? b.images
    : b?.image !== undefined
      ? [b.image]
      : undefined;
  if (images === undefined) return unknown("no image or images");
  const pushed = images.map((i) => (typeof i === "string" ? pushedReference(i) : undefined));
  if (pushed.some((p) => p === undefined)) return unknown("an image is not a tagged reference");
  return found(pushed);
}

const PARSERS: Record<ReceiverFormat, (body: unknown) => Parsed> = {
  distribution,
  // GitLab's registry is a distribution registry: its notifications
  // (registry.notifications in gitlab.rb) are the same envelope
  gitlab: distribution,
  dockerhub,
  quay,
  harbor,
  github,
  gar,
  generic,
};

export function parsePushBody(format: ReceiverFormat, body: unknown): Parsed {
  return PARSERS[format](body);
}
