/**
 * Where deploy keeps what it knows about the live homelab: outside the repository's tracked
 * files, per operator machine.
 *
 *   <state>/deployed/<service>.json   the last deploy record of each service
 *   <state>/locks/<service>.lock      held while a deploy of that service runs
 *   <state>/history.jsonl             one line per service outcome, appended
 *   <state>/terraform/<service>/      TF_DATA_DIR: providers and modules, kept across synths
 *   <state>/terraform-state/<service>.tfstate   the local backend's state (HOMELAB_TF_STATE_DIR moves it)
 *   <state>/plans/<service>.tfplan    the saved plan between `plan -out` and `apply`, removed after
 *   <state>/secrets/proxmox-api-token the token stack's output, for the later stacks (provider-token.ts)
 *   <state>/adopt/<service>.tf.json   import blocks from `homelab adopt --write` (adopt-imports.ts)
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { DeployEnv } from '../process/run-tool.ts';

export const STATE_ENV = 'HOMELAB_STATE_DIR';

/** `$HOMELAB_STATE_DIR`, else `$XDG_STATE_HOME/homelab`, else `~/.local/state/homelab`. */
export function deployStateDir(env: DeployEnv = process.env): string {
  const explicit = env[STATE_ENV]?.trim();
  if (explicit) return explicit;
  const xdg = env.XDG_STATE_HOME?.trim();
  if (xdg) return join(xdg, 'homelab');
  return join(env.HOME?.trim() || homedir(), '.local', 'state', 'homelab');
}

export const statePaths = {
  record: (stateDir: string, service: string) => join(stateDir, 'deployed', `${service}.json`),
  lock: (stateDir: string, service: string) => join(stateDir, 'locks', `${service}.lock`),
  history: (stateDir: string) => join(stateDir, 'history.jsonl'),
  terraformData: (stateDir: string, service: string) => join(stateDir, 'terraform', service),
  terraformStateDir: (stateDir: string) => join(stateDir, 'terraform-state'),
  plan: (stateDir: string, service: string) => join(stateDir, 'plans', `${service}.tfplan`),
};
