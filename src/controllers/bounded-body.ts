// Request bodies read into memory up to a limit, for the HTTP endpoints the
// operator serves (push receiver, admission webhook): a sender cannot make us
// buffer more than maxBytes.
import type { IncomingMessage } from "node:http";

export class BodyTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`request body larger than ${maxBytes} bytes`);
  }
}

/** The body as UTF-8; rejects with BodyTooLargeError past maxBytes (the rest is drained). */
export async function readBounded(req: IncomingMessage, maxBytes: number): Promise<string> {
  return (await readBoundedBytes(req, maxBytes)).toString("utf8");
}

/** The body's bytes; rejects with BodyTooLargeError past maxBytes (the rest is drained). */
export function readBoundedBytes(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (tooLarge) return; // drained and dropped, so the client still reads our answer
      if (size > maxBytes) {
        tooLarge = true;
        chunks.length = 0;
        reject(new BodyTooLargeError(maxBytes));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
