// `kubectl imagestream set triggers KIND/NAME` (oc set triggers): with no
// flag, the table of the workload's triggers; otherwise one guarded merge
// patch of its image.openshift.io/triggers annotation (and, for --auto or
// --manual alone, a Deployment's spec.paused, as oc does).
import {
  crossNamespaceDeniedMessage,
  findStatusTag,
  isCrossNamespaceAllowed,
} from "../../reconcile/index.js";
import { CliError } from "../errors.js";
import { parseCommand } from "../flags.js";
import { TRIGGERS_HELP } from "../help.js";
import type { Io } from "../io.js";
import { currentNamespace, loadConfig } from "../kube.js";
import { withConflictRetry } from "../streams.js";
import { KubeTriggerApi, kindLabel, resourceName, type TriggerApi } from "./api.js";
import {
  COMMAND,
  type FromImage,
  parseTriggerOptions,
  TRIGGER_FLAGS,
  type TriggerOptions,
} from "./options.js";
import {
  applyAction,
  formatTriggerTable,
  readTriggers,
  triggersPatch,
  triggerWarnings,
} from "./plan.js";

/**
 * What the operator will make of a new trigger, when it can tell now: a tag
 * not there yet, a stream of another namespace that is not shared (ADR 0004).
 */
async function followedTagWarning(
  api: TriggerApi,
  from: FromImage,
  namespace: string,
): Promise<string | undefined> {
  const streamNamespace = from.namespace ?? namespace;
  const [stream = "", tag = ""] = from.name.split(":");
  let found: Awaited<ReturnType<TriggerApi["stream"]>>;
  try {
    found = await api.stream(streamNamespace, stream);
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    return `warning: cannot read image stream ${streamNamespace}/${stream} to check the trigger: ${error.message}`;
  }
  if (streamNamespace !== namespace && (!found || !isCrossNamespaceAllowed(found, namespace))) {
    const denied = crossNamespaceDeniedMessage(
      { namespace: streamNamespace, name: stream },
      namespace,
    );
    return `warning: the operator will not act on this trigger: ${denied}`;
  }
  if (!found) {
    return `warning: image stream ${streamNamespace}/${stream} does not exist yet: the trigger acts once its tag ${tag} has an image`;
  }
  if (!findStatusTag(found, tag)?.items?.[0]) {
    return `warning: image stream tag ${streamNamespace}/${from.name} has no image yet: the trigger acts once it has one`;
  }
  return undefined;
}

export async function runTriggersWith(
  api: TriggerApi,
  namespace: string,
  o: TriggerOptions,
  io: Io,
): Promise<number> {
  const label = `${kindLabel(o.workload)}/${o.workload.name}`;
  if (o.action.kind === "list") {
    const workload = await api.read(o.workload, namespace);
    const triggers = readTriggers(workload);
    io.out(formatTriggerTable(resourceName(o.workload), triggers, workload));
    for (const warning of triggerWarnings(triggers, label)) io.err(warning);
    return 0;
  }
  const action = o.action;
  const updated = await withConflictRetry(
    async () => {
      const workload = await api.read(o.workload, namespace);
      const before = readTriggers(workload);
      const patch = triggersPatch(workload, before, applyAction(before, action, workload));
      if (patch) await api.mergePatch(o.workload, namespace, patch);
      return patch !== undefined;
    },
    5,
    label,
  );
  io.out(`${label} triggers ${updated ? "updated" : "unchanged"}`);
  if (action.kind === "set" && action.auto) {
    const warning = await followedTagWarning(api, action.from, namespace);
    if (warning) io.err(warning);
  }
  return 0;
}

export async function runTriggers(args: readonly string[], io: Io): Promise<number> {
  const { global, positionals, values } = parseCommand(COMMAND, args, TRIGGER_FLAGS);
  if (global.help) {
    io.out(TRIGGERS_HELP);
    return 0;
  }
  const options = parseTriggerOptions(global, positionals, values);
  const kc = loadConfig(global);
  return runTriggersWith(new KubeTriggerApi(kc), currentNamespace(kc, global), options, io);
}
