// The self-managed serving certificates (ADR 0022): a CA of our own and a
// serving certificate it signs, kept in one Secret. Pure apart from key
// generation: what to do is decided from the Secret's PEMs and the time.
// node-forge builds the X.509 structures (node:crypto only parses them); key
// pairs come from node:crypto, and node:crypto checks what was loaded.
import { generateKeyPairSync, randomBytes, X509Certificate } from "node:crypto";
import forge from "node-forge";

const DAY_MS = 86_400_000;
export const CA_LIFETIME_MS = 5 * 365 * DAY_MS;
export const SERVING_LIFETIME_MS = 365 * DAY_MS;
/** renew when less than this share of the lifetime is left: months of margin */
const RENEW_WHEN_LEFT = 1 / 3;
/** back-dated so a peer whose clock runs a little behind accepts a fresh certificate */
const CLOCK_SKEW_MS = 5 * 60_000;

export interface KeyPair {
  cert: string;
  key: string;
}

/** What the Secret holds (keys tls.crt, tls.key, ca.crt, ca.key; see SECRET_KEYS). */
export interface ServingMaterial {
  serving: KeyPair;
  ca: KeyPair;
  /** the CA bundle clients trust: the current CA, plus the previous one while it is valid */
  caBundle: string;
}

export type CertificatePlan =
  | { action: "keep" }
  | { action: "renew-serving"; reason: string }
  | { action: "new-ca"; reason: string };

/** Decides from the stored material (if any) what the leader must write. */
export function planCertificates(
  stored: Partial<ServingMaterial> | undefined,
  dnsNames: string[],
  now: Date,
): CertificatePlan {
  const ca = parse(stored?.ca?.cert);
  if (!ca || !stored?.ca?.key) return { action: "new-ca", reason: "no CA yet" };
  if (nearExpiry(ca, now)) return { action: "new-ca", reason: `CA expires ${ca.validTo}` };
  const serving = parse(stored.serving?.cert);
  if (!serving || !stored.serving?.key)
    return { action: "renew-serving", reason: "no serving certificate yet" };
  if (!serving.checkIssued(ca) || !serving.verify(ca.publicKey))
    return { action: "renew-serving", reason: "serving certificate not signed by the CA" };
  if (nearExpiry(serving, now))
    return { action: "renew-serving", reason: `serving certificate expires ${serving.validTo}` };
  const missing = dnsNames.filter((n) => !serving.checkHost(n, { wildcards: false }));
  if (missing.length > 0)
    return { action: "renew-serving", reason: `serving certificate lacks ${missing.join(", ")}` };
  return { action: "keep" };
}

/** Carries out a plan; "keep" returns the stored material unchanged. */
export function applyPlan(
  plan: CertificatePlan,
  stored: Partial<ServingMaterial> | undefined,
  names: { dnsNames: string[]; ipAddresses: string[]; commonName: string },
  now: Date,
): ServingMaterial {
  if (plan.action === "keep") return stored as ServingMaterial;
  const ca =
    plan.action === "new-ca"
      ? newCertificate({ commonName: `${names.commonName}-ca`, isCa: true }, now)
      : (stored?.ca as KeyPair);
  const serving = newCertificate({ ...names, isCa: false, issuer: ca }, now);
  const previous = plan.action === "new-ca" ? stillValid(stored?.ca?.cert, now) : undefined;
  const kept = plan.action === "new-ca" ? previous : previousCaOf(stored, ca.cert, now);
  return { ca, serving, caBundle: [ca.cert, ...(kept ? [kept] : [])].join("") };
}

/** The previous CA still in a stored bundle, if still valid (kept across serving renewals). */
function previousCaOf(
  stored: Partial<ServingMaterial> | undefined,
  currentCa: string,
  now: Date,
): string | undefined {
  const others = splitPem(stored?.caBundle ?? "").filter((p) => p.trim() !== currentCa.trim());
  return others.map((p) => stillValid(p, now)).find((p) => p !== undefined);
}

function stillValid(pem: string | undefined, now: Date): string | undefined {
  const cert = parse(pem);
  return cert && new Date(cert.validTo) > now ? pem : undefined;
}

export function splitPem(bundle: string): string[] {
  return bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? [];
}

function parse(pem: string | undefined): X509Certificate | undefined {
  if (!pem) return undefined;
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
}

function nearExpiry(cert: X509Certificate, now: Date): boolean {
  const from = new Date(cert.validFrom).getTime();
  const to = new Date(cert.validTo).getTime();
  return to - now.getTime() < (to - from) * RENEW_WHEN_LEFT;
}

interface CertificateRequest {
  commonName: string;
  isCa: boolean;
  dnsNames?: string[];
  ipAddresses?: string[];
  issuer?: KeyPair;
}

function newCertificate(req: CertificateRequest, now: Date): KeyPair {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(
    publicKey.export({ type: "spki", format: "pem" }).toString(),
  );
  // random 120-bit serial; the leading 01 keeps the DER integer positive
  cert.serialNumber = `01${randomBytes(15).toString("hex")}`;
  cert.validity.notBefore = new Date(now.getTime() - CLOCK_SKEW_MS);
  cert.validity.notAfter = new Date(
    now.getTime() + (req.isCa ? CA_LIFETIME_MS : SERVING_LIFETIME_MS),
  );
  const subject = [{ name: "commonName", value: req.commonName }];
  cert.setSubject(subject);
  const issuerCert = req.issuer ? forge.pki.certificateFromPem(req.issuer.cert) : undefined;
  cert.setIssuer(issuerCert ? issuerCert.subject.attributes : subject);
  cert.setExtensions(req.isCa ? caExtensions() : servingExtensions(req));
  const signingKey = forge.pki.privateKeyFromPem(req.issuer?.key ?? keyPem);
  cert.sign(signingKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert).replace(/\r\n/g, "\n"), key: keyPem };
}

function caExtensions(): object[] {
  return [
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ];
}

function servingExtensions(req: CertificateRequest): object[] {
  const altNames = [
    ...(req.dnsNames ?? []).map((value) => ({ type: 2, value })),
    ...(req.ipAddresses ?? []).map((ip) => ({ type: 7, ip })),
  ];
  return [
    { name: "basicConstraints", cA: false, critical: true },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", serverAuth: true },
    { name: "subjectAltName", altNames },
  ];
}
