import { describe, expect, it } from 'vitest';
import { DEPLOY_MACHINE, type ConfigFile } from '../../src/index.ts';
import { appWith, expectNone, only, withDefs } from './helpers.ts';

const file = (over: Partial<ConfigFile>): ConfigFile => ({ path: '/etc/app/app.conf', mode: '0644', format: 'text', content: 'x\n', ...over });
const appFiles = (...files: ConfigFile[]) => withDefs(appWith({ files: () => files }));
const HOST_CODES = ['UnknownFileHost', 'FileOnForeignHost', 'HostLevelWithoutReason'];

describe('file-hosts', () => {
  it('passes a file on the package\'s own guest (default or by name)', () => {
    expectNone(appFiles(file({}), file({ path: '/etc/app/b.conf', host: 'app' })), ...HOST_CODES);
  });
  it('passes a declared host-level file on a node, an external host, the deploy machine, another service\'s guest', () => {
    const hostLevel = { reason: 'the node mounts the share its containers bind-mount' };
    expectNone(appFiles(
      file({ host: 'n1', path: '/etc/systemd/system/mnt-pve-nas.mount', hostLevel }), file({ host: 'pi1', hostLevel }),
      file({ host: DEPLOY_MACHINE, path: '/app/apply.sh', hostLevel }), file({ host: 'idp', path: '/etc/idp/app.conf', hostLevel }),
    ), ...HOST_CODES);
  });
  it('UnknownFileHost: a path as host, and a mistyped name with the closest known one', () => {
    const problems = only(appFiles(file({ host: '../../..' }), file({ path: '/etc/app/b.conf', host: 'proxx' })), 'UnknownFileHost');
    expect(problems).toEqual([
      expect.objectContaining({ source: 'packages/app', path: 'files[/etc/app/app.conf].host', received: '../../..' }),
      expect.objectContaining({ source: 'packages/app', path: 'files[/etc/app/b.conf].host', received: 'proxx' }),
    ]);
    expect(problems[0]!.fix).not.toContain('Did you mean');
    expect(problems[1]!.fix).toContain('Did you mean "proxy"?');
    expect(problems[1]!.fix).toContain('n1, n2');
  });
  it('UnknownFileHost: a service without a guest whose file names no host', () => {
    const problems = only(withDefs({ name: 'hv', description: 'hv', kind: 'none', tier: 'critical', group: 'core', provides: ['hypervisor'], files: () => [file({})] }), 'UnknownFileHost');
    expect(problems).toEqual([expect.objectContaining({ source: 'packages/hv', path: 'files[/etc/app/app.conf].host' })]);
    expect(problems[0]!.message).toContain('no guest of its own');
  });
  it('FileOnForeignHost: a Proxmox node, another service\'s guest, the deploy machine, without a declaration', () => {
    const problems = only(appFiles(file({ host: 'n1' }), file({ host: 'proxy', path: '/etc/traefik/traefik.yml' }), file({ host: DEPLOY_MACHINE, path: '/x' })), 'FileOnForeignHost');
    const by = new Map(problems.map((p) => [p.received, p]));
    expect([...by.keys()].sort()).toEqual([DEPLOY_MACHINE, 'n1', 'proxy']);
    expect(by.get('n1')!.path).toBe('files[/etc/app/app.conf].host');
    expect(by.get('n1')!.message).toContain('Proxmox node');
    expect(by.get('proxy')!.message).toContain('the guest of service proxy');
    expect(by.get(DEPLOY_MACHINE)!.message).toContain('the deploy machine');
    expect(by.get('n1')!.fix).toContain('hostLevel: { reason:');
  });
  it('HostLevelWithoutReason', () => {
    const problems = only(appFiles(file({ host: 'n1', hostLevel: { reason: '  ' } })), 'HostLevelWithoutReason', 'FileOnForeignHost');
    expect(problems.map((p) => p.code)).toEqual(['HostLevelWithoutReason']);
    expect(problems[0]!.path).toBe('files[/etc/app/app.conf].hostLevel.reason');
  });
});
