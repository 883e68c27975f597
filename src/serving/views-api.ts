// The aggregated API of the image views (ADR 0021): discovery documents, and
// get/list of imagestreamtags and imagestreamimages, namespaced and across
// namespaces. Every request is authorized with a SubjectAccessReview for the
// front-proxy user; objects are built by view-objects.ts (the builders of
// src/reconcile/image-views.ts) from the ImageStream cache and the Image reader.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ImageStream } from "../api/types.js";
import {
  parseImageViewName,
  parseTagViewName,
  VIEWS_API_VERSION,
  VIEWS_GROUP,
  VIEWS_VERSION,
} from "../reconcile/image-views.js";
import { imageTable, tagTable } from "../reconcile/view-tables.js";
import type { Authorize } from "./authorizer.js";
import type { ReadImage } from "./image-reader.js";
import { type RequestContext, type Route, sendJson, sendStatus } from "./server.js";
import { imageViewOf, imageViewsOf, tagView, tagViewsOf } from "./view-objects.js";

export interface StreamLister {
  get: (namespace: string, name: string) => ImageStream | undefined;
  list: (namespace?: string) => ImageStream[];
  synced: boolean;
}

export interface ViewsOptions {
  streams: StreamLister;
  readImage: ReadImage;
  authorize: Authorize;
  now?: () => Date;
}

const RESOURCES = {
  imagestreamtags: {
    kind: "ImageStreamTag",
    singularName: "imagestreamtag",
    shortNames: ["istag"],
  },
  imagestreamimages: {
    kind: "ImageStreamImage",
    singularName: "imagestreamimage",
    shortNames: ["isimage"],
  },
} as const;
type Resource = keyof typeof RESOURCES;

export function apiResourceList() {
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion: VIEWS_API_VERSION,
    resources: Object.entries(RESOURCES).map(([name, r]) => ({
      name,
      singularName: r.singularName,
      namespaced: true,
      kind: r.kind,
      verbs: ["get", "list"],
      shortNames: [...r.shortNames],
      // no category: a category named "images" would make kubectl read
      // `kubectl get images NAME` as several resources and refuse it
    })),
  };
}

function apiGroup() {
  const v = { groupVersion: VIEWS_API_VERSION, version: VIEWS_VERSION };
  return {
    kind: "APIGroup",
    apiVersion: "v1",
    name: VIEWS_GROUP,
    versions: [v],
    preferredVersion: v,
  };
}

interface ParsedPath {
  namespace?: string;
  resource: Resource;
  name?: string;
}

/** /apis/<group>/v1/[namespaces/<ns>/]<resource>[/<name>] */
export function parseViewPath(path: string): ParsedPath | "discovery" | undefined {
  const base = `/apis/${VIEWS_GROUP}/${VIEWS_VERSION}`;
  if (path === base || path === `${base}/`) return "discovery";
  if (!path.startsWith(`${base}/`)) return undefined;
  const parts = path
    .slice(base.length + 1)
    .split("/")
    .map(decodeURIComponent);
  let namespace: string | undefined;
  if (parts[0] === "namespaces" && parts.length >= 3) {
    namespace = parts[1];
    parts.splice(0, 2);
  }
  const [resource, name, ...rest] = parts;
  if (rest.length > 0 || !resource || !(resource in RESOURCES)) return undefined;
  return {
    resource: resource as Resource,
    ...(namespace ? { namespace } : {}),
    ...(name ? { name } : {}),
  };
}

function wantsTable(req: IncomingMessage): boolean {
  return /as=Table/.test(req.headers.accept ?? "");
}

export function viewsRoute(o: ViewsOptions): Route {
  const handler = async (req: IncomingMessage, res: ServerResponse, ctx: RequestContext) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (path === "/apis" || path === "/apis/")
      return sendJson(res, 200, { kind: "APIGroupList", apiVersion: "v1", groups: [apiGroup()] });
    if (path === `/apis/${VIEWS_GROUP}` || path === `/apis/${VIEWS_GROUP}/`)
      return sendJson(res, 200, apiGroup());
    const parsed = parseViewPath(path);
    if (parsed === "discovery") return sendJson(res, 200, apiResourceList());
    if (!parsed) return sendStatus(res, 404, "NotFound", `the server could not find ${path}`);
    if (req.method !== "GET")
      return sendStatus(
        res,
        405,
        "MethodNotAllowed",
        `${req.method} is not supported: the views are read-only`,
      );
    if (/[?&]watch=(1|true)/.test(req.url ?? ""))
      return sendStatus(res, 405, "MethodNotAllowed", "watch is not supported on the image views");
    const verb = parsed.name ? "get" : "list";
    const user = ctx.user;
    if (!user) return sendStatus(res, 401, "Unauthorized", "Unauthorized");
    const decision = await o.authorize(user, {
      verb,
      group: VIEWS_GROUP,
      version: VIEWS_VERSION,
      resource: parsed.resource,
      ...(parsed.namespace ? { namespace: parsed.namespace } : {}),
      ...(parsed.name ? { name: parsed.name } : {}),
    });
    if (!decision.allowed) return forbidden(res, user.username, verb, parsed);
    if (!o.streams.synced)
      return sendStatus(res, 503, "ServiceUnavailable", "image stream cache not synced yet");
    if (parsed.name) return getOne(o, res, parsed as Required<ParsedPath>, wantsTable(req));
    return listAll(o, res, parsed, wantsTable(req));
  };
  return { prefix: "/apis", frontProxy: true, handler };
}

function forbidden(res: ServerResponse, user: string, verb: string, p: ParsedPath): void {
  const what = `${p.resource}.${VIEWS_GROUP}${p.name ? ` "${p.name}"` : ""}`;
  const where = p.namespace ? ` in the namespace "${p.namespace}"` : " at the cluster scope";
  sendStatus(
    res,
    403,
    "Forbidden",
    `${what} is forbidden: User "${user}" cannot ${verb} resource "${p.resource}" in API group "${VIEWS_GROUP}"${where}`,
    {
      ...(p.name ? { name: p.name } : {}),
      group: VIEWS_GROUP,
      kind: p.resource,
    },
  );
}

function notFound(res: ServerResponse, p: Required<ParsedPath>, message?: string): void {
  sendStatus(
    res,
    404,
    "NotFound",
    message ?? `${p.resource}.${VIEWS_GROUP} "${p.name}" not found`,
    {
      name: p.name,
      group: VIEWS_GROUP,
      kind: p.resource,
    },
  );
}

async function getOne(
  o: ViewsOptions,
  res: ServerResponse,
  p: Required<ParsedPath>,
  table: boolean,
) {
  const now = o.now?.() ?? new Date();
  if (p.resource === "imagestreamtags") {
    const name = parseTagViewName(p.name);
    if (!name)
      return sendStatus(
        res,
        400,
        "BadRequest",
        `"${p.name}" is not a valid name: expected <stream>:<tag>`,
      );
    const stream = o.streams.get(p.namespace, name.stream);
    const view = stream ? await tagView(o.readImage, stream, name.tag) : undefined;
    if (!view) return notFound(res, p);
    return sendJson(res, 200, table ? tagTable([view], now) : view);
  }
  const name = parseImageViewName(p.name);
  if (!name)
    return sendStatus(
      res,
      400,
      "BadRequest",
      `"${p.name}" is not a valid name: expected <stream>@<digest>`,
    );
  const stream = o.streams.get(p.namespace, name.stream);
  if (!stream) return notFound(res, p);
  const view = await imageViewOf(o.readImage, stream, name.digest);
  if ("error" in view) {
    if (view.error === "Conflict") return sendStatus(res, 409, "Conflict", view.message);
    return notFound(res, p, view.message);
  }
  return sendJson(res, 200, table ? imageTable([view], now) : view);
}

async function listAll(o: ViewsOptions, res: ServerResponse, p: ParsedPath, table: boolean) {
  const now = o.now?.() ?? new Date();
  const streams = o.streams.list(p.namespace);
  if (p.resource === "imagestreamtags") {
    const views = await tagViewsOf(o.readImage, streams);
    return sendJson(res, 200, table ? tagTable(views, now) : list("ImageStreamTagList", views));
  }
  const views = await imageViewsOf(o.readImage, streams);
  return sendJson(res, 200, table ? imageTable(views, now) : list("ImageStreamImageList", views));
}

function list(kind: string, items: unknown[]) {
  return { kind, apiVersion: VIEWS_API_VERSION, metadata: {}, items };
}
