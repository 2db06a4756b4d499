/**
 * Validates everything synthesized for one service: reads `dist/<service>/manifest.json` and
 * checks each artifact it lists by its recorded format. Files are read in parallel; schemas are
 * compiled once per process (see schema-registry.ts), so a second service costs only validation.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Problem } from '../model/problem.ts';
import { MANIFEST_FILE, type ArtifactRecord, type ServiceManifest } from '../synth/manifest.ts';
import type { ValidatedFormat } from './schema-registry.ts';
import { validateArtifactChecks, type ArtifactCheck, type ValidateArtifactOptions } from './validate-artifact.ts';
import { runToolChecks, type ToolCheckOptions, type ToolRun } from './tools/tool-checks.ts';
import type { ToolCheck } from './tools/tool-check.ts';

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

export interface ValidateDistWithToolsOptions extends ValidateDistOptions, Omit<ToolCheckOptions, 'root'> {
  /** Run the real validators (tools/). @default true */
  readonly runTools?: boolean;
}

export interface DistValidation {
  /** Per service, per file: its schema checks, then its tool checks. */
  readonly checks: readonly (ArtifactCheck | ToolCheck)[];
  /** Wall time of the schema checks (they run while the tools run). */
  readonly schemaMs: number;
  /** Undefined when `runTools` is false. */
  readonly tools?: ToolRun;
}

/**
 * Schema checks (validateServiceDist) and tool checks (tools/runToolChecks) for several services
 * at once: the tools share one process pool and batch across services, and run while the
 * schemas validate.
 */
export async function validateDistsWithTools(distDirs: readonly string[], options: ValidateDistWithToolsOptions = {}): Promise<DistValidation> {
  const root = options.root ?? process.cwd();
  const schemaStarted = performance.now();
  const schema = Promise.all(distDirs.map((d) => validateServiceDist(d, options))).then((checks) => ({ checks, ms: performance.now() - schemaStarted }));
  const tools = options.runTools === false ? undefined : runToolChecks(distDirs, { ...options, root });
  const [schemaResult, toolRun] = await Promise.all([schema, tools]);
  const checks: (ArtifactCheck | ToolCheck)[] = [];
  distDirs.forEach((distDir, i) => {
    const display = toPosix(path.relative(root, distDir) || '.');
    const own = (toolRun?.checks ?? []).filter((c) => c.source === `${display}/${c.file}`);
    const order = new Map<string, number>();
    for (const c of schemaResult.checks[i]!) if (!order.has(c.file)) order.set(c.file, order.size);
    for (const c of own) if (!order.has(c.file)) order.set(c.file, order.size);
    const merged = [...schemaResult.checks[i]!.map((c, j) => ({ c, tool: 0, j })), ...own.map((c, j) => ({ c, tool: 1, j }))];
    merged.sort((a, b) => order.get(a.c.file)! - order.get(b.c.file)! || a.tool - b.tool || a.j - b.j);
    checks.push(...merged.map((m) => m.c));
  });
  return { checks, schemaMs: schemaResult.ms, ...(toolRun ? { tools: toolRun } : {}) };
}

/** validateServiceDist plus the tool checks, for one service. */
export async function validateServiceDistWithTools(distDir: string, options: ValidateDistWithToolsOptions = {}): Promise<(ArtifactCheck | ToolCheck)[]> {
  return [...(await validateDistsWithTools([distDir], options)).checks];
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}
