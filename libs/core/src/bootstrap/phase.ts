/**
 * The shape every bootstrap phase has. A phase first inspects the live state (read-only), then
 * does only what is missing, then verifies; so a rerun after an interruption, or on a homelab
 * that is already up, finds nothing to do. `describe` is what `bootstrap --dry-run` prints: the
 * full sequence as if nothing were done yet, built from the model alone, so it needs no cluster.
 */
import type { Homelab } from '../model/homelab.ts';
import type { Site } from '../model/site.ts';
import type { DeployEnv } from '../process/run-tool.ts';
import type { ProcessRunner, RunSignals, ToolCommand } from '../fleet/process-runner.ts';
import type { HttpTransport, MqttProbe } from './appliance-http.ts';

export type PhaseId = 'preconditions' | 'cluster' | 'bridges' | 'ceph-packages' | 'admin-token' | 'access' | 'services' | 'truenas-first-run' | 'home-assistant-first-run' | 'appliance-consumers' | 'readiness';

/** One line of the dry-run sequence: a command to run, or a check that only reads. */
export interface PlannedStep {
  readonly what: string;
  /** The argv, when the step is a command on a node. */
  readonly command?: ToolCommand;
  /** Physically manual: bootstrap verifies it, a person does it. */
  readonly manual?: boolean;
  /** Changes something (a dry run never runs it). */
  readonly mutates: boolean;
}

/** Something a phase cannot get past on its own: what is wrong and how to fix it. */
export interface BootstrapBlocker {
  /** The named check, e.g. `pve-installed:pve2`. */
  readonly check: string;
  readonly message: string;
  readonly fix: string;
}

export interface PhaseResult {
  /** What the phase changed; empty when there was nothing to do. */
  readonly changed: readonly string[];
  /** What it verified. */
  readonly verified: readonly string[];
  readonly blockers: readonly BootstrapBlocker[];
}

/**
 * Deploys services through the deploy runner (synth, validate, preflight, locks, records);
 * `infraOnly`: their Terraform stacks alone (deploy --infra-only).
 */
export type DeployServicesFn = (services: readonly string[], env: DeployEnv, options?: { readonly infraOnly?: boolean }) => Promise<{ readonly exitCode: number; readonly changed: readonly string[] }>;

export interface BootstrapContext {
  readonly site: Site;
  readonly home: Homelab;
  readonly env: DeployEnv;
  readonly stateDir: string;
  readonly runner: ProcessRunner;
  readonly signals?: RunSignals;
  readonly out: (line: string) => void;
  /** The user bootstrap logs in as on the nodes and the Pis. */
  readonly sshUser: string;
  /** Manual checks the operator confirmed on this run (`--confirm <check>`). */
  readonly confirmed: ReadonlySet<string>;
  /** Manual checks confirmed on an earlier run (from the record). */
  readonly confirmedBefore: ReadonlySet<string>;
  readonly resolveNs: (domain: string) => Promise<readonly string[]>;
  readonly deploy: DeployServicesFn;
  readonly sleep: (ms: number) => Promise<void>;
  /** Attempts and pause of the readiness waits. */
  readonly wait: { readonly attempts: number; readonly pauseMs: number };
  /** The appliances' own APIs (TrueNAS, Home Assistant). @default nodeHttp */
  readonly http?: HttpTransport;
  /** The MQTT broker's CONNECT answer. @default nodeMqttProbe */
  readonly mqtt?: MqttProbe;
}

export interface BootstrapPhase {
  readonly id: PhaseId;
  readonly title: string;
  describe(ctx: Pick<BootstrapContext, 'site' | 'home' | 'sshUser'>): readonly PlannedStep[];
  run(ctx: BootstrapContext): Promise<PhaseResult>;
}

export const NOTHING: PhaseResult = { changed: [], verified: [], blockers: [] };
