/**
 * schemas/provenance.json is the record of every file copied into schemas/: this checks that
 * it stays true (hashes), complete (no unlisted file) and that each licence text is there.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCHEMAS } from '../../src/validate/index.ts';
import { WORKSPACE_ROOT } from './helpers.ts';

const DIR = path.join(WORKSPACE_ROOT, 'schemas');
interface Entry { file: string; repo: string; ref: string; licence: string; licenceFile: string; use: string; copy: string; sha256: string }
const provenance = JSON.parse(readFileSync(path.join(DIR, 'provenance.json'), 'utf8')) as { files: Entry[] };
/** Not upstream material: the licence texts, the provenance itself, and what this repository generates. */
const OWN = (file: string) => file.startsWith('LICENSES/') || file.startsWith('homelab/') || file === 'PROVENANCE.md' || file === 'provenance.json';

describe('schemas/provenance.json', () => {
  it('lists every file in schemas/, and only files that exist', () => {
    const onDisk = readdirSync(DIR, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => path.relative(DIR, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
      .filter((f) => !OWN(f))
      .sort();
    expect(provenance.files.map((e) => e.file).sort()).toEqual(onDisk);
  });

  it('holds the sha256 of each file as it is in the repository', () => {
    const wrong = provenance.files.filter((e) => createHash('sha256').update(readFileSync(path.join(DIR, e.file))).digest('hex') !== e.sha256);
    expect(wrong.map((e) => e.file)).toEqual([]);
  });

  it('names a licence whose text is in schemas/LICENSES for every upstream file', () => {
    const upstream = provenance.files.filter((e) => e.repo !== 'this repository');
    expect(upstream.length).toBeGreaterThan(10);
    for (const e of upstream) {
      expect(e.licenceFile, e.file).toMatch(/^LICENSES\//);
      expect(existsSync(path.join(DIR, e.licenceFile)), `${e.file}: ${e.licenceFile}`).toBe(true);
      expect(e.ref, e.file).toMatch(/^[0-9a-f]{40}$/);
    }
  });

  it('covers every schema validation compiles, as a validation file', () => {
    const byFile = new Map(provenance.files.map((e) => [e.file, e]));
    for (const spec of Object.values(SCHEMAS)) expect(byFile.get(spec.file)?.use, spec.file).toBe('validation');
  });
});
