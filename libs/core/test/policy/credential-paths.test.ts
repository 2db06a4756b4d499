import { describe, expect, it } from 'vitest';
import { credentialPathReason, type ConfigFile } from '../../src/index.ts';
import { appWith, expectNone, only, withDefs } from './helpers.ts';

const hostLevel = { reason: 'the probe declares it, which must not help' };
const file = (over: Partial<ConfigFile>): ConfigFile => ({ path: '/etc/app/app.conf', mode: '0600', format: 'text', content: 'x\n', ...over });

describe('credential-paths', () => {
  it('passes the paths packages write, look-alikes included', () => {
    for (const path of ['/etc/app/app.conf', '/etc/ssh/sshd_config.d/homelab.conf', '/etc/pve/storage.cfg', '/etc/groups.d/x', '/opt/stacks/app/passwd.txt', '/etc/sudoers.dx']) {
      expect(credentialPathReason(path), path).toBeUndefined();
      expectNone(withDefs(appWith({ files: () => [file({ path })] })), 'CredentialPathTarget');
    }
  });
  it('CredentialPathTarget: host pve node, /etc/shadow and /root/.ssh/authorized_keys, declared host-level or not', () => {
    const problems = only(withDefs(appWith({ files: () => [
      file({ host: 'n1', path: '/etc/shadow', hostLevel }), file({ host: 'n1', path: '/root/.ssh/authorized_keys', hostLevel }), file({ path: '/home/pi/.ssh/id_ed25519' }),
    ] })), 'CredentialPathTarget');
    expect(problems.map((p) => p.path).sort()).toEqual(['files[/etc/shadow].path', 'files[/home/pi/.ssh/id_ed25519].path', 'files[/root/.ssh/authorized_keys].path']);
    expect(problems.find((p) => p.path === 'files[/etc/shadow].path')!.message).toContain('on n1');
  });
  it('covers every credentials path, also spelled with "." or "//"', () => {
    for (const path of ['/etc/shadow', '/etc/gshadow', '/etc/passwd', '/etc/group', '/etc/sudoers', '/etc/shadow-', '/etc/sudoers.d/homelab',
      '/etc/pve/priv/authorized_keys', '/etc/pve/priv/token.cfg', '/etc/ssh/ssh_host_ed25519_key', '/etc/ssh/ssh_host_rsa_key.pub', '/etc/./shadow', '//root/.ssh/config']) {
      expect(credentialPathReason(path), path).toBeDefined();
    }
  });
});
