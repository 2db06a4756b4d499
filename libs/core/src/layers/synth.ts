/**
 * @homelab/core/synth — The synth layer: one service's files and stack, and dist/.
 */
export * from '../synth/manifest.ts';
export * from '../synth/synth-service.ts';
export * from '../synth/write-dist.ts';
