/**
 * Scripts are files: every package's scripts/*.sh and the shared prelude pass the real shellcheck
 * as the files a developer edits, every script file is the source its package renders (through a
 * module-relative URL, so it is found wherever the package is installed), and every script this
 * site renders passes shellcheck too.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { synthesizeThisSite } from '@homelab/site/testing';
import { PRELUDE_FILE, scriptPath } from '../../../../libs/core/src/index.ts';
import { shellcheckFiles } from '../../../../libs/core/src/shell/shellcheck-files.ts';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const shellcheck = spawnSync('shellcheck', ['--version']).status === 0;
const packages = readdirSync(path.join(ROOT, 'packages')).sort();
const scriptFiles = packages.flatMap((p) => {
  const dir = path.join(ROOT, 'packages', p, 'scripts');
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.sh')).sort().map((f) => `packages/${p}/scripts/${f}`) : [];
});
/** `new URL('<relative>', import.meta.url)` in a package's src: the script files it renders. */
const URL_REF = /new URL\('(\.\.\/scripts\/[^']+)', import\.meta\.url\)/g;
const references = packages.flatMap((p) => {
  const src = path.join(ROOT, 'packages', p, 'src');
  return readdirSync(src, { recursive: true }).map(String).filter((f) => f.endsWith('.ts')).flatMap((f) => {
    const file = path.join(src, f);
    return [...readFileSync(file, 'utf8').matchAll(URL_REF)].map((m) => ({ from: path.relative(ROOT, file), script: path.relative(ROOT, fileURLToPath(new URL(m[1]!, `file://${file}`))) }));
  });
});

describe('script files', () => {
  it('the packages hold their scripts as files (the ones that were template literals)', () => {
    expect(scriptFiles).toEqual(expect.arrayContaining([
      'packages/ceph/scripts/homelab-ceph.sh', 'packages/mailcow/scripts/mailcow-install.sh', 'packages/monitoring/scripts/nfs-mount-check.sh',
      'packages/proxmox/scripts/homelab-pve-storage.sh', 'packages/pxe/scripts/pxe-netboot-fetch.sh', 'packages/talos/scripts/talos-apply.sh',
      'packages/truenas/scripts/truenas-apply.sh',
    ]));
  });

  it('every script file is rendered by its own package, and every module-relative script URL names a file', () => {
    for (const ref of references) expect(existsSync(path.join(ROOT, ref.script)), `${ref.from} renders ${ref.script}`).toBe(true);
    for (const file of scriptFiles) expect(references.filter((r) => r.script === file && r.from.startsWith(file.split('/scripts/')[0]!)).length, `${file} is rendered by no module of its package`).toBeGreaterThan(0);
  });

  it('the scripts are package files Nx counts: the production input excludes no scripts/ directory', () => {
    const nx = JSON.parse(readFileSync(path.join(ROOT, 'nx.json'), 'utf8')) as { namedInputs: Record<string, string[]> };
    expect(nx.namedInputs['production']).toContain('default');
    expect(nx.namedInputs['default']).toContain('{projectRoot}/**/*');
    expect(nx.namedInputs['production']!.filter((i) => i.startsWith('!') && /scripts|\.sh/.test(i))).toEqual([]);
    // The prelude sits in libs/core/src, which every synth reads (synthInputs).
    expect(path.relative(ROOT, scriptPath(PRELUDE_FILE))).toBe('libs/core/src/shell/prelude.bash');
  });
});

describe.skipIf(!shellcheck && !process.env.CI)(`shellcheck over the script files${shellcheck ? '' : ': skipped, shellcheck is not installed'}`, () => {
  it('every packages/*/scripts/*.sh and core\'s script files (root settings, the prelude) pass shellcheck -S warning as files', () => {
    const core = readdirSync(path.join(ROOT, 'libs/core/src'), { recursive: true }).map(String).filter((f) => /\.(sh|bash)$/.test(f)).map((f) => `libs/core/src/${f}`).sort();
    expect(core).toEqual(['libs/core/src/proxmox/root-settings.sh', path.relative(ROOT, scriptPath(PRELUDE_FILE))]);
    const findings = shellcheckFiles([...scriptFiles, ...core], { cwd: ROOT });
    expect(findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.code} ${f.message}`)).toEqual([]);
  });

  it('every script this site renders passes shellcheck -S warning', async () => {
    const { results } = await synthesizeThisSite();
    const dir = mkdtempSync(path.join(tmpdir(), 'rendered-scripts-'));
    const rendered = results.flatMap((r) => r.manifest.artifacts.filter((a) => a.format === 'shell').map((a) => {
      const file = path.join(r.service, a.file);
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), r.files.get(a.file)!);
      return file;
    }));
    expect(rendered.length).toBeGreaterThan(scriptFiles.length);
    expect(shellcheckFiles(rendered, { cwd: dir }).map((f) => `${f.file}:${f.line} ${f.code} ${f.message}`)).toEqual([]);
  });
});
