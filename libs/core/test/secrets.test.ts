import { describe, expect, it } from 'vitest';
import { buildHomelab, checkRenderedFiles, findEnvReferences, findSecretLiterals, type ConfigFile } from '../src/index.ts';
import { app, entries, idp, proxy, testSite } from './fixtures/test-site.ts';

const home = buildHomelab(testSite, entries(proxy, idp, app));
const check = (files: ConfigFile[]) => checkRenderedFiles(home, new Map([['app', files]])).map((p) => p.code);
const file = (over: Partial<ConfigFile>): ConfigFile => ({ path: '/etc/app/app.env', content: '', mode: '0600', format: 'text', ...over });

describe('secrets policy', () => {
  it('accepts a 0600 file that references a declared secret', () => {
    expect(check([file({ content: "APP_TOKEN={{ lookup('ansible.builtin.env', 'APP_TOKEN') }}\n" })])).toEqual([]);
  });
  it('SecretLiteral: a literal value under a secret-looking key, never echoed back', () => {
    const problems = checkRenderedFiles(home, new Map([['app', [file({ content: 'api_key: hunter2hunter2\n' })]]]));
    expect(problems.map((p) => p.code)).toEqual(['SecretLiteral']);
    expect(JSON.stringify(problems)).not.toContain('hunter2');
    expect(problems[0]!.path).toBe('files[/etc/app/app.env]:1');
  });
  it('UndeclaredSecret: a reference to a variable the service does not declare', () => {
    expect(check([file({ content: "OTHER={{ lookup('env', 'OTHER_TOKEN') }}\n" })])).toEqual(['UndeclaredSecret']);
  });
  it('SecretFileModeTooOpen: a file that receives a secret at deploy must be 0600', () => {
    expect(check([file({ mode: '0644', content: "APP_TOKEN={{ lookup('ansible.builtin.env', 'APP_TOKEN') }}\n" })])).toEqual(['SecretFileModeTooOpen']);
    expect(check([file({ mode: '0640', secret: true })])).toEqual(['SecretFileModeTooOpen']);
    // A deploy-time input that is no secret (a CA certificate) says so, and may be world-readable.
    expect(check([file({ mode: '0644', secret: false, content: "{{ lookup('ansible.builtin.env', 'APP_TOKEN') }}\n" })])).toEqual([]);
    expect(check([file({ mode: '0400', secret: true })])).toEqual([]);
  });
  it('InvalidFileMode', () => {
    expect(check([file({ mode: '644' })])).toEqual(['InvalidFileMode']);
  });
  it('Compose references need declaring but not a 0600 compose file ($$ escapes are not references)', () => {
    expect(check([file({ path: '/opt/stacks/app/compose.yml', mode: '0644', format: 'compose', content: 'x: ${APP_TOKEN:?set}\ny: $${POSTGRES_DB}\n' })])).toEqual([]);
    expect(findEnvReferences('a: $${POSTGRES_DB} b: ${REAL}')).toEqual(['REAL']);
  });
  it('does not take references, file paths or env-var names for literals', () => {
    expect(findSecretLiterals([
      'password: {{ lookup("env", "X") }}', 'token: ${X}', 'password_file: /run/secrets/pw', 'tokenEnv: CF_DNS_API_TOKEN',
      '# password: commented', 'secret: true', 'api_key:',
    ].join('\n'))).toEqual([]);
    expect(findSecretLiterals('PASSWORD=abc\n"client_secret": "xyz",\n').map((l) => l.key)).toEqual(['PASSWORD', 'client_secret']);
  });
});
