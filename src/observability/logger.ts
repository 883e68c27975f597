// One pino root logger (JSON lines). Redaction is a second line of defence:
// the code never passes credentials to the logger in the first place.
import { type Logger, pino } from "pino";

export type { Logger };

export const REDACT_PATHS = [
  "authorization",
  "password",
  "token",
  "auth",
  "identityToken",
  "identitytoken",
  "refresh_token",
  "*.authorization",
  "*.Authorization",
  "*.password",
  "*.token",
  "*.auth",
  "*.identityToken",
  "*.identitytoken",
  "*.refresh_token",
  "headers.authorization",
  "*.headers.authorization",
  "data",
  "*.data",
];

export function createLogger(level = "info", destination?: pino.DestinationStream): Logger {
  const options = {
    level,
    base: { app: "imagestream-operator" },
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}

/** The useful part of an error for a log line, without headers or bodies. */
export function errorSummary(err: unknown): Record<string, unknown> {
  if (err && typeof err === "object") {
    const e = err as { name?: string; message?: string; code?: unknown; body?: unknown };
    const reason =
      e.body && typeof e.body === "object" ? (e.body as { reason?: string }).reason : undefined;
    // ApiException.message embeds response headers: keep only code and reason.
    if (typeof e.code === "number") return { name: e.name, code: e.code, reason };
    return { name: e.name, message: e.message };
  }
  return { message: String(err) };
}
