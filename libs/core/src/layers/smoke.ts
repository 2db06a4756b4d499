/**
 * @homelab/core/smoke — The smoke layer: probes of the running services.
 */
export * from '../smoke/index.ts';
