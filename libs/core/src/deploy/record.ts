/**
 * The deploy record: what was last deployed of each service (its manifest: package, version,
 * artifact hashes), when, and from which commit. `in-progress` is written (and fsynced) before
 * the first step that changes something, so a deploy that is killed, or whose last write fails,
 * leaves a true record; `deployed` only after every step succeeded; a deploy that failed or was
 * interrupted after it started changing things is `failed`; `infrastructure` after `deploy
 * --infra-only` applied the Terraform stack alone (config and smoke tests not run). Only
 * `deployed` is ever unchanged.
 * Every write is atomic (temporary file, fsync, rename, fsync of the directory), 0600 in a 0700
 * directory, and scrubbed of secret values by the caller's scrubber. A record that is not JSON,
 * or not a record, is a StateError naming the file. `compareWithDeployed` is what `plan` shows
 * and what resume uses.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { ChangeStatus } from '../plan/format-plan.ts';
import type { ServiceManifest } from '../synth/manifest.ts';
import { appendPrivateLine, writePrivateFile, type Tightened } from './private-files.ts';
import type { DeployStep } from '../process/run-tool.ts';
import { scrubDeep, type Scrub } from './scrub.ts';
import { statePaths } from './state-dir.ts';
import { atStatePath, StateError } from './state-error.ts';

export const RECORD_SCHEMA = 1;

export const RECORD_STATUSES = ['deployed', 'failed', 'in-progress', 'infrastructure'] as const;
export type RecordStatus = (typeof RECORD_STATUSES)[number];

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
  /**
   * `deployed`: every step succeeded. `failed`: a step that changes things started and did not
   * finish. `in-progress`: written before the first change; still there, it means that deploy
   * was killed (or could not write its outcome), or is running now. `infrastructure`: `deploy
   * --infra-only` applied the Terraform stack and nothing else; a full deploy is still due.
   */
  readonly status: RecordStatus;
  /** sha256 of the canonical manifest JSON: equal manifests, equal hash. */
  readonly manifestSha256: string;
  /** The machine that ran the deploy. */
  readonly host: string;
  /** For `failed`: the step, and the one-line error. */
  readonly failedStep?: DeployStep;
  readonly error?: string;
  /** For `in-progress`: the first step that changes something, about to start at `at`; and who runs it. */
  readonly startedStep?: DeployStep;
  readonly pid?: number;
  /** For `failed`, `in-progress` and `infrastructure`: the last successful deploy, if any (what probably still runs). */
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

/** Why `value` is not a deploy record of `service` (undefined: it is one). */
function notARecord(value: unknown, service: string): string | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'it is JSON but not an object';
  const r = value as Partial<Record<keyof DeployRecord, unknown>>;
  if (r.schema !== RECORD_SCHEMA) return `its schema is ${JSON.stringify(r.schema)}, this homelab reads schema ${RECORD_SCHEMA}`;
  if (r.service !== service) return `it names service ${JSON.stringify(r.service)}, not ${service}`;
  if (!(RECORD_STATUSES as readonly unknown[]).includes(r.status)) return `its status ${JSON.stringify(r.status)} is none of ${RECORD_STATUSES.join(', ')}`;
  const m = r.manifest as Partial<ServiceManifest> | undefined;
  if (!m || typeof m !== 'object' || !Array.isArray(m.artifacts) || !Array.isArray(m.dependsOn) || !Array.isArray(m.env)) return 'its manifest is missing or has no artifacts, dependsOn or env list';
  if (typeof r.version !== 'string' || typeof r.at !== 'string') return 'its version or time (at) is missing';
  return undefined;
}

const recordFix = (path: string, service: string): string =>
  `Move it away (mv ${path} ${path}.broken) to deploy ${service} as new, or restore it from a backup; then run the command again.`;

/** The record of `service`; undefined when there is none. A broken one is a StateError naming the file. */
export async function readDeployRecord(stateDir: string, service: string): Promise<DeployRecord | undefined> {
  const path = statePaths.record(stateDir, service);
  let text: string;
  try {
    text = await atStatePath(path, 'read the deploy record', () => readFile(path, 'utf8'));
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return undefined;
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new StateError(path, `is not a homelab deploy record of ${service}: not JSON (${(error as Error).message})`, recordFix(path, service));
  }
  const why = notARecord(value, service);
  if (why) throw new StateError(path, `is not a homelab deploy record of ${service}: ${why}`, recordFix(path, service));
  return value as DeployRecord;
}

export interface StateWriteOptions {
  /** Replaces every known secret value in the stored strings. @default none */
  readonly scrub?: Scrub;
  /** Told when an existing file or directory was looser than 0600/0700 and was tightened. */
  readonly onTightened?: Tightened;
}

/** Atomic and durable (temp file, fsync, rename, fsync dir), 0600; a reader never sees half a record. */
export async function writeDeployRecord(stateDir: string, record: DeployRecord, options: StateWriteOptions = {}): Promise<string> {
  const path = statePaths.record(stateDir, record.service);
  const stored = options.scrub ? scrubDeep(record, options.scrub) : record;
  await atStatePath(path, 'write the deploy record', () => writePrivateFile(path, `${JSON.stringify(stored, null, 2)}\n`, options.onTightened));
  return path;
}

export interface HistoryEntry {
  readonly at: string;
  readonly service: string;
  readonly status: 'deployed' | 'failed' | 'skipped' | 'unchanged' | 'infrastructure';
  readonly version?: string;
  readonly commit?: string;
  readonly step?: DeployStep;
  readonly error?: string;
}

export async function appendHistory(stateDir: string, entry: HistoryEntry, options: StateWriteOptions = {}): Promise<void> {
  const path = statePaths.history(stateDir);
  const stored = options.scrub ? scrubDeep(entry, options.scrub) : entry;
  await atStatePath(path, 'append to the deploy history', () => appendPrivateLine(path, JSON.stringify(stored), options.onTightened));
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

/** Why a record that is not `deployed` leaves its service to be deployed again. */
export function notDeployedReason(record: DeployRecord): string {
  switch (record.status) {
    case 'in-progress': return `last deploy did not finish (in progress since ${record.at}: interrupted, or still running)`;
    case 'infrastructure': return `only its infrastructure is deployed (deploy --infra-only at ${record.at}): its config step and smoke tests have not run`;
    default: return `last deploy failed at ${record.failedStep ?? 'an unknown step'}`;
  }
}

/**
 * The synthesized manifest against the deploy record: `new` (never deployed successfully),
 * `changed` (with what changed; always when the last deploy failed) or `unchanged`.
 */
export function compareWithDeployed(manifest: ServiceManifest, deployed: DeployRecord | undefined): DeployedComparison {
  if (!deployed) return { status: 'new', artifacts: [] };
  if (deployed.status !== 'deployed') {
    const reason = notDeployedReason(deployed);
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
