import { once } from "node:events";
import { type AddressInfo, connect, createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { parseRelayConfig, readyEndpoint, startRelay } from "./pod-relay.ts";

describe("pod-relay config", () => {
  it.each([
    ["no ports", { listenHost: "10.0.0.1", targetHost: "127.0.0.1", ports: [] }, "ports"],
    [
      "a port out of range",
      { listenHost: "10.0.0.1", targetHost: "127.0.0.1", ports: [70000] },
      "ports",
    ],
    ["no listen host", { targetHost: "127.0.0.1", ports: [1] }, "listenHost"],
    ["no target", { listenHost: "10.0.0.1", ports: [1] }, "either targetHost"],
    [
      "a target host and a Service",
      {
        listenHost: "10.0.0.1",
        targetHost: "127.0.0.1",
        service: { namespace: "a", name: "b", portName: "https" },
        ports: [1],
      },
      "either targetHost",
    ],
    [
      "a Service without its port's name",
      { listenHost: "10.0.0.1", service: { namespace: "a", name: "b" }, ports: [1] },
      "portName",
    ],
  ])("refuses %s", (_, config, word) => {
    expect(() => parseRelayConfig(JSON.stringify(config))).toThrow(word);
  });

  it("takes a whole config", () => {
    const config = { listenHost: "10.1.2.1", targetHost: "127.0.0.1", ports: [30002, 30010] };
    expect(parseRelayConfig(JSON.stringify(config))).toEqual(config);
  });

  it("takes a Service as the target", () => {
    const service = { namespace: "iso", name: "imagestream-operator", portName: "https" };
    const config = { listenHost: "10.0.0.12", service, ports: [443] };
    expect(parseRelayConfig(JSON.stringify(config))).toEqual(config);
  });
});

describe("a Service's ready endpoint", () => {
  const slice = (
    ready: boolean | undefined,
    address: string,
    ports = [{ name: "https", port: 8443 }],
  ) => ({
    ports,
    endpoints: [{ addresses: [address], conditions: ready === undefined ? {} : { ready } }],
  });

  it.each([
    [
      "the ready one, past one not ready",
      [slice(false, "10.1.0.5"), slice(true, "10.1.0.6")],
      { host: "10.1.0.6", port: 8443 },
    ],
    [
      "ready unset counts as ready",
      [slice(undefined, "10.1.0.7")],
      { host: "10.1.0.7", port: 8443 },
    ],
    ["none when none is ready", [slice(false, "10.1.0.5")], undefined],
    [
      "none without the named port",
      [slice(true, "10.1.0.6", [{ name: "metrics", port: 8080 }])],
      undefined,
    ],
    ["none without slices", [], undefined],
  ])("%s", (_, items, expected) => {
    expect(readyEndpoint({ items }, "https")).toEqual(expected);
  });
});

describe("pod-relay", () => {
  it("relays bytes both ways to the same port on the target host", async () => {
    // an echo server on a loopback address the relay does not listen on
    const echo = createServer((socket) => socket.pipe(socket)).listen(0, "127.0.0.2");
    await once(echo, "listening");
    const { port } = echo.address() as AddressInfo;
    const servers = startRelay({ listenHost: "127.0.0.3", targetHost: "127.0.0.2", ports: [port] });
    await Promise.all(servers.map((s) => once(s, "listening")));
    const client = connect({ host: "127.0.0.3", port });
    client.end("through the relay");
    const chunks: Buffer[] = [];
    for await (const chunk of client) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe("through the relay");
    for (const s of [...servers, echo]) s.close();
  });
});
