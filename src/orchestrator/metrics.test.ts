import { exposition } from "../metrics/process-registry";
import { reportOrchestrator } from "./metrics";

const leaders = async (): Promise<string | undefined> => (await exposition()).body.match(/^rr_gateway_orchestrator_leader (\d+)$/m)?.[1];

describe("rr_gateway_orchestrator_leader", () => {
  it("is absent until an orchestrator starts in the process (a gateway-only process reports no orchestrator)", async () => {
    expect(await leaders()).toBeUndefined();
  });

  it("counts the instances of the process that lead, on the process registry every /metrics serves", async () => {
    let aLeads = false;
    const stopA = reportOrchestrator(() => aLeads);
    const stopB = reportOrchestrator(() => false);
    expect(await leaders()).toBe("0");
    aLeads = true;
    expect(await leaders()).toBe("1");
    stopA();
    expect(await leaders()).toBe("0");
    stopB();
  });
});
