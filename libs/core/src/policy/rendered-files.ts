/**
 * Helpers for rules that read rendered files: find the files of one format, read YAML without
 * throwing, walk untyped documents, and name a place inside a file (`files[/path].a.b`).
 */
import { parseDocument } from 'yaml';
import type { ArtifactFormat, ConfigFile, NormalizedService } from '../model/service.ts';
import type { PolicyContext } from './rule.ts';

export interface RenderedFile {
  /** The service whose package renders the file (problems are reported against it). */
  readonly service: NormalizedService;
  readonly file: ConfigFile;
  /** The host that receives the file. */
  readonly host: string;
}

/** Every rendered file of the given format, in service order. */
export function renderedFiles(ctx: PolicyContext, format: ArtifactFormat): RenderedFile[] {
  const found: RenderedFile[] = [];
  for (const service of ctx.services) {
    for (const file of ctx.files?.get(service.name) ?? []) {
      if (file.format === format) found.push({ service, file, host: file.host ?? service.sharesGuestWith ?? service.name });
    }
  }
  return found;
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
  return [`files[${file.path}]`, ...keys].join('.');
}
