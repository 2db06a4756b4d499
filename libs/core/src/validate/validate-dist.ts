/**
 * Validates everything synthesized for one service: reads `dist/<service>/manifest.json` and
 * checks each artifact it lists by its recorded format. Files are read in parallel; schemas are
 * compiled once per process (see schema-registry.ts), so a second service costs only validation.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Problem } from '../model/problem.ts';
import { MANIFEST_FILE, type ArtifactRecord, type ServiceManifest } from '../synth/manifest.ts';
import type { ValidatedFormat } from './schema-registry.ts';
import { validateArtifactChecks, type ArtifactCheck, type ValidateArtifactOptions } from './validate-artifact.ts';

export interface ValidateDistOptions extends Omit<ValidateArtifactOptions, 'source'> {
  /** Problems name files relative to this directory. @default process.cwd() */
  readonly root?: string;
}

/**
 * One check per artifact (two for Compose files: one per schema), in manifest order. A missing
 * or unreadable manifest, a missing file or a file whose content no longer matches the recorded
 * hash (edited by hand) are reported as failed checks, not thrown.
 */
export async function validateServiceDist(distDir: string, options: ValidateDistOptions = {}): Promise<ArtifactCheck[]> {
  const root = options.root ?? process.cwd();
  const display = (file: string): string => toPosix(path.relative(root, path.join(distDir, file)) || file);
  const manifestSource = display(MANIFEST_FILE);
  const manifestCheck = (problems: Problem[]): ArtifactCheck[] => [{ file: MANIFEST_FILE, format: 'json', check: 'manifest', ok: false, problems }];

  let manifest: ServiceManifest;
  try {
    manifest = JSON.parse(await readFile(path.join(distDir, MANIFEST_FILE), 'utf8')) as ServiceManifest;
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    return manifestCheck([{
      source: manifestSource, path: '', code: missing ? 'ManifestMissing' : 'ManifestUnreadable',
      message: missing ? 'does not exist' : `cannot be read: ${(error as Error).message}`,
      fix: 'Run synth for this service first.',
    }]);
  }
  if (!Array.isArray(manifest?.artifacts)) {
    return manifestCheck([{ source: manifestSource, path: '/artifacts', code: 'ManifestInvalid', message: 'must list artifacts', received: manifest?.artifacts, fix: 'Run synth again; do not edit the manifest.' }]);
  }

  const perArtifact = await Promise.all(manifest.artifacts.map(async (artifact): Promise<ArtifactCheck[]> => {
    const source = display(artifact.file);
    const failed = (code: string, message: string, fix: string): ArtifactCheck[] => [{
      file: artifact.file, format: artifact.format, check: 'read', ok: false,
      problems: [{ source, path: '', code, message, fix }],
    }];
    const full = path.resolve(distDir, artifact.file);
    if (path.isAbsolute(artifact.file) || !full.startsWith(path.resolve(distDir) + path.sep)) {
      return failed('ArtifactOutsideDist', `is outside ${toPosix(distDir)}`, 'Record artifact paths relative to the service directory.');
    }
    let content: string;
    try {
      content = await readFile(full, 'utf8');
    } catch (error) {
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      return failed(missing ? 'ArtifactMissing' : 'ArtifactUnreadable', missing ? 'is listed in the manifest but does not exist' : `cannot be read: ${(error as Error).message}`, 'Run synth again.');
    }
    const checks = validateArtifactChecks(artifact.format as ValidatedFormat, content, artifact.file, { ...options, source });
    return withHashCheck(checks, artifact, content, source);
  }));
  return perArtifact.flat();
}

/** Generated files are never edited by hand: a content that differs from the manifest's hash says it was. */
function withHashCheck(checks: ArtifactCheck[], artifact: ArtifactRecord, content: string, source: string): ArtifactCheck[] {
  if (!artifact.sha256 || createHash('sha256').update(content).digest('hex') === artifact.sha256) return checks;
  const problem: Problem = {
    source, path: '', code: 'ArtifactHashMismatch',
    message: 'differs from what synth wrote (sha256 does not match the manifest)',
    fix: 'Do not edit generated files: change the package and run synth again.',
  };
  const [first, ...rest] = checks;
  if (!first) return checks;
  return [{ ...first, ok: false, problems: [problem, ...first.problems] }, ...rest];
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}
