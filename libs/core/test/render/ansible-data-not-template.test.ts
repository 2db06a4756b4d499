/**
 * Every value from the model that reaches a generated playbook or inventory is data, never
 * template: a path, owner, tag or stack directory holding `{{ lookup('pipe', ...) }}` must not run
 * a command on the controller (issue 9: it did, under a real `ansible-playbook --check`). Run
 * through the real pipeline (synthesizeSite, writeDist) and the real ansible-playbook, on a local
 * connection, every target inside a temp dir.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isScalar, isMap, isSeq, isPair, parseAllDocuments, type Node } from 'yaml';
import {
  buildHomelab, DEPLOY_MACHINE, synthesizeSite, writeDist, type ConfigFile, type ServiceProps, type SynthResult,
} from '../../src/index.ts';
import { app, entries, idp, proxy, testSite } from '../fixtures/test-site.ts';
import { validateArtifactChecks } from '../../src/validate/validate-artifact.ts';
import { realTool, tempRoot } from '../validate/tools/helpers.ts';

const ansible = realTool('ansible-playbook');
const SLOW = 120_000;
const owner = userInfo().username;

/** A service whose only files go to the deploy machine (a local connection), with the given files. */
function synthOf(files: (dir: string) => ConfigFile[], dir: string): SynthResult {
  const evil: ServiceProps = { ...app, name: 'app', routes: [], secrets: [], files: () => files(dir).map((f) => ({ host: DEPLOY_MACHINE, owner, ...f })) };
  const synthesis = synthesizeSite(buildHomelab(testSite, entries(proxy, idp, evil)), { only: ['app'] });
  return synthesis.results.find((r) => r.service === 'app')!;
}

interface Run { status: number | null; output: string }

function runPlaybook(distDir: string, args: readonly string[]): Run {
  const r = spawnSync('ansible-playbook', ['-i', 'inventory.yml', 'playbook.yml', '--limit', DEPLOY_MACHINE, ...args], {
    cwd: path.join(distDir, 'ansible'),
    env: { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_RETRY_FILES_ENABLED: 'False', ANSIBLE_LOCALHOST_WARNING: 'False', ANSIBLE_INVENTORY_UNPARSED_WARNING: 'False' },
    encoding: 'utf8',
  });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** Synthesizes, writes dist/app/ under `root` and runs the playbook with `args`. */
async function probe(root: string, files: (dir: string) => ConfigFile[], args: readonly string[] = ['--check']): Promise<Run> {
  mkdirSync(root, { recursive: true });
  const dist = await writeDist(path.join(root, 'dist'), synthOf(files, root));
  return runPlaybook(dist, args);
}

/**
 * A lookup that creates `name` in the playbook's directory (the pipe lookup's working directory):
 * no `/` in it, so a path holding it stays one path component.
 */
const lookup = (name: string): string => `{{ lookup('pipe', 'touch ${name}') }}`;
/** Where `lookup(name)` would create its file. */
const pwned = (root: string, name: string): string => path.join(root, 'dist', 'app', 'ansible', name);
const plain = (target: string, extra: Partial<ConfigFile> = {}): ConfigFile => ({ path: target, content: 'x\n', mode: '0644', format: 'text', ...extra });

describe.skipIf(ansible.skip)(`model values are data to the real ansible-playbook${ansible.suffix}`, () => {
  const root = tempRoot('ansible-data');

  it('a file path holding a pipe lookup runs nothing under --check (the path is copied to, literally)', async () => {
    const dir = path.join(root, 'path');
    const run = await probe(dir, (d) => [plain(path.join(d, 'target', `${lookup('pwned')}.conf`))]);
    expect(existsSync(pwned(dir, 'pwned')), run.output).toBe(false);
    expect(run.status, run.output).toBe(0);
  }, SLOW);

  it('a tag and a restarted stack directory holding pipe lookups run nothing; the handler is still found by its name', async () => {
    const dir = path.join(root, 'fields');
    const run = await probe(dir, (d) => [
      plain(path.join(d, 'target', 'tagged.conf'), { tags: [lookup('pwned-tag')], restarts: [path.join(d, lookup('pwned-restarts'))] }),
    ]);
    for (const name of ['pwned-tag', 'pwned-restarts']) expect(existsSync(pwned(dir, name)), `${name}\n${run.output}`).toBe(false);
    // The notified handler ran under its literal name (its chdir, literal too, does not exist).
    expect(run.output).toContain(`RUNNING HANDLER [Recreate stack ${path.join(dir, lookup('pwned-restarts'))}]`);
  }, SLOW);

  it('an owner holding a pipe lookup runs nothing under --check', async () => {
    const dir = path.join(root, 'owner');
    const run = await probe(dir, (d) => [plain(path.join(d, 'target', 'owned.conf'), { owner: lookup('pwned-owner') })]);
    expect(existsSync(pwned(dir, 'pwned-owner')), run.output).toBe(false);
  }, SLOW);

  it('a real run writes the file under its literal name, and a plain file\'s Jinja-looking content byte for byte', async () => {
    const dir = path.join(root, 'real');
    const content = `${lookup('pwned-content')}\n{% raw %}{{ ansible_managed }}{% endraw %}\n{# comment #}\n`;
    const literal = path.join(dir, 'target', `${lookup('pwned')}.conf`);
    const copied = path.join(dir, 'target', 'copied.conf');
    const run = await probe(dir, (d) => [
      plain(path.join(d, 'target', `${lookup('pwned')}.conf`)),
      plain(path.join(d, 'target', 'copied.conf'), { content }),
    ], []);
    expect(run.status, run.output).toBe(0);
    for (const name of ['pwned', 'pwned-content']) expect(existsSync(pwned(dir, name)), run.output).toBe(false);
    expect(readFileSync(literal, 'utf8')).toBe('x\n');
    expect(readFileSync(copied, 'utf8')).toBe(content);
  }, SLOW);

  it('a normal generated playbook still passes ansible-playbook --syntax-check', async () => {
    const dir = path.join(root, 'normal');
    mkdirSync(dir, { recursive: true });
    const withStack: ServiceProps = { ...proxy, files: () => [
      { path: '/opt/stacks/proxy/compose.yml', content: 'services: {}\n', mode: '0644', format: 'compose' },
      { path: '/etc/proxy/app.env', content: "TOKEN={{ lookup('ansible.builtin.env', 'APP_TOKEN') }}\n", mode: '0600', format: 'text', secret: true, restarts: ['nginx.service'] },
    ] };
    const result = synthesizeSite(buildHomelab(testSite, entries(withStack, idp))).results.find((r) => r.service === 'proxy')!;
    const dist = await writeDist(path.join(dir, 'dist'), result);
    const r = spawnSync('ansible-playbook', ['-i', 'inventory.yml', 'playbook.yml', '--syntax-check'], { cwd: path.join(dist, 'ansible'), encoding: 'utf8', env: { ...process.env, ANSIBLE_NOCOLOR: '1' } });
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
  }, SLOW);
});

/** Every scalar string of a YAML document, with the tag it carries and whether it is a mapping key. */
function scalars(node: Node | null | undefined, out: { value: string; tag?: string; key: boolean }[] = [], key = false): typeof out {
  if (!node) return out;
  if (isScalar(node)) {
    if (typeof node.value === 'string') out.push({ value: node.value, ...(node.tag ? { tag: node.tag } : {}), key });
  } else if (isMap(node)) {
    for (const pair of node.items) if (isPair(pair)) { scalars(pair.key as Node, out, true); scalars(pair.value as Node, out); }
  } else if (isSeq(node)) {
    for (const item of node.items) scalars(item as Node, out);
  }
  return out;
}

describe('the generated playbook and inventory mark every model value !unsafe', () => {
  const withEverything: ServiceProps = {
    ...app, docker: true, hostPackages: { app: ['nginx'] },
    files: () => [
      { path: '/opt/stacks/app/compose.yml', content: 'services: {}\n', mode: '0644', format: 'compose', tags: ['config'] },
      { path: '/etc/app/app.env', content: "T={{ lookup('ansible.builtin.env', 'APP_TOKEN') }}\n", mode: '0600', format: 'text', secret: true, owner: 'app', restarts: ['nginx.service'] },
      { path: '/etc/systemd/system/d.service', content: '[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n', mode: '0644', format: 'systemd' },
      { path: '/usr/local/sbin/go.sh', content: '#!/bin/sh\n', mode: '0755', format: 'shell', run: true },
    ],
  };
  const result = synthesizeSite(buildHomelab(testSite, entries(proxy, idp, withEverything))).results.find((r) => r.service === 'app')!;

  it('validation reads the !unsafe tag as Ansible does: no unknown-tag warning, no problem', () => {
    for (const [file, format] of [['ansible/playbook.yml', 'ansible-playbook'], ['ansible/inventory.yml', 'ansible-inventory']] as const) {
      const checks = validateArtifactChecks(format, result.files.get(file)!, file);
      expect(checks.flatMap((c) => c.problems)).toEqual([]);
    }
  });

  for (const file of ['ansible/playbook.yml', 'ansible/inventory.yml']) {
    it(`${file}: a string left untagged is one of homelab's own expressions, which names no model value`, () => {
      const text = result.files.get(file)!;
      const values = parseAllDocuments(text).flatMap((d) => ('contents' in d ? scalars(d.contents as Node) : []));
      const untagged = values.filter((v) => !v.key && v.tag === undefined).map((v) => v.value);
      // Each one is a Jinja expression or condition built by homelab from constants.
      for (const v of untagged) {
        expect(v, v).not.toMatch(/\/etc\/|\/opt\/|\/usr\/|nginx|app\b|config|0644|0600|d\.service/);
      }
      // and the model's values are there, tagged.
      const tagged = values.filter((v) => v.tag === '!unsafe').map((v) => v.value);
      expect(tagged.length).toBeGreaterThan(0);
      if (file.endsWith('playbook.yml')) {
        expect(tagged).toEqual(expect.arrayContaining(['/etc/app/app.env', 'app', '0600', 'nginx', 'nginx.service', 'Restart nginx.service', '/opt/stacks/app', 'config', 'd.service', 'files/app/etc/app/app.env']));
      } else {
        expect(tagged).toEqual(expect.arrayContaining(['10.20.0.22', 'root', '/usr/bin/python3']));
      }
    });
  }
});
