import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createAgent } from "./undici-agent";

describe("createAgent (undici's Agent without the rest of undici)", () => {
  it("sends requests with request(), as undici's own Agent does", async () => {
    const server = createServer((_req, res) => res.end("pong"));
    await new Promise<void>(resolve => server.listen(0, "127.0.0.1", resolve));
    const agent = createAgent({ connections: 1 });
    try {
      const { port } = server.address() as AddressInfo;
      const res = await agent.request({ origin: `http://127.0.0.1:${port}`, path: "/ping", method: "GET" });
      expect(res.statusCode).toBe(200);
      expect(await res.body.text()).toBe("pong");
    } finally {
      await agent.close();
      server.close();
    }
  });
});
