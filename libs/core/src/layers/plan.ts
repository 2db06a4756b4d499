/**
 * @homelab/core/plan — The plan layer: the whole-site pipeline and the plan.
 */
export * from '../plan/format-plan.ts';
export * from '../plan/lab-fit.ts';
export * from '../plan/pipeline.ts';
export * from '../plan/plan.ts';
