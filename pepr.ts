import { PeprModule } from "pepr";
// cfg loads the Pepr configuration from package.json
import cfg from "./package.json";
import { Gateway } from "./capabilities/gateway";
import { Orchestrator } from "./capabilities/orchestrator";
import { peprPort } from "./src/module/placement";

/**
 * The module's entry point. Capabilities are thin wiring over src/:
 *   gateway       serves the gateway (admission pods, pepr dev) and validates RRs' fingerprint labels
 *   orchestrator  runs the mock Remediation Orchestrator (watcher pod, pepr dev)
 *
 * Pepr's own HTTPS server listens on 3000 as deployed; PEPR_PORT moves it for
 * local runs (hack/dev.sh), where 3000 may be taken.
 */
const module = new PeprModule(cfg, [Gateway, Orchestrator], { deferStart: true });
if (process.env.PEPR_MODE !== "build") module.start(peprPort(process.env));
