/**
 * A throwaway workspace for CLI deploy tests: four tiny service packages on the core test site
 * (proxy <- idp <- app, and solo on proxy only: an independent branch), and stub tools named
 * terraform, ansible-playbook and npx that log their name, cwd and argv and exit as told; the
 * stub terraform's `plan -detailed-exitcode` answers like the real one (exit 2: changes).
 * Independent of the repository's own packages, which other work changes concurrently.
 */
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const CLI = join(REPO_ROOT, 'tools/homelab/src/main.ts');

interface Pkg { name: string; deps: string[]; body: string }

const RESOURCES = `resources: { cores: 1, memoryMiB: 512, disks: [{ storage: 'local', sizeGiB: 8 }] }`;
const PACKAGES: Pkg[] = [
  { name: 'proxy', deps: [], body: `kind: 'lxc', tier: 'critical', group: 'core', ${RESOURCES},
    ports: [{ port: 443, protocol: 'tcp', description: 'https', public: true }],
    files: () => [{ path: '/etc/proxy/proxy.conf', content: 'listen: 443\\n', mode: '0644', format: 'text' }]` },
  { name: 'idp', deps: ['proxy'], body: `kind: 'lxc', tier: 'high', group: 'core', ${RESOURCES},
    secrets: [{ env: 'IDP_SECRET', description: 'idp signing key' }],
    files: () => [{ path: '/etc/idp/env', content: "KEY={{ lookup('ansible.builtin.env', 'IDP_SECRET') }}\\n", mode: '0600', format: 'text', secret: true }]` },
  { name: 'app', deps: ['proxy', 'idp'], body: `kind: 'lxc', tier: 'normal', group: 'apps', ${RESOURCES},
    files: () => [{ path: '/etc/app/app.conf', content: 'port: 3000\\n', mode: '0644', format: 'text' }]` },
  { name: 'solo', deps: ['proxy'], body: `kind: 'lxc', tier: 'normal', group: 'apps', placement: 'vm', ${RESOURCES},
    files: () => [{ path: '/etc/solo/solo.conf', content: 'on: true\\n', mode: '0644', format: 'text' }]` },
];

/** Prometheus rules that fail their schema (a rule without `expr`): synth writes them, validation refuses them. */
const INVALID_RULES = `{ path: '/etc/app/rules.yml', content: 'groups:\\n  - name: app\\n    rules:\\n      - alert: AppDown\\n', mode: '0644', format: 'prometheus-rules' }`;

export interface WorkspaceOptions {
  /** app ships Prometheus rules that fail validation. */
  readonly invalidRules?: boolean;
}

export function createWorkspace(options: WorkspaceOptions = {}): string {
  const ws = mkdtempSync(join(tmpdir(), 'homelab-deploy-ws-'));
  // ESM like the repository: under a CommonJS parent, tsx would require() execa's ESM-only dependencies.
  writeFileSync(join(ws, 'package.json'), JSON.stringify({ name: 'deploy-fixture', private: true, type: 'module' }));
  writeFileSync(join(ws, 'site.ts'), `export { testSite as site } from ${JSON.stringify(join(REPO_ROOT, 'libs/core/test/fixtures/test-site.ts'))};\n`);
  for (const p of PACKAGES) {
    const dir = join(ws, 'packages', p.name);
    mkdirSync(join(dir, 'src'), { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({
      name: `@fx/${p.name}`, version: '1.0.0', private: true, type: 'module',
      dependencies: Object.fromEntries(p.deps.map((d) => [`@fx/${d}`, '*'])),
    }, null, 2));
    const body = options.invalidRules && p.name === 'app' ? p.body.replace(/\}\]$/, `}, ${INVALID_RULES}]`) : p.body;
    writeFileSync(join(dir, 'src', 'index.ts'), `export default {\n  name: '${p.name}', description: '${p.name} for deploy tests',\n  ${body},\n  dependsOn: ${JSON.stringify(p.deps)},\n};\n`);
    // Every package ships a smoke test (the MissingSmokeTests rule); the stub npx "runs" it.
    mkdirSync(join(dir, 'smoke'), { recursive: true });
    writeFileSync(join(dir, 'smoke', `${p.name}.smoke.ts`), '// run by the stub npx only\n');
  }
  return ws;
}

/**
 * A stand-in for a deploy tool. Logs `name<TAB>cwd<TAB>arg...` to $STUB_LOG and the variables
 * of interest (secrets as "set" only) to $STUB_LOG.env. $STUB_FAIL is a case pattern over
 * `name:first-arg:cwd` that makes it exit 1, saying on stderr what IDP_SECRET is if it has it (the canary
 * a careless tool leaks); $STUB_READONLY (paths) makes `terraform apply` leave those directories
 * read-only (chmod, and chattr +i, since root ignores modes); $STUB_SLEEP (`terraform:apply`) makes it sleep
 * until interrupted (its pid, the leader of its process group, goes to $STUB_LOG.sleeping).
 * $STUB_HOLD_AT (`name:first-arg`) makes it log `HOLD <name> <pid>` and wait
 * until the file $STUB_HOLD exists (or SIGINT), then log `CWD-GONE <name>` if its working
 * directory no longer holds $STUB_HOLD_CHECK, and exit ${STUB_HOLD_EXIT:-0}.
 * `plan` prints a plan, writes its -out file and, under -detailed-exitcode,
 * exits 2 (changes), or 0 with "No changes." when $STUB_PLAN is `none`. Uses bash builtins
 * only, so it runs with PATH holding just the stub dir.
 */
const STUB = `#!/bin/bash
name=\${0##*/}
{ printf '%s\\t%s' "$name" "$PWD"; for a in "$@"; do printf '\\t%s' "$a"; done; printf '\\n'; } >> "$STUB_LOG"
printf '%s TF_CLI_CONFIG_FILE=%s CHECKPOINT_DISABLE=%s IDP_SECRET=%s HOMELAB_SMOKE_TARGET=%s\\n' "$name" "\${TF_CLI_CONFIG_FILE-}" "\${CHECKPOINT_DISABLE-}" "\${IDP_SECRET:+set}" "\${HOMELAB_SMOKE_TARGET-}" >> "$STUB_LOG.env"
echo "$name: ok"
case "$name:$1:$PWD" in
  $STUB_FAIL) echo "Error: stub $name $1 failed\${IDP_SECRET:+ (IDP_SECRET is $IDP_SECRET)}" >&2; exit 1 ;;
esac
if [[ -n "\${STUB_READONLY-}" && "$name:$1" == terraform:apply ]]; then
  for d in $STUB_READONLY; do /usr/bin/chmod 0500 "$d"; if (( EUID == 0 )); then /usr/bin/chattr +i "$d"; fi; done
fi
if [[ "$name:$1" == "terraform:plan" ]]; then
  detailed=0
  for a in "$@"; do
    case "$a" in
      -detailed-exitcode) detailed=1 ;;
      -out=*) printf 'stub plan\n' > "\${a#-out=}" ;;
    esac
  done
  if [[ "\${STUB_PLAN-}" == none ]]; then echo "No changes. Your infrastructure matches the configuration."; exit 0; fi
  echo "  # proxmox_virtual_environment_container.stub will be created"
  echo "Plan: 1 to add, 0 to change, 0 to destroy."
  if (( detailed )); then exit 2; fi
  exit 0
fi
if [[ -n "\${STUB_SLEEP-}" && "$name:$1" == "$STUB_SLEEP" ]]; then
  trap 'echo "$name: interrupt received, stopping" >&2; echo "INT $name" >> "$STUB_LOG"; exit 130' INT
  echo "$name: applying"
  echo "$$" >> "$STUB_LOG.sleeping"
  /usr/bin/sleep 60 & wait $!
fi
if [[ -n "\${STUB_HOLD_AT-}" && "$name:$1" == "$STUB_HOLD_AT" ]]; then
  trap 'echo "INT $name" >> "$STUB_LOG"; exit 130' INT
  echo "HOLD $name $$" >> "$STUB_LOG"
  while [[ ! -e "$STUB_HOLD" ]]; do /usr/bin/sleep 0.1 & wait $!; done
  [[ -e "\${STUB_HOLD_CHECK:-.}" ]] || echo "CWD-GONE $name" >> "$STUB_LOG"
  exit "\${STUB_HOLD_EXIT:-0}"
fi
exit 0
`;

/** A directory holding stubs of the named tools. */
export function stubDir(tools: readonly string[] = ['terraform', 'ansible-playbook', 'npx']): string {
  const dir = mkdtempSync(join(tmpdir(), 'homelab-stubs-'));
  for (const t of tools) {
    writeFileSync(join(dir, t), STUB);
    chmodSync(join(dir, t), 0o755);
  }
  return dir;
}
