/**
 * `npm run test:soak` sets RRGW_SOAK=1: long-running tests scale their trial
 * counts up and print their totals. The regular `npm test` runs them short.
 */
export const SOAK = process.env.RRGW_SOAK === "1";

/** Picks the regular or the soak size of a test. */
export function bySoak<T>(regular: T, soak: T): T {
  return SOAK ? soak : regular;
}
