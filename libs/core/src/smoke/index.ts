/** Smoke probes: one concept per file. Re-exports only. */
export * from './defaults.ts';
export * from './probe-result.ts';
export * from './retry.ts';
export type { ProbeConnectOptions } from './connect-options.ts';
export * from './http-probe.ts';
export * from './redirect-probe.ts';
export * from './forward-auth-probe.ts';
export * from './tls-probe.ts';
export * from './tcp-probe.ts';
export * from './prometheus-probe.ts';
export * from './smoke-rows.ts';
// smoke-table.ts imports vitest: it has its own entry, @homelab/core/smoke-table.
export * from './service-rows.ts';
