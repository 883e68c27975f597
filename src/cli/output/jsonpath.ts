// kubectl's `-o jsonpath=TEMPLATE` (k8s.io/client-go/util/jsonpath), so the
// seed's commands work through the plugin as they do through kubectl:
// text with {actions}; an action is a path (.a.b, [n], [*], [a:b], ['k'],
// [?(@.k=="v")], ..name, $ and @), a quoted literal ('\n' is a newline),
// `range PATH` ... `end`. Missing keys print nothing, as kubectl's default
// --allow-missing-template-keys. Strings print raw, several results of one
// path are separated by a space, objects and arrays print as JSON. Pure.

type Step =
  | { kind: "field"; name: string }
  | { kind: "recursive"; name: string }
  | { kind: "wildcard" }
  | { kind: "index"; index: number }
  | { kind: "slice"; start?: number; end?: number; step?: number }
  | { kind: "union"; names: string[] }
  | { kind: "filter"; left: Path; op?: string; right?: Operand };

interface Path {
  root: "$" | "@";
  steps: Step[];
}

type Operand =
  | { kind: "literal"; value: string | number | boolean | null }
  | { kind: "path"; path: Path };

type Node =
  | { kind: "text"; text: string }
  | { kind: "path"; path: Path }
  | { kind: "range"; path: Path; body: Node[] };

export class JsonPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JsonPathError";
  }
}

/** `{...}` actions and the text between them. */
function splitActions(template: string): { text: string; action: boolean }[] {
  const parts: { text: string; action: boolean }[] = [];
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf("{", i);
    if (open < 0) {
      parts.push({ text: template.slice(i), action: false });
      break;
    }
    if (open > i) parts.push({ text: template.slice(i, open), action: false });
    const close = closingBrace(template, open + 1);
    parts.push({ text: template.slice(open + 1, close).trim(), action: true });
    i = close + 1;
  }
  return parts;
}

function closingBrace(template: string, from: number): number {
  let quote: string | undefined;
  for (let i = from; i < template.length; i++) {
    const c = template[i];
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "}") return i;
  }
  throw new JsonPathError(`unclosed action in template "${template}"`);
}

const ESCAPES: Record<string, string> = {
  n: "\n",
  t: "\t",
  r: "\r",
  "\\": "\\",
  "'": "'",
  '"': '"',
};

/** 'text' or "text", with \n, \t, \r, \\ and quote escapes. */
function unquote(text: string): string {
  const body = text.slice(1, -1);
  return body.replace(/\\(.)/g, (_, c: string) => ESCAPES[c] ?? `\\${c}`);
}

function isQuoted(text: string): boolean {
  return text.length >= 2 && (text[0] === "'" || text[0] === '"') && text.at(-1) === text[0];
}

export function parseTemplate(template: string): Node[] {
  const root: Node[] = [];
  const stack: Node[][] = [root];
  for (const part of splitActions(template)) {
    const current = stack.at(-1) as Node[];
    if (!part.action) {
      current.push({ kind: "text", text: part.text });
    } else if (part.text === "end") {
      if (stack.length === 1) throw new JsonPathError("not in range, nothing to end");
      stack.pop();
    } else if (/^range\s/.test(part.text)) {
      const node = {
        kind: "range" as const,
        path: parsePath(part.text.slice(6).trim()),
        body: [] as Node[],
      };
      current.push(node);
      stack.push(node.body);
    } else if (isQuoted(part.text)) {
      current.push({ kind: "text", text: unquote(part.text) });
    } else if (part.text !== "") {
      current.push({ kind: "path", path: parsePath(part.text) });
    }
  }
  if (stack.length > 1) throw new JsonPathError("unclosed range: missing {end}");
  return root;
}

export function parsePath(text: string): Path {
  let i = 0;
  let root: Path["root"] = "@";
  if (text[0] === "$" || text[0] === "@") {
    root = text[0] === "$" ? "$" : "@";
    i = 1;
  }
  const steps: Step[] = [];
  while (i < text.length) {
    const c = text[i];
    if (c === ".") {
      const recursive = text[i + 1] === ".";
      i += recursive ? 2 : 1;
      const start = i;
      while (i < text.length && text[i] !== "." && text[i] !== "[") i++;
      const name = text.slice(start, i);
      if (recursive) steps.push({ kind: "recursive", name });
      else if (name === "*") steps.push({ kind: "wildcard" });
      else if (name !== "") steps.push({ kind: "field", name });
    } else if (c === "[") {
      const close = closingBracket(text, i + 1);
      steps.push(parseBracket(text.slice(i + 1, close).trim()));
      i = close + 1;
    } else {
      throw new JsonPathError(`unrecognized character "${c}" in path "${text}"`);
    }
  }
  return { root, steps };
}

function closingBracket(text: string, from: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "]" && depth === 0) return i;
  }
  throw new JsonPathError(`unclosed [ in path "${text}"`);
}

function parseBracket(inner: string): Step {
  if (inner === "*") return { kind: "wildcard" };
  if (inner.startsWith("?(") && inner.endsWith(")")) return parseFilter(inner.slice(2, -1).trim());
  if (/^-?\d+$/.test(inner)) return { kind: "index", index: Number(inner) };
  const slice = /^(-?\d*):(-?\d*)(?::(-?\d+))?$/.exec(inner);
  if (slice) {
    const num = (s: string | undefined) => (s ? Number(s) : undefined);
    const [start, end, step] = [num(slice[1]), num(slice[2]), num(slice[3])];
    return {
      kind: "slice",
      ...(start !== undefined ? { start } : {}),
      ...(end !== undefined ? { end } : {}),
      ...(step !== undefined ? { step } : {}),
    };
  }
  const names = inner.split(",").map((n) => n.trim());
  if (names.every(isQuoted)) return { kind: "union", names: names.map(unquote) };
  throw new JsonPathError(`unsupported subscript [${inner}]`);
}

const FILTER = /^(.+?)\s*(==|!=|<=|>=|<|>|=~)\s*(.+)$/;

function parseFilter(expression: string): Step {
  const match = FILTER.exec(expression);
  if (!match) return { kind: "filter", left: parsePath(expression) };
  const [, left = "", op = "", right = ""] = match;
  return { kind: "filter", left: parsePath(left.trim()), op, right: parseOperand(right.trim()) };
}

function parseOperand(text: string): Operand {
  if (isQuoted(text)) return { kind: "literal", value: unquote(text) };
  if (/^-?\d+(\.\d+)?$/.test(text)) return { kind: "literal", value: Number(text) };
  if (text === "true" || text === "false") return { kind: "literal", value: text === "true" };
  if (text === "nil" || text === "null") return { kind: "literal", value: null };
  return { kind: "path", path: parsePath(text) };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function descendants(value: unknown): unknown[] {
  const out: unknown[] = [value];
  const children = Array.isArray(value) ? value : isObject(value) ? Object.values(value) : [];
  for (const child of children) out.push(...descendants(child));
  return out;
}

function sliceOf(list: unknown[], step: Extract<Step, { kind: "slice" }>): unknown[] {
  const n = list.length;
  const clamp = (i: number) => Math.min(n, Math.max(0, i < 0 ? n + i : i));
  const start = clamp(step.start ?? 0);
  const end = clamp(step.end ?? n);
  const by = step.step ?? 1;
  if (by <= 0) throw new JsonPathError("slice step must be positive");
  const out: unknown[] = [];
  for (let i = start; i < end; i += by) out.push(list[i]);
  return out;
}

function stepValues(v: unknown, step: Step, root: unknown): unknown[] {
  switch (step.kind) {
    case "field":
      return isObject(v) && step.name in v ? [v[step.name]] : [];
    case "recursive":
      return descendants(v).flatMap((d) => (isObject(d) && step.name in d ? [d[step.name]] : []));
    case "wildcard":
      return Array.isArray(v) ? v : isObject(v) ? Object.values(v) : [];
    case "index": {
      if (!Array.isArray(v)) return [];
      const at = step.index < 0 ? v.length + step.index : step.index;
      return at >= 0 && at < v.length ? [v[at]] : [];
    }
    case "slice":
      return Array.isArray(v) ? sliceOf(v, step) : [];
    case "union":
      return isObject(v) ? step.names.filter((n) => n in v).map((n) => v[n]) : [];
    case "filter":
      return (Array.isArray(v) ? v : [v]).filter((item) => matches(item, step, root));
  }
}

function applyStep(values: unknown[], step: Step, root: unknown): unknown[] {
  return values.flatMap((v) => stepValues(v, step, root));
}

function matches(item: unknown, step: Extract<Step, { kind: "filter" }>, root: unknown): boolean {
  const left = evaluate(step.left, item, root);
  if (!step.op || !step.right) return left.length > 0 && left[0] !== false && left[0] !== null;
  const right =
    step.right.kind === "literal" ? [step.right.value] : evaluate(step.right.path, item, root);
  if (left.length === 0 || right.length === 0) return false;
  const [a, b] = [left[0], right[0]];
  switch (step.op) {
    case "==":
      return a === b;
    case "!=":
      return a !== b;
    case "=~":
      return typeof a === "string" && typeof b === "string" && new RegExp(b).test(a);
    default:
      return compare(a, b, step.op);
  }
}

function compare(a: unknown, b: unknown, op: string): boolean {
  if (typeof a !== typeof b || (typeof a !== "number" && typeof a !== "string")) return false;
  const [x, y] = [a as number | string, b as number | string];
  return op === "<" ? x < y : op === ">" ? x > y : op === "<=" ? x <= y : x >= y;
}

function evaluate(path: Path, current: unknown, root: unknown): unknown[] {
  let values = [path.root === "$" ? root : current];
  for (const step of path.steps) values = applyStep(values, step, root);
  return values;
}

function text(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === null || value === undefined) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

function render(nodes: Node[], current: unknown, root: unknown): string {
  let out = "";
  for (const node of nodes) {
    if (node.kind === "text") out += node.text;
    else if (node.kind === "path") out += evaluate(node.path, current, root).map(text).join(" ");
    else {
      const results = evaluate(node.path, current, root);
      const first = results[0];
      const items = results.length === 1 && Array.isArray(first) ? first : results;
      for (const item of items) out += render(node.body, item, root);
    }
  }
  return out;
}

/** kubectl's output of `-o jsonpath=TEMPLATE` for one object (or a List). */
export function executeTemplate(template: string, object: unknown): string {
  return render(parseTemplate(template), object, object);
}
