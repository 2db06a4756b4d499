/**
 * A generated playbook that reads environment variables starts with a play that stops the whole
 * run, before anything changes, when one of them is unset or empty (render/ansible-env-check.ts).
 * The shape is checked on the generated plays; the behaviour with the real ansible-playbook on a
 * local connection, every file pointed into a temp dir.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { envCheckPlay, envLookupNames } from '../src/render/ansible-env-check.ts';
import { playbook, type HostFiles, type PlaybookInput } from '../src/render/ansible.ts';
import { envRef } from '../src/render/secrets.ts';
import { toYaml } from '../src/render/yaml.ts';
import { realTool, tempRoot } from './validate/tools/helpers.ts';

type Play = { name: string; hosts: string; tasks: Record<string, any>[] } & Record<string, unknown>;

const hostFiles = (host: string, files: { path: string; content: string; distPath?: string }[]): HostFiles => ({
  host,
  address: '10.0.0.1',
  files: files.map((f) => ({ file: { path: f.path, content: f.content, mode: '0600', format: 'text' }, distPath: f.distPath ?? `files/${host}${f.path}` })),
});

describe('envLookupNames', () => {
  it('collects every env lookup name, sorted, once each; Compose ${X} references are not Ansible lookups', () => {
    expect(envLookupNames([`A=${envRef('ZED')}\nB=${envRef('ALPHA')}`, `C=${envRef('ZED')}`, 'D=${COMPOSE_ONLY}\n'])).toEqual(['ALPHA', 'ZED']);
    expect(envLookupNames(['no secrets here\n'])).toEqual([]);
  });
});

describe('playbook: the environment check play', () => {
  const input: PlaybookInput = {
    service: 'svc',
    stacks: [],
    packages: {},
    hosts: [
      hostFiles('h1', [{ path: '/etc/a.env', content: `TOKEN=${envRef('SVC_TOKEN')}\n` }]),
      hostFiles('h2', [{ path: '/etc/b.conf', content: 'plain\n' }, { path: '/etc/c.env', content: `PW=${envRef('SVC_PASSWORD')}\n` }]),
    ],
  };
  const plays = playbook(input) as Play[];

  it('comes first, before every host play, and checks every variable any host\'s templated file reads', () => {
    expect(plays.map((p) => p.hosts)).toEqual(['all', 'h1', 'h2']);
    const [check] = plays;
    expect(check).toMatchObject({ hosts: 'all', gather_facts: false, any_errors_fatal: true, strategy: 'linear' });
    expect(check!.tasks).toHaveLength(1);
    expect(check!.tasks[0]!.vars.homelab_env_names).toEqual(['SVC_PASSWORD', 'SVC_TOKEN']);
    expect(check!.tasks[0]!.tags).toEqual(['always']);
  });

  it('is absent from a playbook that reads no environment variable', () => {
    const plain = playbook({ ...input, hosts: [hostFiles('h2', [{ path: '/etc/b.conf', content: 'plain\n' }])] }) as Play[];
    expect(plain.map((p) => p.hosts)).toEqual(['h2']);
    expect(envCheckPlay('svc', [])).toBeUndefined();
  });

  it('keeps every generated line within ansible-lint\'s 160 columns', () => {
    const text = toYaml(playbook(input));
    for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(160);
  });
});

const ansible = realTool('ansible-playbook');

/**
 * A generated playbook for two hosts, both on Ansible's local connection, every target inside
 * `root`. h1 gets two templated secrets; h2 a plain file in a later play.
 */
function localPlaybook(root: string): { dir: string; targets: string[] } {
  const owner = userInfo().username;
  const dir = path.join(root, 'dist', 'svc');
  const file = (host: string, target: string, content: string) => {
    const distPath = `files/${host}${target}`;
    mkdirSync(path.dirname(path.join(dir, distPath)), { recursive: true });
    writeFileSync(path.join(dir, distPath), content);
    return { file: { path: target, content, mode: '0600', format: 'text' as const, owner }, distPath };
  };
  const targets = [path.join(root, 'h1', 'app.env'), path.join(root, 'h2', 'plain.conf')];
  const input: PlaybookInput = {
    service: 'svc', stacks: [], packages: {},
    hosts: [
      { host: 'h1', address: '127.0.0.1', files: [file('h1', targets[0]!, `TOKEN=${envRef('HOMELAB_TEST_TOKEN')}\nPASSWORD=${envRef('HOMELAB_TEST_PASSWORD')}\n`)] },
      { host: 'h2', address: '127.0.0.1', files: [file('h2', targets[1]!, 'plain\n')] },
    ],
  };
  mkdirSync(path.join(dir, 'ansible'), { recursive: true });
  writeFileSync(path.join(dir, 'ansible', 'playbook.yml'), `---\n${toYaml(playbook(input))}`);
  const local = { ansible_connection: 'local', ansible_python_interpreter: '{{ ansible_playbook_python }}' };
  writeFileSync(path.join(dir, 'ansible', 'inventory.yml'), toYaml({ all: { hosts: { h1: local, h2: local } } }));
  return { dir, targets };
}

interface Run { status: number | null; output: string }

/** ansible-playbook with exactly `env` for the two test variables (unset when absent). */
function runPlaybook(dir: string, env: Record<string, string>, args: string[] = []): Run {
  const base = { ...process.env };
  delete base.HOMELAB_TEST_TOKEN;
  delete base.HOMELAB_TEST_PASSWORD;
  const r = spawnSync('ansible-playbook', ['-i', 'inventory.yml', 'playbook.yml', ...args], {
    cwd: path.join(dir, 'ansible'),
    env: { ...base, ...env, ANSIBLE_NOCOLOR: '1', ANSIBLE_RETRY_FILES_ENABLED: 'False', ANSIBLE_LOCALHOST_WARNING: 'False' },
    encoding: 'utf8',
  });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

const SLOW = 120_000;

describe.skipIf(ansible.skip)(`the environment check with the real ansible-playbook${ansible.suffix}`, () => {
  const root = tempRoot('ansible-env-check');

  it('with both secrets unset: fails naming both in ONE message, and no play after the check runs on any host', () => {
    const { dir, targets } = localPlaybook(path.join(root, 'unset'));
    const run = runPlaybook(dir, {});
    expect(run.status).not.toBe(0);
    const messages = run.output.split('\n').filter((l) => l.includes('Not set or empty:'));
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain('Not set or empty: HOMELAB_TEST_PASSWORD, HOMELAB_TEST_TOKEN. Nothing was changed.');
    expect(messages[0]).toContain('export NAME=');
    expect(messages[0]).toContain('npx homelab deploy --service svc');
    expect(run.output).not.toContain('PLAY [Configure svc');
    for (const target of targets) expect(existsSync(target), target).toBe(false);
  }, SLOW);

  it('with one set: names only the unset one, and never prints the value of the one that is set (even at -vvv)', () => {
    const { dir, targets } = localPlaybook(path.join(root, 'partial'));
    const run = runPlaybook(dir, { HOMELAB_TEST_TOKEN: 'tok-value-7f3a9c' }, ['-vvv']);
    expect(run.status).not.toBe(0);
    expect(run.output).toMatch(/Not set or empty: HOMELAB_TEST_PASSWORD\. /);
    expect(run.output).not.toContain('tok-value-7f3a9c');
    for (const target of targets) expect(existsSync(target), target).toBe(false);
  }, SLOW);

  it('an empty value counts as unset', () => {
    const { dir } = localPlaybook(path.join(root, 'empty'));
    const run = runPlaybook(dir, { HOMELAB_TEST_TOKEN: 'x', HOMELAB_TEST_PASSWORD: '' });
    expect(run.status).not.toBe(0);
    expect(run.output).toMatch(/Not set or empty: HOMELAB_TEST_PASSWORD\. /);
  }, SLOW);

  it.each([
    ['--tags files', ['--tags', 'files'], {}],
    ['--skip-tags stack', ['--skip-tags', 'stack'], {}],
    ['--limit h2 (the host without secrets)', ['--limit', 'h2'], {}],
    ['ANSIBLE_STRATEGY=free', [], { ANSIBLE_STRATEGY: 'free' }],
  ])('still stops everything with %s', (_label, args, env) => {
    const { dir, targets } = localPlaybook(path.join(root, `sel-${args.join('') || 'env'}`));
    const run = runPlaybook(dir, env as Record<string, string>, args as string[]);
    expect(run.status).not.toBe(0);
    expect(run.output).toContain('Not set or empty: HOMELAB_TEST_PASSWORD, HOMELAB_TEST_TOKEN.');
    expect(run.output).not.toContain('PLAY [Configure svc');
    for (const target of targets) expect(existsSync(target), target).toBe(false);
  }, SLOW);

  it('with both set: the check passes and every host play runs (--check: nothing is written), values never printed', () => {
    const { dir, targets } = localPlaybook(path.join(root, 'set'));
    const run = runPlaybook(dir, { HOMELAB_TEST_TOKEN: 'tok-value-7f3a9c', HOMELAB_TEST_PASSWORD: 'pw-value-51be02' }, ['--check', '-v']);
    expect(run.output).not.toContain('Not set or empty');
    expect(run.status, run.output).toBe(0);
    expect(run.output).toContain('PLAY [Configure svc on h1]');
    expect(run.output).toContain('PLAY [Configure svc on h2]');
    expect(run.output).toMatch(/^h1\s*:\s*ok=\d+\s+changed=[1-9]/m);
    expect(run.output).toMatch(/^h2\s*:\s*ok=\d+\s+changed=[1-9]/m);
    expect(run.output).not.toContain('tok-value-7f3a9c');
    expect(run.output).not.toContain('pw-value-51be02');
    for (const target of targets) expect(existsSync(target), target).toBe(false);
  }, SLOW);
});
