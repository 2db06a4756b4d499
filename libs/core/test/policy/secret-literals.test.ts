import { describe, expect, it } from 'vitest';
import { findSecretLiterals, isSecretKey } from '../../src/index.ts';
import { findSecretUrls } from '../../src/policy/secret-urls.ts';
import { appWith, expectNone, only, withDefs } from './helpers.ts';

const file = (content: string) => () => [{ path: '/etc/app/app.env', mode: '0600', format: 'text', content }];

describe('secrets: secret-looking literals under any key', () => {
  it('keys ending in KEY, TOKEN, PASSWORD, SECRET are secret; public keys are not', () => {
    for (const key of ['ENCRYPTION_KEY', 'AUTHENTIK_SECRET_KEY', 'signingKey', 'tls.key', 'GITHUB_TOKEN', 'DB_PASSWORD', 'client_secret', 'passphrase']) expect(isSecretKey(key), key).toBe(true);
    for (const key of ['PublicKey', 'public_key', 'monkey', 'hotkey', 'KEYBOARD', 'url']) expect(isSecretKey(key), key).toBe(false);
  });
  it('SecretLiteral: a *_KEY with a literal value, not a reference', () => {
    expect(findSecretLiterals('SECRET_KEY=9f8e7d6c5b4a\nOTHER_KEY={{ lookup(\'ansible.builtin.env\', \'X\') }}\n').map((l) => l.key)).toEqual(['SECRET_KEY']);
    const problems = only(withDefs(appWith({ files: file('ENCRYPTION_KEY=9f8e7d6c5b4a3210\n') })), 'SecretLiteral');
    expect(problems).toEqual([expect.objectContaining({ source: 'packages/app', path: 'files[/etc/app/app.env]:1' })]);
  });
  it('SecretUrl: webhook URLs with their token, whatever the key', () => {
    const text = [
      'ALERTS=https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXX',
      'url: https://discord.com/api/webhooks/123456/abcdefghijklmnop',
      '- https://api.telegram.org/bot123456:ABCDEF/sendMessage',
      'DATABASE=postgres://app:s3cr3tpass@db:5432/app',
      'hook: https://example.test/notify?token=abcdef123456',
    ].join('\n');
    expect(findSecretUrls(text).map((u) => [u.line, u.kind])).toEqual([
      [1, 'Slack webhook'], [2, 'Discord webhook'], [3, 'Telegram bot token'], [4, 'password in the URL'], [5, 'token in the query'],
    ]);
    const problems = only(withDefs(appWith({ files: file(`${text}\n`) })), 'SecretUrl');
    expect(problems.map((p) => p.path)).toEqual([1, 2, 3, 4, 5].map((n) => `files[/etc/app/app.env]:${n}`));
  });
  it('passes URLs whose credential is a reference, and URLs without one', () => {
    const text = "ALERTS={{ lookup('ansible.builtin.env', 'SLACK_WEBHOOK_URL') }}\nx: https://hooks.slack.com/services/${SLACK_PATH}\nDB=postgres://app:${DB_PASSWORD}@db/app\nweb: https://example.test/a?page=2\n";
    expectNone(withDefs(appWith({ files: file(text), secrets: [{ env: 'SLACK_WEBHOOK_URL', description: 'x' }, { env: 'SLACK_PATH', description: 'x' }, { env: 'DB_PASSWORD', description: 'x' }] })), 'SecretUrl', 'SecretLiteral');
  });
  it('SecretLiteral and SecretUrl in the facts, reported once', () => {
    const rules = { groups: [{ name: 'app', rules: [{ alert: 'AppDown', expr: 'up == 0', annotations: { apiToken: 'tok_9f8e7d6c5b4a', runbook: 'docs/runbooks/app.md' } }] }] };
    const problems = withDefs(appWith({ facts: { alertRules: rules, alertWebhook: { name: 'triage', url: 'https://discord.com/api/webhooks/1/abcdefghij' } } }));
    expect(only(problems, 'SecretLiteral', 'SecretUrl').map((p) => [p.code, p.path])).toEqual([
      ['SecretLiteral', 'facts.alertRules.groups[0].rules[0].annotations.apiToken'], ['SecretUrl', 'facts.alertWebhook.url'],
    ]);
  });
  it('never echoes the secret', () => {
    const problems = withDefs(appWith({ files: file('K=https://hooks.slack.com/services/T0/B0/SUPERSECRETVALUE\nAPI_KEY=SUPERSECRETKEY1\n'), facts: { alertWebhook: { name: 'triage', url: 'https://example.test/notify?token=SUPERSECRETFACT' } } }));
    expect(JSON.stringify(problems)).not.toMatch(/SUPERSECRET/);
  });
});
