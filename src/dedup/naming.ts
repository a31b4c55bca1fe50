import { sha256Hex } from "../signal/sha256";

/**
 * The name of the RR for a problem's next occurrence: derived from the
 * fingerprint and the uid of the terminal RR it succeeds (none for the first).
 * Racing creators (in one process or across replicas) compute the same name,
 * so all but one get AlreadyExists instead of creating twins.
 *
 * rr-<12 hex of the fingerprint>-<8 hex of sha256(fingerprint/predecessorUid)>: 25 characters.
 */
export function remediationRequestName(fingerprint: string, predecessorUid = ""): string {
  return `rr-${fingerprint.slice(0, 12)}-${sha256Hex(`${fingerprint}/${predecessorUid}`).slice(0, 8)}`;
}
