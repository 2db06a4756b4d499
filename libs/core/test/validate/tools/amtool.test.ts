import { describe, expect, it } from 'vitest';
import { NEWER_KEYS, replaceNewerKeys } from '../../../src/validate/index.ts';
import { brief, realTool, tempRoot, toolChecks, writeDist } from './helpers.ts';

const root = tempRoot('amtool');
const amtool = realTool('amtool');
const FILE = 'files/monitoring/opt/stacks/monitoring/alertmanager/alertmanager.yml';

const PLAIN = `route:
  receiver: alertmind
  group_by: [alertname]
receivers:
  - name: alertmind
    webhook_configs:
      - url: http://192.168.86.25:5001/webhook
`;
// What the homelab renders for Alertmanager 0.28: secrets by file reference.
const NEWER = `route:
  receiver: discord
receivers:
  - name: discord
    discord_configs:
      - webhook_url_file: /etc/alertmanager/secrets/discord-webhook-url
        send_resolved: true
  - name: sms
    webhook_configs:
      - url_file: /etc/alertmanager/secrets/sms-gateway-url
`;

function dist(service: string, content: string): string {
  return writeDist(root, service, { [FILE]: content }, [{ file: FILE, format: 'alertmanager-config', target: { host: 'monitoring', path: '/opt/stacks/monitoring/alertmanager/alertmanager.yml', mode: '0644', owner: 'root' } }]);
}

describe('replaceNewerKeys', () => {
  it('replaces only the listed keys under receivers[*].<configs>[*], keeping every line where it was', () => {
    const { text, replacements } = replaceNewerKeys(NEWER, NEWER_KEYS);
    expect(replacements.map((r) => [r.at, r.line, r.key.replacement])).toEqual([
      ['receivers[0].discord_configs[0].webhook_url_file', 6, 'webhook_url'],
      ['receivers[1].webhook_configs[0].url_file', 10, 'url'],
    ]);
    expect(text.split('\n')).toHaveLength(NEWER.split('\n').length);
    expect(text).toContain('      - webhook_url: "https://placeholder.invalid/amtool-compat"\n        send_resolved: true');
    expect(text).not.toContain('_file');
  });

  it('leaves a file without newer keys, and keys elsewhere (a route named url_file), untouched', () => {
    expect(replaceNewerKeys(PLAIN, NEWER_KEYS)).toEqual({ text: PLAIN, replacements: [] });
    const elsewhere = 'global:\n  url_file: /x\nreceivers: []\n';
    expect(replaceNewerKeys(elsewhere, NEWER_KEYS).replacements).toEqual([]);
  });
});

describe.skipIf(amtool.skip)(`amtool check-config (real)${amtool.suffix}`, () => {
  it('passes a valid config as written', async () => {
    const [ok] = await toolChecks(root, dist('am-ok', PLAIN), 'amtool check-config');
    expect(ok).toMatchObject({ status: 'passed', ok: true, problems: [], notes: [] });
  });

  it('fails an invalid config with amtool\'s own message', async () => {
    const [bad] = await toolChecks(root, dist('am-bad', PLAIN.replace('receiver: alertmind', 'receiver: nobody')), 'amtool check-config');
    expect(bad!.status).toBe('failed');
    expect(brief(bad!)).toEqual(['AmtoolCheckFailed: amtool check-config rejected the file:']);
    expect(bad!.problems[0]!.message).toContain('undefined receiver "nobody"');
  });

  it('an amtool older than a key checks a stubbed copy and says so in a warning per key, never silently', async () => {
    const [checked] = await toolChecks(root, dist('am-newer', NEWER), 'amtool check-config');
    const version = /amtool (\d+\.\d+\.\d+)/.exec(checked!.problems[0]?.message ?? '')?.[1];
    if (version === undefined) {
      // An amtool >= 0.28 reads the file as written: nothing to replace.
      expect(checked).toMatchObject({ status: 'passed', problems: [] });
      return;
    }
    expect(checked).toMatchObject({ status: 'passed', ok: true });
    expect(brief(checked!)).toEqual([
      `warning AmtoolPredatesKey line 6: amtool ${version} predates webhook_url_file (alertmanager 0.27.0, fixed in 0.28.0 (#3728)): checked a copy with receivers[0].discord_configs[0].webhook_url_file replaced by webhook_url: "https://placeholder.invalid/amtool-compat"; amtool did NOT check that line itself (only the JSON schema did: it must be a string)`,
      `warning AmtoolPredatesKey line 10: amtool ${version} predates url_file (alertmanager#3223 (0.26.0)): checked a copy with receivers[1].webhook_configs[0].url_file replaced by url: "https://placeholder.invalid/amtool-compat"; amtool did NOT check that line itself (only the JSON schema did: it must be a string)`,
    ]);
    expect(checked!.notes).toEqual([`amtool ${version} checked a copy with 2 keys newer than it replaced by older equivalents (see the warnings)`]);
  });

  it('the stubbed copy is still checked: a real mistake next to a newer key fails', async () => {
    const [bad] = await toolChecks(root, dist('am-newer-bad', NEWER.replace('receiver: discord', 'receiver: nobody')), 'amtool check-config');
    expect(bad!.status).toBe('failed');
    expect(bad!.problems.map((p) => p.code)).toContain('AmtoolCheckFailed');
  });
});
