/** Real offline validators run on generated files (docs/validation.md). Re-exports only. */
export {
  TOOL_CHECKS, runToolChecks, type ToolCheckOptions, type ToolProgress, type ToolRun,
} from './tool-checks.ts';
export { isToolCheck, type ToolCheck } from './tool-check.ts';
export {
  VALIDATOR_TOOLS, isCi, locateTools, toolMissingProblem,
  type LocatedTool, type ToolPaths, type ValidatorTool, type ValidatorToolSpec,
} from './find-tools.ts';
export { DEFAULT_TIMEOUT_MS, baseEnv, createLimiter, createValidatorRunner, type ValidatorCommand, type ValidatorRunner, type ValidatorRunnerOptions } from './run-validator.ts';
export { NEWER_KEYS, replaceNewerKeys, type KeyReplacement, type NewerAlertmanagerKey } from './checks/amtool.ts';
export { LINT_SKIP, LINT_WARN, SYNTAX_SHIM, lintConfig } from './checks/ansible.ts';
export { relocateWritablePaths } from './checks/nginx.ts';
export { promtoolSections } from './checks/promtool.ts';
export { systemdBatches } from './checks/systemd.ts';
export { TERRAFORM_ENV, backendTypes } from './checks/terraform.ts';
export { literalKeys } from './checks/wireguard.ts';
