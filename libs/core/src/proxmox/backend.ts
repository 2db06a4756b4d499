/**
 * Where each stack keeps its Terraform state. Local by default, under a state directory that git
 * ignores; `pg` and `http` take their connection from the environment (PG_CONN_STR,
 * TF_HTTP_ADDRESS), so no credential is written to a file.
 */
import { LocalBackend, type Construct } from './cdktf.ts';

export type BackendSetting =
  | { readonly kind: 'local'; readonly dir: string }
  | { readonly kind: 'pg' }
  | { readonly kind: 'http' };

/** Relative to dist/<service>/terraform, so artifacts hold no absolute path. */
export const DEFAULT_BACKEND: BackendSetting = { kind: 'local', dir: '../../../.homelab-state/terraform' };

export function backendFromEnv(env: NodeJS.ProcessEnv): BackendSetting {
  const kind = env.HOMELAB_TF_BACKEND ?? 'local';
  if (kind === 'pg') return { kind: 'pg' };
  if (kind === 'http') return { kind: 'http' };
  if (kind !== 'local') throw new Error(`HOMELAB_TF_BACKEND=${JSON.stringify(kind)} is not a backend homelab knows. Use local, pg or http.`);
  return env.HOMELAB_TF_STATE_DIR ? { kind: 'local', dir: env.HOMELAB_TF_STATE_DIR } : DEFAULT_BACKEND;
}

export function backendFor(stack: Construct, service: string, setting: BackendSetting): void {
  if (setting.kind === 'local') {
    new LocalBackend(stack, { path: `${setting.dir}/${service}.tfstate` });
    return;
  }
  // Non-local backends are plain JSON blocks; cdktf's typed backends would add nothing here.
  stack.node.addMetadata('homelab:backend', setting.kind);
  (stack as unknown as { addOverride(path: string, value: unknown): void }).addOverride(
    `terraform.backend.${setting.kind}`,
    setting.kind === 'pg' ? { schema_name: `homelab_${service.replace(/-/g, '_')}` } : {},
  );
}
