/**
 * systemd unit files (INI-like): sections in the conventional order, a key per line, list values
 * as repeated keys (Environment=, ExecStartPre=). A unit with an [Install] section under
 * /etc/systemd/system is enabled and started by deploy (see ansible.ts).
 */

export type UnitValue = string | number | boolean | readonly (string | number)[];

export interface SystemdUnit {
  readonly Unit?: Readonly<Record<string, UnitValue>>;
  readonly Service?: Readonly<Record<string, UnitValue>>;
  readonly Mount?: Readonly<Record<string, UnitValue>>;
  readonly Automount?: Readonly<Record<string, UnitValue>>;
  readonly Timer?: Readonly<Record<string, UnitValue>>;
  readonly Socket?: Readonly<Record<string, UnitValue>>;
  readonly Install?: Readonly<Record<string, UnitValue>>;
}

const ORDER = ['Unit', 'Service', 'Mount', 'Automount', 'Timer', 'Socket', 'Install'] as const;

function scalar(v: string | number | boolean): string {
  return typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v);
}

export function systemdUnit(unit: SystemdUnit, header: readonly string[] = []): string {
  const lines: string[] = header.map((l) => `# ${l}`);
  for (const section of ORDER) {
    const body = unit[section];
    if (!body) continue;
    if (lines.length) lines.push('');
    lines.push(`[${section}]`);
    for (const [key, value] of Object.entries(body)) {
      const values = Array.isArray(value) ? value : [value as string | number | boolean];
      for (const v of values) lines.push(`${key}=${scalar(v)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** One `Environment=` value, quoted as systemd expects when it holds spaces or quotes. */
export function systemdEnvironment(vars: Readonly<Record<string, string>>): string[] {
  return Object.entries(vars).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => (/[\s"\\]/.test(v) ? `"${k}=${v.replace(/["\\]/g, '\\$&')}"` : `${k}=${v}`));
}
