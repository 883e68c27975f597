// Maintenance windows of a rollout policy (ADR 0030): weekday/time ranges in
// one IANA time zone, e.g. "Mon-Fri 09:00-17:00" or "Sat,Sun 22:00-02:00" (a
// range that ends before it starts runs past midnight into the next day).
// Pure: instants in, instants out; the wall clock of the zone comes from
// Intl (Node ships full ICU), so daylight saving time is the zone's own.

const DAY_NAMES = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MINUTES_PER_DAY = 24 * 60;
const MINUTE_MS = 60_000;
const DAY_MS = MINUTES_PER_DAY * MINUTE_MS;

export interface TimeWindow {
  /** weekdays (0 Sunday .. 6 Saturday) the window starts on */
  days: ReadonlySet<number>;
  /** minutes after local midnight */
  start: number;
  /** minutes after local midnight; <= start: ends the next day */
  end: number;
  /** as written, for messages */
  text: string;
}

export interface Windows {
  timeZone: string;
  windows: TimeWindow[];
}

export type WindowsParse = { ok: true; value: Windows } | { ok: false; message: string };

const WINDOW =
  /^\s*(?:([A-Za-z*][A-Za-z,\s*-]*?)\s+)?(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$/;

export function parseWindows(texts: unknown, timeZone: unknown): WindowsParse {
  if (!Array.isArray(texts) || texts.length === 0 || !texts.every((t) => typeof t === "string")) {
    return {
      ok: false,
      message: 'windows must be a non-empty list of strings such as "Mon-Fri 09:00-17:00"',
    };
  }
  const zone = timeZone === undefined ? "UTC" : timeZone;
  if (typeof zone !== "string" || !isTimeZone(zone)) {
    return {
      ok: false,
      message: `timeZone ${JSON.stringify(zone)} is not an IANA time zone such as "Europe/Paris" or "UTC"`,
    };
  }
  const windows: TimeWindow[] = [];
  for (const text of texts as string[]) {
    const parsed = parseWindow(text);
    if (typeof parsed === "string") return { ok: false, message: parsed };
    windows.push(parsed);
  }
  return { ok: true, value: { timeZone: zone, windows } };
}

function parseWindow(text: string): TimeWindow | string {
  const match = WINDOW.exec(text);
  const bad = `window ${JSON.stringify(text)} is not "DAYS HH:MM-HH:MM" (DAYS: Mon-Fri, Sat,Sun or * for every day)`;
  if (!match) return bad;
  const [, dayText, h1, m1, h2, m2] = match;
  const start = minutes(h1, m1);
  const end = minutes(h2, m2);
  if (start === undefined || end === undefined || start === MINUTES_PER_DAY) return bad;
  if (start === end) return `window ${JSON.stringify(text)} is empty: start and end are equal`;
  const days = parseDays(dayText ?? "*");
  if (days === undefined) return bad;
  return { days, start, end: end === MINUTES_PER_DAY ? 0 : end, text: text.trim() };
}

function minutes(h: string | undefined, m: string | undefined): number | undefined {
  const hours = Number(h);
  const mins = Number(m);
  if (mins > 59 || hours > 24 || (hours === 24 && mins !== 0)) return undefined;
  return hours * 60 + mins;
}

function parseDays(text: string): Set<number> | undefined {
  const days = new Set<number>();
  for (const part of text.split(",").map((p) => p.trim())) {
    if (part === "*") {
      for (let d = 0; d < 7; d++) days.add(d);
      continue;
    }
    const [from, to, extra] = part.split("-").map((p) => dayIndex(p.trim()));
    if (from === undefined || extra !== undefined) return undefined;
    if (part.includes("-") && to === undefined) return undefined;
    // a range may wrap: Fri-Mon is Fri, Sat, Sun, Mon
    for (let d = from; ; d = (d + 1) % 7) {
      days.add(d);
      if (d === (to ?? from)) break;
    }
  }
  return days.size === 0 ? undefined : days;
}

function dayIndex(name: string): number | undefined {
  const i = DAY_NAMES.findIndex((d) => d.toLowerCase() === name.slice(0, 3).toLowerCase());
  return i < 0 || (name.length !== 3 && !/^[a-z]+day$/i.test(name)) ? undefined : i;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

interface LocalTime {
  /** days since 1970-01-01 of the local calendar date */
  day: number;
  weekday: number;
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The zone's wall clock at an instant, as a UTC timestamp with the same fields. */
function wallClock(at: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(at))) {
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  }
  const { year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = parts;
  return Date.UTC(year, month - 1, day, hour, minute, second) + (((at % 1000) + 1000) % 1000);
}

function localTime(at: number, timeZone: string): LocalTime {
  const wall = wallClock(at, timeZone);
  const day = Math.floor(wall / (MINUTES_PER_DAY * MINUTE_MS));
  const minute = Math.floor((wall - day * MINUTES_PER_DAY * MINUTE_MS) / MINUTE_MS);
  return { day, weekday: (((day + 4) % 7) + 7) % 7, minute };
}

/**
 * The instants showing a local wall time (local day, minute), earliest
 * first: two in the repeated hour of a fall-back; in a spring-forward gap,
 * the end of the gap.
 */
function instantsOf(day: number, minute: number, timeZone: string): number[] {
  const wall = (day * MINUTES_PER_DAY + minute) * MINUTE_MS;
  const around = [wall - DAY_MS, wall + DAY_MS].map((t) => wall - (wallClock(t, timeZone) - t));
  const exact = [...new Set(around.filter((t) => wallClock(t, timeZone) === wall))];
  if (exact.length > 0) return exact.sort((a, b) => a - b);
  const [lo = wall, hi = wall] = around.sort((a, b) => a - b);
  return [firstAtOrAfter(lo, hi, wall, timeZone)];
}

const offsetAt = (t: number, timeZone: string) => wallClock(t, timeZone) - t;

/**
 * Offset changes (daylight saving) between two instants: a window can be
 * entered there without its start (a fall-back repeats an hour).
 */
function offsetChanges(from: number, to: number, timeZone: string): number[] {
  const step = 6 * 3600_000;
  const found: number[] = [];
  for (let t = from; t < to; t += step) {
    const before = offsetAt(t, timeZone);
    if (offsetAt(t + step, timeZone) === before) continue;
    let a = Math.floor(t / MINUTE_MS);
    let b = Math.ceil((t + step) / MINUTE_MS);
    while (a < b) {
      const mid = Math.floor((a + b) / 2);
      if (offsetAt(mid * MINUTE_MS, timeZone) !== before) b = mid;
      else a = mid + 1;
    }
    found.push(a * MINUTE_MS);
  }
  return found;
}

// Binary search on minutes between lo and hi for the first instant whose wall clock is >= wall.
function firstAtOrAfter(lo: number, hi: number, wall: number, timeZone: string): number {
  let a = Math.floor(lo / MINUTE_MS);
  let b = Math.ceil(hi / MINUTE_MS);
  while (a < b) {
    const mid = Math.floor((a + b) / 2);
    if (wallClock(mid * MINUTE_MS, timeZone) >= wall) b = mid;
    else a = mid + 1;
  }
  return a * MINUTE_MS;
}

/** Whether the instant lies inside one of the windows. */
export function inWindow(at: number, windows: Windows): boolean {
  const local = localTime(at, windows.timeZone);
  const yesterday = (local.weekday + 6) % 7;
  return windows.windows.some((w) => {
    if (w.end > w.start)
      return w.days.has(local.weekday) && local.minute >= w.start && local.minute < w.end;
    // runs past midnight: the evening of a listed day, or the early hours after one
    return (
      (w.days.has(local.weekday) && local.minute >= w.start) ||
      (w.days.has(yesterday) && local.minute < w.end)
    );
  });
}

/** The first instant at or after `at` inside a window (at itself when inside one). */
export function nextWindowStart(at: number, windows: Windows): number {
  if (inWindow(at, windows)) return at;
  const { timeZone } = windows;
  const today = localTime(at, timeZone).day;
  const candidates: number[] = [];
  for (let offset = 0; offset <= 8; offset++) {
    const day = today + offset;
    const weekday = (((day + 4) % 7) + 7) % 7;
    for (const w of windows.windows) {
      if (w.days.has(weekday)) candidates.push(...instantsOf(day, w.start, timeZone));
    }
  }
  candidates.push(...offsetChanges(at, at + 9 * DAY_MS, timeZone));
  const open = candidates.filter((t) => t > at && inWindow(t, windows));
  return open.length === 0 ? Number.POSITIVE_INFINITY : Math.min(...open);
}

/** "Mon 2026-12-07 09:00 Europe/Paris": when a window opens, for messages. */
export function describeInstant(at: number, timeZone: string): string {
  const local = localTime(at, timeZone);
  const date = new Date(local.day * MINUTES_PER_DAY * MINUTE_MS).toISOString().slice(0, 10);
  const hh = String(Math.floor(local.minute / 60)).padStart(2, "0");
  const mm = String(local.minute % 60).padStart(2, "0");
  return `${DAY_NAMES[local.weekday]} ${date} ${hh}:${mm} ${timeZone}`;
}
