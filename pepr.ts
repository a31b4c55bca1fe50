import { PeprModule } from "pepr";
// cfg loads the Pepr configuration from package.json
import cfg from "./package.json";

/**
 * The module's entry point. Capabilities are thin wiring over src/: see
 * capabilities/ for what each one starts.
 */
new PeprModule(cfg, []);
