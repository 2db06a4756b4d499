/**
 * Every default of the smoke probes, declared once. Probes and the smoke table apply them in their
 * normalize step and nowhere else.
 */
export const SMOKE_DEFAULTS = {
  /** Give up on one attempt (connect + answer) after this long. */
  timeoutMs: 10_000,
  /** Attempts per probe, including the first. */
  attempts: 5,
  /** Pause between two attempts. */
  delayMs: 1_000,
  /** A certificate must stay valid at least this many more days. */
  minDays: 14,
  /** Port of a TLS probe. */
  tlsPort: 443,
  /** Status an HTTPS probe expects. */
  expectStatus: 200,
} as const;
