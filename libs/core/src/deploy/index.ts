/** Deploy: preflight, locks, plan -> confirm -> apply -> ansible -> smoke -> record. Re-exports only. */
export * from '../process/run-tool.ts';
export * from '../process/find-executable.ts';
export * from './state-dir.ts';
export * from './terraform-state.ts';
export * from './record.ts';
export * from './lock.ts';
export * from './run-dir.ts';
export * from './deploy-unit.ts';
export * from './commands.ts';
export * from './preflight.ts';
export * from './deploy-services.ts';
export * from './private-files.ts';
export * from './state-error.ts';
export * from './state-check.ts';
export * from './scrub.ts';
export * from './tool-env.ts';
export * from './adopt-imports.ts';
