// For unit tests of the receivers (imported by *.test.ts only): the
// receivers' listener on a loopback node:http server. The product serves
// them over HTTPS only (ADR 0027); the handlers do not depend on the
// transport, and e2e drives them over TLS.
import { createServer, type RequestListener, type Server } from "node:http";

export async function listenForTest(listener: RequestListener): Promise<Server> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}
