import { posix } from 'node:path';
import { declaredFileHost } from './file-targets.ts';
import { checkEachRenderedFile, shownPath } from './rendered-files.ts';
import type { PolicyRule } from './rule.ts';

/** The account databases (and the backups shadow-utils keeps beside them, `/etc/shadow-`). */
const ACCOUNT_FILES = new Set(['/etc/shadow', '/etc/gshadow', '/etc/passwd', '/etc/group', '/etc/sudoers']
  .flatMap((p) => [p, `${p}-`]));

/** Why a (normalized) path is a credentials path, or undefined. */
export function credentialPathReason(path: string): string | undefined {
  const p = posix.normalize(path);
  if (ACCOUNT_FILES.has(p)) return 'an account or sudo database';
  if (p.startsWith('/etc/sudoers.d/')) return 'a sudo rule';
  if (p.split('/').includes('.ssh')) return 'an SSH directory (authorized_keys, keys)';
  if (p.startsWith('/etc/pve/priv/') || p === '/etc/pve/priv') return 'Proxmox\'s private store (tokens, keys)';
  if (p.startsWith('/etc/ssh/') && /key/i.test(posix.basename(p))) return 'an SSH host key or key list';
  return undefined;
}

/**
 * No package writes where logins and privileges are decided, whatever it declares: a file there
 * would grant root on a hypervisor (`/root/.ssh/authorized_keys` on a node, `/etc/shadow`) with
 * nothing in the plan but a file name.
 */
export const credentialPathsRule: PolicyRule = {
  name: 'credential-paths',
  codes: ['CredentialPathTarget'],
  description: 'No rendered file targets a credentials path (`/etc/shadow`, `/etc/gshadow`, `/etc/passwd`, `/etc/group`, `/etc/sudoers`, `/etc/sudoers.d/*`, any `.ssh/` directory, `/etc/pve/priv/*`, `/etc/ssh/*key*`) on any host, host-level declaration or not.',
  check: (ctx) => checkEachRenderedFile(ctx, (out, s, f) => {
    const why = credentialPathReason(f.path);
    if (why) {
      out.report(`files[${shownPath(f.path)}].path`, 'CredentialPathTarget', `the file would overwrite ${why} on ${declaredFileHost(s, f)}; no package may write credentials, declared host-level or not`, shownPath(f.path), 'Remove the file: accounts, SSH keys and sudo rules are not a service package\'s to write.');
    }
  }),
};
