/**
 * Helpers for rules that read rendered files: find the files of one format, read YAML without
 * throwing, walk untyped documents, and name a place inside a file (`files[/path].a.b`).
 */
import { parseDocument } from 'yaml';
import { ProblemCollector } from '../model/collector.ts';
import type { Problem } from '../model/problem.ts';
import type { ArtifactFormat, ConfigFile, NormalizedService } from '../model/service.ts';
import type { PolicyContext } from './rule.ts';
import { declaredFileHost, fileTarget, knownFileHosts, targetKey } from './file-targets.ts';

/**
 * Runs `check` on every rendered file that has a target path, each service's problems collected
 * under its package. Files without a string path are skipped: config-file-keys reports their shape.
 */
export function checkEachRenderedFile(ctx: PolicyContext, check: (out: ProblemCollector, service: NormalizedService, file: ConfigFile) => void): Problem[] {
  if (!ctx.files) return [];
  const problems: Problem[] = [];
  for (const service of ctx.services) {
    const out = new ProblemCollector(service.pkg.dir);
    for (const file of ctx.files.get(service.name) ?? []) if (typeof file?.path === 'string') check(out, service, file);
    problems.push(...out.problems);
  }
  return problems;
}

export interface RenderedFile {
  /** The service whose package renders the file (problems are reported against it). */
  readonly service: NormalizedService;
  readonly file: ConfigFile;
  /** The host that receives the file. */
  readonly host: string;
}

/**
 * Every rendered file of the given format, in service order: the files declared so, and every
 * other file that lands on the same target (machine and path) as one of them, since the program
 * that reads that path reads it as this format whatever its writer declared.
 */
export function renderedFiles(ctx: PolicyContext, format: ArtifactFormat): RenderedFile[] {
  const hosts = knownFileHosts(ctx.site, ctx.services);
  const all = ctx.services.flatMap((service) => (ctx.files?.get(service.name) ?? [])
    .filter((file) => typeof file?.path === 'string')
    .map((file) => ({ service, file, host: declaredFileHost(service, file), key: targetKey(fileTarget(service, file, hosts)) })));
  const targets = new Set(all.filter((r) => r.file.format === format).map((r) => r.key));
  return all.filter((r) => targets.has(r.key)).map(({ service, file, host }) => ({ service, file, host }));
}

export type YamlRead = { readonly ok: true; readonly doc: unknown } | { readonly ok: false; readonly error: string };

/** Parses one YAML document; a syntax error is returned, never thrown. */
export function readYaml(text: string): YamlRead {
  try {
    const doc = parseDocument(text);
    if (doc.errors.length) return { ok: false, error: doc.errors[0]!.message.split('\n')[0]! };
    return { ok: true, doc: doc.toJS() as unknown };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message.split('\n')[0]! : String(error) };
  }
}

export function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `files[/etc/traefik/dynamic/arr.yml].http.routers.arr-sonarr` */
export function filePath(file: ConfigFile, ...keys: readonly string[]): string {
  return [`files[${shownPath(file.path)}]`, ...keys].join('.');
}

const SHOWN_PATH_MAX = 120;

/** A path as a problem shows it: a path too long for a terminal line is cut, with its length. */
export function shownPath(path: string): string {
  return path.length > SHOWN_PATH_MAX ? `${path.slice(0, SHOWN_PATH_MAX - 40)}... (${path.length} characters)` : path;
}
