/**
 * The environment each tool deploy runs receives: the basics every process needs (PATH, HOME,
 * user, locale, time zone, temp dir, terminal, proxies and CA bundles), the plumbing of that kind
 * of tool, and the variables its command declares it reads (`readsEnv`: that service's secrets,
 * provider variables and TF_VAR_*), plus what `setEnv` sets. Nothing else: a Terraform provider
 * never sees another service's secrets, ansible-playbook sees the variables its playbook looks
 * up, the smoke tests what they read. The names are what `--dry-run` prints per command.
 *
 *   infra (terraform/tofu)  TF_* except TF_VAR_* (those only when the service reads them),
 *                           PROXMOX_VE_* (the provider's own settings), PG* (the pg backend)
 *   config (ansible)        ANSIBLE_*, SSH agent, TALOSCONFIG/KUBECONFIG, Python's settings
 *   smoke (npx vitest)      NODE_*, npm_config_*, CI, VITEST_*, colour settings
 *   record (git)            GIT_*
 *
 * HOMELAB_TOOL_ENV (comma-separated names) passes more variables to every tool, for what this
 * list does not know (a site's own wrapper, a test's stand-in tools); it is the operator's choice.
 */
import type { DeployEnv, DeployStep, ToolCall } from '../process/run-tool.ts';

export const TOOL_ENV_PASS = 'HOMELAB_TOOL_ENV';

const BASICS = [
  'PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LANGUAGE', 'TZ', 'TMPDIR', 'TERM', 'NO_COLOR', 'COLORTERM',
  'XDG_CONFIG_HOME', 'XDG_CACHE_HOME', 'XDG_DATA_HOME', 'XDG_RUNTIME_DIR',
  'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy', 'SSL_CERT_FILE', 'SSL_CERT_DIR',
];
const BASIC_PREFIXES = ['LC_'];

const PLUMBING: Readonly<Record<DeployStep, { names: readonly string[]; prefixes: readonly string[] }>> = {
  infra: { names: ['PGHOST', 'PGPORT', 'PGDATABASE', 'PGUSER', 'PGSSLMODE', 'PGPASSFILE'], prefixes: ['TF_', 'PROXMOX_VE_'] },
  config: {
    names: ['SSH_AUTH_SOCK', 'SSH_AGENT_PID', 'TALOSCONFIG', 'KUBECONFIG', 'VIRTUAL_ENV', 'PYTHONPATH', 'PYTHONUSERBASE'],
    prefixes: ['ANSIBLE_'],
  },
  smoke: { names: ['CI', 'FORCE_COLOR', 'NODE_EXTRA_CA_CERTS', 'NODE_OPTIONS', 'NODE_PATH'], prefixes: ['npm_config_', 'NPM_CONFIG_', 'VITEST_'] },
  record: { names: [], prefixes: ['GIT_'] },
  preflight: { names: [], prefixes: [] },
};

/** Whether the tool of `call` may receive `name` (not counting `setEnv`, which it always gets). */
export function toolMayRead(call: Pick<ToolCall, 'step' | 'readsEnv'>, name: string, extra: readonly string[] = []): boolean {
  if (call.readsEnv.includes(name) || extra.includes(name)) return true;
  // Terraform variables are the service's own: only those it declares reading.
  if (name.startsWith('TF_VAR_')) return false;
  if (BASICS.includes(name) || BASIC_PREFIXES.some((p) => name.startsWith(p))) return true;
  const plumbing = PLUMBING[call.step];
  return plumbing !== undefined && (plumbing.names.includes(name) || plumbing.prefixes.some((p) => name.startsWith(p)));
}

/** The extra names of HOMELAB_TOOL_ENV. */
export function extraToolEnv(env: DeployEnv): string[] {
  return (env[TOOL_ENV_PASS] ?? '').split(',').map((n) => n.trim()).filter(Boolean);
}

/** The environment `call`'s tool is started with: what it may read of `env`, then its `setEnv`. */
export function toolEnvironment(call: Pick<ToolCall, 'step' | 'readsEnv' | 'setEnv'>, env: DeployEnv): Record<string, string> {
  const extra = extraToolEnv(env);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && toolMayRead(call, name, extra)) out[name] = value;
  }
  return { ...out, ...call.setEnv };
}
