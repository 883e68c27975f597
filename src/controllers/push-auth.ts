// How push senders prove who they are, one check per kind of proof. Every
// comparison of a secret or signature runs in constant time: both sides are
// hashed first, so neither their content nor their length leaks through
// timing. "missing" (no proof at all) answers 401, "bad" 403.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

export type AuthResult = "ok" | "missing" | "bad";

/** How far a generic signature's timestamp may be from now: older is a replay. */
export const SIGNATURE_TOLERANCE_MS = 5 * 60_000;

const digest = (s: string | Buffer) => createHash("sha256").update(s).digest();

export function secretEquals(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

function proven(given: string | undefined, ...accepted: string[]): AuthResult {
  if (!given) return "missing";
  // every candidate is compared, so the time does not say which one was close
  return accepted.map((a) => secretEquals(given, a)).includes(true) ? "ok" : "bad";
}

/**
 * An Authorization header carrying the secret as is (Harbor's "Auth Header",
 * GitLab's registry notifications) or as a bearer token (distribution's
 * configured headers).
 */
export function checkAuthorization(header: string | undefined, secret: string): AuthResult {
  return proven(header, secret, `Bearer ${secret}`);
}

/** A secret last path segment (/hooks/dockerhub/<secret>), for senders that cannot set headers. */
export function checkPathSecret(segment: string | undefined, secret: string): AuthResult {
  return proven(segment, secret);
}

export function hmacSha256Hex(secret: string, data: Buffer | string): string {
  return createHmac("sha256", secret).update(data).digest("hex");
}

/** GitHub's X-Hub-Signature-256: "sha256=" + HMAC-SHA256 of the raw body. */
export function checkGitHubSignature(
  header: string | undefined,
  body: Buffer,
  secret: string,
): AuthResult {
  return proven(header, `sha256=${hmacSha256Hex(secret, body)}`);
}

export interface GenericSignature {
  /** unix seconds, X-Signature-Timestamp */
  timestamp: string;
  /** "sha256=" + HMAC-SHA256 of `${timestamp}.${body}`, X-Signature-256 */
  signature: string;
}

/** The generic receiver's signature of a body at `nowMs` (for senders, tests and docs). */
export function signGeneric(
  body: Buffer | string,
  secret: string,
  nowMs: number,
): GenericSignature {
  const timestamp = String(Math.floor(nowMs / 1000));
  const signed = Buffer.concat([Buffer.from(`${timestamp}.`), Buffer.from(body)]);
  return { timestamp, signature: `sha256=${hmacSha256Hex(secret, signed)}` };
}

/**
 * The generic form: the signature covers the timestamp, so an old request
 * replayed verbatim is refused once it is outside the tolerance (and a
 * replay within it by the ReplayGuard).
 */
export function checkGenericSignature(
  given: Partial<GenericSignature>,
  body: Buffer,
  secret: string,
  nowMs: number,
): AuthResult {
  if (!given.timestamp || !given.signature) return "missing";
  const expected = signGeneric(body, secret, Number(given.timestamp) * 1000);
  if (proven(given.signature, expected.signature) !== "ok") return "bad";
  const skew = Math.abs(nowMs - Number(given.timestamp) * 1000);
  return /^\d{1,12}$/.test(given.timestamp) && skew <= SIGNATURE_TOLERANCE_MS ? "ok" : "bad";
}

/** Signatures seen within the tolerance window: the same signed request twice is a replay. */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly windowMs = 2 * SIGNATURE_TOLERANCE_MS,
    private readonly capacity = 10_000,
  ) {}

  /** True the first time a signature is seen within the window. */
  firstSeen(signature: string, nowMs: number): boolean {
    for (const [s, at] of this.seen) {
      if (nowMs - at <= this.windowMs && this.seen.size < this.capacity) break;
      this.seen.delete(s); // oldest first: a Map iterates in insertion order
    }
    if (this.seen.has(signature)) return false;
    this.seen.set(signature, nowMs);
    return true;
  }
}
