/**
 * The deploy record: what was last deployed of each service (its manifest: package, version,
 * artifact hashes), when, and from which commit. Written only after every step succeeded; a
 * deploy that failed or was interrupted after it started changing things is recorded as
 * `failed`, never as deployed. `compareWithDeployed` is what `plan` shows and what resume uses.
 */
import { createHash } from 'node:crypto';
import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ChangeStatus } from '../plan/format-plan.ts';
import type { ServiceManifest } from '../synth/manifest.ts';
import type { DeployStep } from './run-tool.ts';
import { statePaths } from './state-dir.ts';

export const RECORD_SCHEMA = 1;

export interface GitInfo {
  /** `git rev-parse HEAD`; undefined outside a git checkout. */
  readonly commit?: string;
  /** Tracked files differed from the commit. */
  readonly dirty?: boolean;
}

export interface DeployedSnapshot extends GitInfo {
  readonly manifest: ServiceManifest;
  /** ISO time the deploy finished. */
  readonly at: string;
}

export interface DeployRecord extends DeployedSnapshot {
  readonly schema: typeof RECORD_SCHEMA;
  readonly service: string;
  readonly package: string;
  readonly version: string;
  /** `deployed`: every step succeeded. `failed`: a step that changes things started and did not finish. */
  readonly status: 'deployed' | 'failed';
  /** sha256 of the canonical manifest JSON: equal manifests, equal hash. */
  readonly manifestSha256: string;
  /** The machine that ran the deploy. */
  readonly host: string;
  /** For `failed`: the step, and the one-line error. */
  readonly failedStep?: DeployStep;
  readonly error?: string;
  /** For `failed`: the last successful deploy, if any (what probably still runs). */
  readonly lastDeployed?: DeployedSnapshot;
  /** What `plan` showed before the apply (a service with a Terraform stack). */
  readonly plan?: PlanRecord;
}

export interface PlanRecord {
  /** The plan had changes (`plan -detailed-exitcode` exited 2); without changes apply did not run. */
  readonly changes: boolean;
  /** The plan as the tool printed it (`-no-color`), the text the operator confirmed. */
  readonly text: string;
}

/** Keys sorted recursively, so the hash does not depend on property order. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
  }
  return value;
}

export function manifestHash(manifest: ServiceManifest): string {
  return createHash('sha256').update(JSON.stringify(canonical(manifest))).digest('hex');
}

export async function readDeployRecord(stateDir: string, service: string): Promise<DeployRecord | undefined> {
  let text: string;
  try {
    text = await readFile(statePaths.record(stateDir, service), 'utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return undefined;
    throw error;
  }
  const record = JSON.parse(text) as DeployRecord;
  if (record.schema !== RECORD_SCHEMA || record.service !== service) {
    throw new Error(`${statePaths.record(stateDir, service)} is not a homelab deploy record of ${service} (schema ${String(record.schema)}). Move it away to redeploy ${service} as new.`);
  }
  return record;
}

/** Written to a temporary file and renamed, so a reader never sees half a record. */
export async function writeDeployRecord(stateDir: string, record: DeployRecord): Promise<string> {
  const path = statePaths.record(stateDir, record.service);
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(record, null, 2)}\n`);
  await rename(tmp, path);
  return path;
}

export interface HistoryEntry {
  readonly at: string;
  readonly service: string;
  readonly status: 'deployed' | 'failed' | 'skipped' | 'unchanged';
  readonly version?: string;
  readonly commit?: string;
  readonly step?: DeployStep;
  readonly error?: string;
}

export async function appendHistory(stateDir: string, entry: HistoryEntry): Promise<void> {
  await mkdir(stateDir, { recursive: true });
  await appendFile(statePaths.history(stateDir), `${JSON.stringify(entry)}\n`);
}

export interface DeployedComparison {
  readonly status: ChangeStatus;
  /**
   * What differs from the deployed manifest: artifact files (`+file` added, `-file` removed) and
   * manifest fields (`version 0.1.0 -> 0.2.0`, `dependsOn`, `env`). Empty for new and unchanged.
   */
  readonly artifacts: readonly string[];
  /** Why a service is not unchanged beyond its artifacts: `last deploy failed at infra`. */
  readonly reason?: string;
}

function diffManifests(current: ServiceManifest, deployed: ServiceManifest): string[] {
  const changes: string[] = [];
  if (current.version !== deployed.version) changes.push(`version ${deployed.version} -> ${current.version}`);
  for (const key of ['package', 'kind', 'group'] as const) {
    if (current[key] !== deployed[key]) changes.push(`${key} ${deployed[key]} -> ${current[key]}`);
  }
  for (const key of ['dependsOn', 'env'] as const) {
    if (JSON.stringify([...current[key]].sort()) !== JSON.stringify([...deployed[key]].sort())) changes.push(key);
  }
  const before = new Map(deployed.artifacts.map((a) => [a.file, a]));
  const after = new Map(current.artifacts.map((a) => [a.file, a]));
  const files = [...new Set([...before.keys(), ...after.keys()])].sort();
  for (const file of files) {
    const a = before.get(file);
    const b = after.get(file);
    if (!a) changes.push(`+${file}`);
    else if (!b) changes.push(`-${file}`);
    else if (a.sha256 !== b.sha256 || JSON.stringify(canonical(a)) !== JSON.stringify(canonical(b))) changes.push(file);
  }
  return changes;
}

/**
 * The synthesized manifest against the deploy record: `new` (never deployed successfully),
 * `changed` (with what changed; always when the last deploy failed) or `unchanged`.
 */
export function compareWithDeployed(manifest: ServiceManifest, deployed: DeployRecord | undefined): DeployedComparison {
  if (!deployed) return { status: 'new', artifacts: [] };
  if (deployed.status !== 'deployed') {
    const reason = `last deploy failed at ${deployed.failedStep ?? 'an unknown step'}`;
    if (!deployed.lastDeployed) return { status: 'new', artifacts: [], reason };
    return { status: 'changed', artifacts: diffManifests(manifest, deployed.lastDeployed.manifest), reason };
  }
  const artifacts = diffManifests(manifest, deployed.manifest);
  return artifacts.length ? { status: 'changed', artifacts } : { status: 'unchanged', artifacts: [] };
}

/**
 * The `changes` option of `formatPlan`: every manifest against its record in `stateDir`. The
 * reason (a failed last deploy) is shown first among the artifacts.
 */
export async function planChanges(manifests: readonly ServiceManifest[], stateDir: string): Promise<Map<string, { status: ChangeStatus; artifacts: readonly string[] }>> {
  const changes = new Map<string, { status: ChangeStatus; artifacts: readonly string[] }>();
  for (const manifest of manifests) {
    const c = compareWithDeployed(manifest, await readDeployRecord(stateDir, manifest.service));
    changes.set(manifest.service, { status: c.status, artifacts: c.reason ? [c.reason, ...c.artifacts] : c.artifacts });
  }
  return changes;
}
