// `kubectl imagestream set image-lookup` (oc set image-lookup): with no
// arguments, the table of the namespace's streams and whether they resolve
// local names; with streams, sets spec.lookupPolicy.local (--enabled=false
// clears it); with KIND/NAME objects, sets or removes the resolve-names
// annotation on their pod template (a Pod's own annotations).
import { CliError, UsageError } from "../errors.js";
import { parseCommand } from "../flags.js";
import { IMAGE_LOOKUP_HELP } from "../help.js";
import type { Io } from "../io.js";
import { currentNamespace, loadConfig } from "../kube.js";
import { KubeLookupApi, type LookupApi } from "./api.js";
import { formatLookupTable, type LookupRow, lookupEnabled, lookupPatch } from "./plan.js";
import { type LookupTarget, parseTargets, targetLabel } from "./targets.js";

const COMMAND = "set image-lookup";
const OPTIONS = {
  enabled: { type: "boolean" },
  list: { type: "boolean" },
  all: { type: "boolean" },
} as const;

export interface ImageLookupOptions {
  targets: LookupTarget[];
  enabled: boolean;
  /** print the table instead of writing */
  list: boolean;
  /** every stream of the namespace */
  all: boolean;
}

export function parseImageLookupArgs(
  positionals: readonly string[],
  values: Record<string, unknown>,
): ImageLookupOptions {
  const all = values.all === true;
  if (all && positionals.length > 0) {
    throw new UsageError("--all selects every image stream: name no objects with it", COMMAND);
  }
  const targets = parseTargets(positionals);
  const list = values.list === true || (targets.length === 0 && !all);
  if (list && values.enabled !== undefined) {
    throw new UsageError(
      "--enabled changes image lookup: it cannot be combined with listing",
      COMMAND,
    );
  }
  return { targets, enabled: values.enabled !== false, list, all };
}

async function tableRows(
  api: LookupApi,
  namespace: string,
  o: ImageLookupOptions,
): Promise<LookupRow[]> {
  if (o.targets.length === 0) {
    const streams = await api.listStreams(namespace);
    return streams
      .map((s) => ({ name: s.metadata.name ?? "", local: s.spec?.lookupPolicy?.local === true }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }
  const rows: LookupRow[] = [];
  for (const target of o.targets) {
    const object = await api.read(target, namespace);
    if (object === undefined)
      throw new CliError(`${targetLabel(target)} not found in namespace "${namespace}"`);
    const name = target.type === "stream" ? target.name : targetLabel(target);
    rows.push({ name, local: lookupEnabled(target, object) });
  }
  return rows;
}

/** One line per target; false when any target failed (the others are still written). */
async function writeAll(
  api: LookupApi,
  namespace: string,
  targets: LookupTarget[],
  enabled: boolean,
  io: Io,
): Promise<boolean> {
  let ok = true;
  for (const target of targets) {
    try {
      const object = await api.read(target, namespace);
      if (object === undefined)
        throw new CliError(`${targetLabel(target)} not found in namespace "${namespace}"`);
      if (lookupEnabled(target, object) === enabled) {
        io.out(`${targetLabel(target)} image lookup unchanged`);
        continue;
      }
      await api.mergePatch(target, namespace, lookupPatch(target, enabled));
      io.out(`${targetLabel(target)} image lookup updated`);
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      io.err(`error: ${error.message}`);
      ok = false;
    }
  }
  return ok;
}

export async function runImageLookupWith(
  api: LookupApi,
  namespace: string,
  o: ImageLookupOptions,
  io: Io,
): Promise<number> {
  if (o.list) {
    const rows = await tableRows(api, namespace, o);
    if (rows.length === 0) {
      io.err(`No image streams found in ${namespace} namespace.`);
      return 0;
    }
    io.out(formatLookupTable(rows));
    return 0;
  }
  const targets: LookupTarget[] = o.all
    ? (await api.listStreams(namespace)).map((s) => ({
        type: "stream",
        name: s.metadata.name ?? "",
      }))
    : o.targets;
  return (await writeAll(api, namespace, targets, o.enabled, io)) ? 0 : 1;
}

export async function runImageLookup(args: readonly string[], io: Io): Promise<number> {
  const { global, positionals, values } = parseCommand(COMMAND, args, OPTIONS);
  if (global.help) {
    io.out(IMAGE_LOOKUP_HELP);
    return 0;
  }
  const options = parseImageLookupArgs(positionals, values);
  const kc = loadConfig(global);
  return runImageLookupWith(new KubeLookupApi(kc), currentNamespace(kc, global), options, io);
}
