/**
 * @homelab/core/policy — The policy layer: the rules and their two phases (model, rendered files).
 */
export * from '../policy/duplicate-node-names.ts';
export * from '../policy/index.ts';
export * from '../policy/phase.ts';
