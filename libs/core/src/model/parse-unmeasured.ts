/**
 * The hand-written shape check of the site's hardware facts (a disk's `device`, a device's `id`
 * and `path`): each is a measured string or `unmeasured('what it is; how to measure it')`. The
 * schema alone would say "invalid input" for a misspelt marker; this names the field, what was
 * wrong with the marker and the fix. parse-site.ts leaves these paths out of the schema report.
 */
import type { ProblemCollector } from './collector.ts';
import { formatPath, type ValuePath } from './schema-path.ts';
import { DISCOVER_COMMAND } from './unmeasured.ts';

export const INVALID_UNMEASURED = 'InvalidUnmeasured';

const FIX = `Write the measured value as a string, or unmeasured('what it is; how to measure it') from @homelab/core/model (\`${DISCOVER_COMMAND}\` reads the values from the cluster).`;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** What is wrong with a value that is not a string, or undefined when it is a sound marker. */
function fault(value: unknown): string | undefined {
  if (!isRecord(value)) return `must be the measured value (a string) or unmeasured('…'), not ${Array.isArray(value) ? 'a list' : typeof value}`;
  const keys = Object.keys(value);
  const extra = keys.filter((k) => k !== 'unmeasured');
  if (!keys.includes('unmeasured')) return `is an object without "unmeasured"${extra.length ? ` (it has ${extra.map((k) => `"${k}"`).join(', ')})` : ''}: an unmeasured input is { unmeasured: '<what it is and how to measure it>' }`;
  if (typeof value.unmeasured !== 'string' || value.unmeasured.trim() === '') return 'is unmeasured without saying what it is and how to measure it: "unmeasured" must be a non-empty string';
  if (extra.length) return `is unmeasured but also has ${extra.map((k) => `"${k}"`).join(', ')}: an unmeasured input has the one key "unmeasured"`;
  return undefined;
}

/**
 * Reports every malformed hardware fact of the site's nodes; returns their paths (the schema
 * report leaves them out, this said it better).
 */
export function reportMalformedUnmeasured(raw: Record<string, unknown>, out: ProblemCollector): string[] {
  const covered: string[] = [];
  const check = (at: ValuePath, value: unknown, node: string) => {
    if (value === undefined || typeof value === 'string') return;
    const why = fault(value);
    if (why === undefined) return;
    const path = formatPath(at);
    covered.push(path);
    out.report(path, INVALID_UNMEASURED, `${path} (node ${node}, ${String(at.at(-1))}) ${why}`, isRecord(value) ? Object.keys(value) : value, FIX);
  };
  const nodes = Array.isArray(raw.nodes) ? raw.nodes : [];
  nodes.forEach((node: unknown, n) => {
    if (!isRecord(node)) return;
    const name = typeof node.name === 'string' ? node.name : `#${n}`;
    if (Array.isArray(node.disks)) node.disks.forEach((d: unknown, i) => { if (isRecord(d)) check(['nodes', n, 'disks', i, 'device'], d.device, name); });
    if (isRecord(node.devices)) {
      for (const [dev, d] of Object.entries(node.devices)) {
        if (!isRecord(d)) continue;
        // A missing id is the schema's "required" problem; only a present non-string is ours.
        check(['nodes', n, 'devices', dev, 'id'], d.id, name);
        check(['nodes', n, 'devices', dev, 'path'], d.path, name);
      }
    }
  });
  return covered;
}
