/**
 * Docker Compose files. A typed subset of the Compose specification, enough for our stacks;
 * validated against the compose-spec schemas after synthesis.
 */
export interface ComposeService {
  readonly image: string;
  readonly container_name?: string;
  readonly restart?: 'no' | 'always' | 'on-failure' | 'unless-stopped';
  readonly command?: string | readonly string[];
  readonly environment?: Readonly<Record<string, string | number | boolean>>;
  readonly env_file?: readonly string[];
  readonly ports?: readonly string[];
  readonly volumes?: readonly string[];
  readonly depends_on?: readonly string[] | Readonly<Record<string, { condition: 'service_started' | 'service_healthy' | 'service_completed_successfully' }>>;
  readonly network_mode?: string;
  readonly networks?: readonly string[];
  readonly devices?: readonly string[];
  readonly cap_add?: readonly string[];
  readonly group_add?: readonly string[];
  readonly healthcheck?: { readonly test: readonly string[]; readonly interval?: string; readonly timeout?: string; readonly retries?: number; readonly start_period?: string };
  readonly user?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly sysctls?: Readonly<Record<string, string | number>>;
  readonly logging?: { readonly driver: string; readonly options?: Readonly<Record<string, string>> };
  /** Compose profiles: a service with a profile is not started by a plain `docker compose up`. @default - always started */
  readonly profiles?: readonly string[];
}

export interface ComposeFile {
  readonly name: string;
  readonly services: Readonly<Record<string, ComposeService>>;
  readonly volumes?: Readonly<Record<string, Record<string, unknown>>>;
  readonly networks?: Readonly<Record<string, Record<string, unknown>>>;
}

const DEFAULT_LOGGING = { driver: 'json-file', options: { 'max-size': '10m', 'max-file': '3' } } as const;

/** Fills the defaults every service of ours gets: restart policy and bounded logs. */
export function composeFile(file: ComposeFile): Record<string, unknown> {
  const services = Object.fromEntries(Object.entries(file.services).map(([name, s]) => [name, {
    restart: 'unless-stopped',
    logging: DEFAULT_LOGGING,
    ...s,
  }]));
  return { name: file.name, services, ...(file.volumes ? { volumes: file.volumes } : {}), ...(file.networks ? { networks: file.networks } : {}) };
}

/** Where a stack lives on its host: compose file and its .env side by side. */
export function stackDir(name: string): string {
  return `/opt/stacks/${name}`;
}
