/** Fleet operations (groups, patching, status) over Nx's project graph: re-exports only. */
export * from './interrupt.ts';
export * from './process-runner.ts';
export * from './nx-graph.ts';
export * from './service-graph.ts';
export * from './groups.ts';
export * from './management-vpn.ts';
export * from './fleet-state.ts';
export * from './progress.ts';
export * from './group-plan.ts';
export * from './group-run.ts';
export * from './cluster-health.ts';
export * from './patch-plan.ts';
export * from './patch-run.ts';
export * from './status.ts';
export * from './adopt.ts';
export * from './format.ts';
