/**
 * Where each stack keeps its Terraform state. The synthesized JSON names only the backend's
 * kind, never a path or a credential, so it is identical on every machine:
 *
 *   local  `terraform { backend "local" {} }`; deploy gives the path at init
 *          (`-backend-config=path=<state dir>/terraform-state/<svc>.tfstate`), outside the checkout
 *   pg     one schema per service; the connection comes from PG_CONN_STR
 *   http   the address comes from TF_HTTP_ADDRESS (and friends)
 *
 * pg and http are for more than one operator machine (a local state file lives on one).
 */
import { SetupError } from '../setup-error.ts';
import type { Construct } from './cdktf.ts';

export const TF_BACKEND_ENV = 'HOMELAB_TF_BACKEND';

export type BackendKind = 'local' | 'pg' | 'http';

export interface BackendSetting {
  readonly kind: BackendKind;
}

export const BACKEND_KINDS: readonly BackendKind[] = ['local', 'pg', 'http'];

export const DEFAULT_BACKEND: BackendSetting = { kind: 'local' };

/** An unknown HOMELAB_TF_BACKEND is a setting of this machine, not a bug: SetupError. */
export function backendFromEnv(env: Readonly<Record<string, string | undefined>>): BackendSetting {
  const raw = env[TF_BACKEND_ENV];
  const kind = raw === undefined || raw.trim() === '' ? 'local' : raw.trim();
  if ((BACKEND_KINDS as readonly string[]).includes(kind)) return { kind: kind as BackendKind };
  throw new SetupError(
    `${TF_BACKEND_ENV}=${JSON.stringify(raw)} (environment) is not a Terraform backend homelab knows; it knows ${BACKEND_KINDS.join(', ')}.`,
    `Set ${TF_BACKEND_ENV} to local (state under the state directory), pg (PG_CONN_STR) or http (TF_HTTP_ADDRESS), or unset it for local.`,
  );
}

export function backendFor(stack: Construct, service: string, setting: BackendSetting): void {
  // Plain JSON blocks: cdktf's LocalBackend without a path writes `<cwd>/terraform.<stack>.tfstate`,
  // an absolute path of the machine that synthesized it.
  stack.node.addMetadata('homelab:backend', setting.kind);
  (stack as unknown as { addOverride(path: string, value: unknown): void }).addOverride(
    `terraform.backend.${setting.kind}`,
    setting.kind === 'pg' ? { schema_name: `homelab_${service.replace(/-/g, '_')}` } : {},
  );
}
