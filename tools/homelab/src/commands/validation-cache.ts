/**
 * A per-service cache of validation results, so that `npm start` on an unchanged homelab does not
 * recompile eleven schemas and rerun ~80 validator processes. A service's entry is keyed by its
 * synthesized manifest (which hashes every artifact), the validator code, the schema files and
 * the validator binaries found on PATH (path, size, mtime): any change there misses. Only fully
 * passing results are stored, so a failure always shows fresh tool output.
 * `HOMELAB_VALIDATE_CACHE=off` disables it.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { findSchemasDir, VALIDATOR_TOOLS, type ArtifactCheck, type ToolCheck } from '@homelab/core';
import { distRoot } from './context.ts';

export const CACHE_SWITCH = 'HOMELAB_VALIDATE_CACHE';
type Check = ArtifactCheck | ToolCheck;

function digestTree(dir: string, hash: ReturnType<typeof createHash>): void {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) digestTree(full, hash);
    else hash.update(entry.name).update(readFileSync(full));
  }
}

function toolFingerprint(env: Readonly<Record<string, string | undefined>>): string {
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  return Object.values(VALIDATOR_TOOLS).flatMap((spec) => spec.names).map((name) => {
    for (const dir of dirs) {
      const file = join(dir, name);
      if (existsSync(file)) {
        const st = statSync(file);
        return `${file}:${st.size}:${st.mtimeMs}`;
      }
    }
    return `${name}:absent`;
  }).join('|');
}

/** What every entry's key shares: validator code, schemas, tools, CI mode. */
export function validatorDigest(root: string, env: Readonly<Record<string, string | undefined>>): string {
  const hash = createHash('sha256');
  digestTree(join(root, 'libs/core/src/validate'), hash);
  digestTree(findSchemasDir({ root, env }), hash);
  hash.update(toolFingerprint(env)).update(String(env.CI ?? '')).update(String(env.HOMELAB_VALIDATE_TOOLS ?? ''));
  return hash.digest('hex');
}

export interface ValidationCache {
  /** Cached checks of a service, or undefined on a miss. */
  get(service: string): Promise<readonly Check[] | undefined>;
  /** Stores a fully passing result. */
  put(service: string, checks: readonly Check[]): Promise<void>;
}

/** Whether `HOMELAB_VALIDATE_CACHE` turns the cache off (`off`, `0`, `false`). */
export function validationCacheOff(env: Readonly<Record<string, string | undefined>>): boolean {
  return ['off', '0', 'false'].includes((env[CACHE_SWITCH] ?? '').trim().toLowerCase());
}

export function validationCache(root: string, env: Readonly<Record<string, string | undefined>>): ValidationCache | undefined {
  if (validationCacheOff(env)) return undefined;
  const dir = join(root, 'node_modules', '.cache', 'homelab', 'validate');
  const shared = validatorDigest(root, env);
  const keyOf = async (service: string): Promise<string | undefined> => {
    try {
      const manifest = await readFile(join(distRoot(root), service, 'manifest.json'));
      return createHash('sha256').update(shared).update(manifest).digest('hex');
    } catch {
      return undefined;
    }
  };
  return {
    async get(service) {
      const key = await keyOf(service);
      if (!key) return undefined;
      try {
        return JSON.parse(await readFile(join(dir, `${service}-${key}.json`), 'utf8')) as Check[];
      } catch {
        return undefined;
      }
    },
    async put(service, checks) {
      const key = await keyOf(service);
      const passed = checks.every((c) => ('status' in c ? c.status !== 'failed' : c.ok));
      if (!key || !passed) return;
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, `${service}-${key}.json`), JSON.stringify(checks));
    },
  };
}
