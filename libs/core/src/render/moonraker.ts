/**
 * Moonraker's configuration (moonraker.conf), the API server in front of Klipper that Mainsail
 * talks to. Only what a reverse-proxied printer host needs: listen address, who may call the API
 * without logging in (the host itself, where nginx proxies to Moonraker, and the reverse proxy),
 * the browser origins allowed, history, and updates for Moonraker and Mainsail. The printer's own
 * configuration (printer.cfg) is specific to each printer and is not rendered here.
 */
export interface MoonrakerOptions {
  /** Addresses or CIDRs trusted without a login. Loopback is always trusted. */
  readonly trustedClients: readonly string[];
  /** Browser origins allowed to call the API, e.g. `https://printer.example.org`. */
  readonly corsDomains: readonly string[];
  /** @default 7125 */
  readonly port?: number;
  /** Where Mainsail is installed, for the update manager. @default "~/mainsail" */
  readonly mainsailPath?: string;
  /** Comment lines at the top of the file. @default - none */
  readonly header?: readonly string[];
}

export const MOONRAKER_PORT = 7125;
const LOOPBACK = ['127.0.0.0/8', '::1/128'];

function section(name: string, entries: readonly (readonly [string, string | readonly string[]])[]): string {
  const lines = entries.map(([k, v]) => (typeof v === 'string' ? `${k}: ${v}` : `${k}:\n${v.map((x) => `    ${x}`).join('\n')}`));
  return [`[${name}]`, ...lines].join('\n');
}

export function moonrakerConfig(o: MoonrakerOptions): string {
  const trusted = [...new Set([...LOOPBACK, ...o.trustedClients])];
  const sections = [
    section('server', [['host', '0.0.0.0'], ['port', String(o.port ?? MOONRAKER_PORT)]]),
    section('authorization', [['trusted_clients', trusted], ['cors_domains', [...new Set(o.corsDomains)].sort()]]),
    section('history', []),
    section('update_manager', [['channel', 'stable'], ['refresh_interval', '168']]),
    section('update_manager mainsail', [['type', 'web'], ['channel', 'stable'], ['repo', 'mainsail-crew/mainsail'], ['path', o.mainsailPath ?? '~/mainsail']]),
  ];
  const header = (o.header ?? []).map((l) => `# ${l}`);
  return `${[...header, ...(header.length ? [''] : []), sections.join('\n\n')].join('\n')}\n`;
}
