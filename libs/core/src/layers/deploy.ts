/**
 * @homelab/core/deploy — The deploy layer: the deploy runner.
 */
export * from '../deploy/index.ts';
