/**
 * Where the state of a stack with the local backend lives, and how init is told. The Terraform
 * JSON says only `backend "local" {}` (the same bytes on every machine); the path is given at
 * init with `-backend-config=path=...`, under the deploy state directory beside the deploy
 * records, so a state file is never inside the checkout (where `git clean` or a second clone
 * would lose or fork it). pg and http backends take everything from their own environment.
 */
import { isAbsolute, join, resolve } from 'node:path';
import type { BackendKind } from '../proxmox/backend.ts';
import type { DeployEnv } from '../process/run-tool.ts';
import { statePaths } from './state-dir.ts';

/** Moves the local state files: an absolute path, or one relative to the state directory. */
export const TF_STATE_DIR_ENV = 'HOMELAB_TF_STATE_DIR';

/** The directory of the local backend's state files. */
export function terraformStateDir(stateDir: string, env: DeployEnv): string {
  const override = env[TF_STATE_DIR_ENV]?.trim();
  if (!override) return statePaths.terraformStateDir(stateDir);
  return isAbsolute(override) ? override : resolve(stateDir, override);
}

export function terraformStatePath(stateDir: string, service: string, env: DeployEnv): string {
  return join(terraformStateDir(stateDir, env), `${service}.tfstate`);
}

/** The backend kind a synthesized Terraform JSON declares (`local` when it declares none). */
export function backendKindOf(cdkTfJson: string): BackendKind {
  const tf = JSON.parse(cdkTfJson) as { terraform?: { backend?: Record<string, unknown> } };
  const kinds = Object.keys(tf.terraform?.backend ?? {});
  return kinds[0] === 'pg' || kinds[0] === 'http' ? kinds[0] : 'local';
}

/** The `-backend-config` arguments of init: the state path for local, nothing for the others. */
export function backendInitArgs(kind: BackendKind, stateDir: string, service: string, env: DeployEnv): string[] {
  return kind === 'local' ? [`-backend-config=path=${terraformStatePath(stateDir, service, env)}`] : [];
}
