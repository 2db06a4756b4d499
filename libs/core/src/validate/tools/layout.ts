/**
 * One temporary copy of each service's dist/ per run, shared by every tool check of that service.
 * Files keep their relative paths (`files/<host>/<target path>`, `ansible/playbook.yml`), so
 * references between files resolve as they do on the target and from the playbook: a promtool
 * test's `../rules/x.yml`, `{{ playbook_dir }}/../files/...`. Tools write only here (Terraform's
 * .terraform/, nginx's pid and logs, ansible's caches), never into dist/.
 *
 * Only the artifacts some tool reads are copied (secrets are not, unless their format is checked),
 * with the mode the manifest records.
 */
import { createHash } from 'node:crypto';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MANIFEST_FILE, type ArtifactRecord, type ServiceManifest } from '../../synth/manifest.ts';

export interface LaidOutArtifact {
  readonly record: ArtifactRecord;
  /** The service's layout this copy belongs to. */
  readonly layout: ServiceLayout;
  /** Absolute path of the copy. */
  readonly path: string;
  /** The file as problems name it: `dist/<service>/<file>`. */
  readonly source: string;
}

export interface ServiceLayout {
  readonly service: string;
  /** Absolute directory of the copy (inside the run's temporary directory). */
  readonly dir: string;
  /** The service's dist directory as problems name it: `dist/<service>`. */
  readonly displayDir: string;
  readonly manifest: ServiceManifest;
  readonly artifacts: readonly LaidOutArtifact[];
}

export interface Layouts {
  /** The run's temporary directory (mode 0700). */
  readonly base: string;
  readonly services: readonly ServiceLayout[];
  /** Removes the temporary directory. */
  cleanup(): Promise<void>;
}

export interface CreateLayoutsOptions {
  /** Problems name files relative to this directory. */
  readonly root: string;
  /** Formats some tool reads: only these artifacts are copied, plus the non-secret files beside a playbook. */
  readonly formats: ReadonlySet<string>;
}

/**
 * Copies each service's checked artifacts. A service whose manifest cannot be read gets no
 * layout, and a listed file that is missing or outside its directory is left out: the schema
 * checks already report both.
 */
export async function createLayouts(distDirs: readonly string[], options: CreateLayoutsOptions): Promise<Layouts> {
  const base = await mkdtemp(path.join(tmpdir(), 'homelab-validate-'));
  const used = new Set<string>();
  const services: ServiceLayout[] = [];
  for (const distDir of distDirs) {
    let manifest: ServiceManifest;
    try {
      manifest = JSON.parse(await readFile(path.join(distDir, MANIFEST_FILE), 'utf8')) as ServiceManifest;
    } catch {
      continue;
    }
    if (!Array.isArray(manifest?.artifacts)) continue;
    let name = path.basename(distDir) || 'service';
    while (used.has(name)) name = `${name}_`;
    used.add(name);
    const displayDir = toPosix(path.relative(options.root, distDir) || '.');
    const dir = path.join(base, name);
    const artifacts: LaidOutArtifact[] = [];
    const layout: ServiceLayout = { service: manifest.service ?? name, dir, displayDir, manifest, artifacts };
    const playbookDirs = new Set(manifest.artifacts.filter((r) => r.format === 'ansible-playbook').map((r) => path.posix.dirname(r.file)));
    for (const record of manifest.artifacts) {
      // Files beside a playbook (task or vars files it includes) are read by Ansible too.
      const besidePlaybook = !record.secret && playbookDirs.has(path.posix.dirname(record.file));
      if (!options.formats.has(record.format) && !besidePlaybook) continue;
      const from = path.resolve(distDir, record.file);
      const to = path.resolve(dir, record.file);
      if (path.isAbsolute(record.file) || !from.startsWith(path.resolve(distDir) + path.sep) || !to.startsWith(dir + path.sep)) continue;
      try {
        await mkdir(path.dirname(to), { recursive: true });
        await copyFile(from, to);
        await chmod(to, modeOf(record));
      } catch {
        continue;
      }
      artifacts.push({ record, layout, path: to, source: `${displayDir}/${toPosix(record.file)}` });
    }
    services.push(layout);
  }
  return { base, services, cleanup: () => rm(base, { recursive: true, force: true }) };
}

/** The target mode when the manifest gives one, else 0644; never more than 0755 in the copy. */
function modeOf(record: ArtifactRecord): number {
  const parsed = record.target ? Number.parseInt(record.target.mode, 8) : Number.NaN;
  const mode = Number.isFinite(parsed) ? parsed : 0o644;
  return (mode & 0o755) | 0o600;
}

/** Replaces the temporary paths a tool printed by the dist paths they stand for. */
export function unmapPaths(text: string, layouts: readonly ServiceLayout[], base: string): string {
  let out = text;
  for (const layout of [...layouts].sort((a, b) => b.dir.length - a.dir.length)) out = out.split(`${layout.dir}/`).join(`${layout.displayDir}/`).split(layout.dir).join(layout.displayDir);
  return out.split(base).join('<tmp>');
}

/** A short stable name for a file inside the layout, for helper files next to it. */
export function helperName(file: string, purpose: string): string {
  return `.${path.basename(file)}.${purpose}-${createHash('sha256').update(file).digest('hex').slice(0, 6)}`;
}

export function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}
