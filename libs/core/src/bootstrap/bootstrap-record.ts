/**
 * What bootstrap has done so far, in the state directory (`bootstrap/record.json`, 0600,
 * written atomically like the deploy records): each phase's last outcome, and the manual checks
 * the operator confirmed (so `--confirm` is given once, not on every rerun). A rerun reads it to
 * say where the last run stopped; every phase still verifies the live state itself.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensurePrivateDir, writePrivateFile } from '../deploy/private-files.ts';
import type { BootstrapBlocker, PhaseId } from './phase.ts';

export const BOOTSTRAP_RECORD_SCHEMA = 1;

export type PhaseStatus = 'in-progress' | 'done' | 'blocked' | 'failed' | 'interrupted';

export interface PhaseRecord {
  readonly status: PhaseStatus;
  readonly at: string;
  readonly changed: readonly string[];
  readonly blockers: readonly BootstrapBlocker[];
  readonly error?: string;
}

export interface BootstrapRecord {
  readonly schema: typeof BOOTSTRAP_RECORD_SCHEMA;
  readonly site: string;
  readonly phases: Readonly<Partial<Record<PhaseId, PhaseRecord>>>;
  /** Manual check → when the operator confirmed it. */
  readonly confirmed: Readonly<Record<string, string>>;
}

export const bootstrapRecordFile = (stateDir: string): string => join(stateDir, 'bootstrap', 'record.json');

export function emptyRecord(site: string): BootstrapRecord {
  return { schema: BOOTSTRAP_RECORD_SCHEMA, site, phases: {}, confirmed: {} };
}

export class BootstrapRecordBrokenError extends Error {
  constructor(readonly file: string, reason: string) {
    super(`${file}: the bootstrap record cannot be read (${reason}). Move it aside to start the record afresh; every phase verifies the live state anyway.`);
    this.name = 'BootstrapRecordBrokenError';
  }
}

export async function readBootstrapRecord(stateDir: string, site: string): Promise<BootstrapRecord> {
  const file = bootstrapRecordFile(stateDir);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyRecord(site);
    throw new BootstrapRecordBrokenError(file, (error as NodeJS.ErrnoException).code ?? String(error));
  }
  let data: Partial<BootstrapRecord>;
  try {
    data = JSON.parse(text) as Partial<BootstrapRecord>;
  } catch {
    throw new BootstrapRecordBrokenError(file, 'not JSON');
  }
  if (data.schema !== BOOTSTRAP_RECORD_SCHEMA || typeof data.phases !== 'object' || typeof data.confirmed !== 'object') {
    throw new BootstrapRecordBrokenError(file, `not a schema ${BOOTSTRAP_RECORD_SCHEMA} bootstrap record`);
  }
  if (data.site !== site) throw new BootstrapRecordBrokenError(file, `it belongs to site ${JSON.stringify(data.site)}, not ${JSON.stringify(site)}; use another HOMELAB_STATE_DIR per site`);
  return data as BootstrapRecord;
}

export async function writeBootstrapRecord(stateDir: string, record: BootstrapRecord): Promise<void> {
  await ensurePrivateDir(join(stateDir, 'bootstrap'));
  await writePrivateFile(bootstrapRecordFile(stateDir), `${JSON.stringify(record, null, 2)}\n`);
}
