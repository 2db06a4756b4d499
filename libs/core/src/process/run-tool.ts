/**
 * The one wrapper around execa for every external tool deploy runs (tofu or terraform,
 * ansible-playbook, talosctl, npx vitest, git). A failure names the service, the step, the
 * escaped command, the exit reason and the tail of the tool's stderr; `ToolError.short` is the
 * one-line form for summaries.
 *
 * The process boundary is injectable: `runTool(call, { spawner })` takes a fake that records
 * argv/cwd/env names and returns scripted results; the default is `execaSpawner`.
 *
 * Fleet's ssh/talosctl/nx runner (fleet/process-runner.ts: ToolCommand, ProcessRunner,
 * execaRunner) is a thin adapter over `createExecaSpawner`: execa is imported here only.
 */
import { execa } from 'execa';
import { shellCommand } from '../shell/quote.ts';

/** The steps of one service's deploy, in order. */
export type DeployStep = 'preflight' | 'infra' | 'config' | 'smoke' | 'record';

export type DeployEnv = Readonly<Record<string, string | undefined>>;

/**
 * One command to run. `Step` is deploy's step by default; other callers (fleet) pass
 * `ToolCall<string>` with a free-form label such as `pve1: apt-get dist-upgrade`.
 */
export interface ToolCall<Step extends string = DeployStep> {
  /** The service (package directory name) the command belongs to; the output prefix. */
  readonly service: string;
  readonly step: Step;
  /** What the command does, for messages: `terraform apply`. */
  readonly label: string;
  /** Executable: an absolute path once preflight has resolved it. */
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /** Variables homelab sets for this command. Values never reach output: only the names. */
  readonly setEnv: Readonly<Record<string, string>>;
  /** Variables the tool reads from the deploy environment (names only, shown by --dry-run). */
  readonly readsEnv: readonly string[];
  /** Changes something outside this machine (apply, playbook, smoke after them). */
  readonly mutates: boolean;
  /**
   * Print the tool's output line by line with the `[service]` prefix.
   * @default true
   */
  readonly stream?: boolean;
  /**
   * Exit codes that mean success: `plan -detailed-exitcode` exits 2 when there are changes.
   * @default [0]
   */
  readonly successCodes?: readonly number[];
}

export interface ToolExit {
  /** Undefined when the process did not exit by itself (signal) or could not start. */
  readonly exitCode?: number;
  /** The signal that ended the process, e.g. `SIGINT`. */
  readonly signal?: string;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
  /** Why the process could not start (`ENOENT`, `EACCES`). */
  readonly spawnError?: string;
  /** homelab interrupted it (Ctrl-C / SIGTERM forwarded). */
  readonly interrupted?: boolean;
}

export interface SpawnOptions {
  /** The deploy environment; the tool gets it plus `command.setEnv`, nothing else. */
  readonly env: DeployEnv;
  readonly onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Aborted on the first Ctrl-C: the tool's process group gets SIGINT, then SIGTERM after `graceMs`. */
  readonly signal?: AbortSignal;
  /** Aborted on a second Ctrl-C: SIGTERM at once. */
  readonly forceSignal?: AbortSignal;
  /**
   * Told the tool's pid as soon as it started; it leads a process group of its own, so this is
   * also its process group id (deploy records it in the lock). Not called when it cannot start.
   */
  readonly onSpawn?: (pgid: number) => void;
}

/** The process boundary: starts one command and reports how it ended. Never throws for a tool failure. */
export type ToolSpawner = (command: ToolCall, options: SpawnOptions) => Promise<ToolExit>;

/** A spawner that takes a command with any step label; usable wherever a ToolSpawner is. */
export type AnyStepSpawner = (command: ToolCall<string>, options: SpawnOptions) => Promise<ToolExit>;

export interface RunToolOptions extends SpawnOptions {
  /** @default execaSpawner */
  readonly spawner?: ToolSpawner;
}

const STDERR_TAIL_LINES = 25;
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

/** The escaped command line, as a person would type it (and as a shell splits it back). */
export function formatCommand(command: Pick<ToolCall, 'file' | 'args'>): string {
  return shellCommand([command.file, ...command.args]);
}

/** Names only, sorted: `CHECKPOINT_DISABLE, TF_CLI_CONFIG_FILE (set); PROXMOX_VE_ENDPOINT (read)`. */
export function formatEnvNames(command: Pick<ToolCall, 'setEnv' | 'readsEnv'>): string {
  const set = Object.keys(command.setEnv).sort();
  const read = [...new Set(command.readsEnv)].sort();
  const parts = [set.length ? `${set.join(', ')} (set)` : '', read.length ? `${read.join(', ')} (read)` : ''].filter(Boolean);
  return parts.length ? parts.join('; ') : '(none)';
}

function exitReason(result: ToolExit): string {
  if (result.spawnError) return `could not start (${result.spawnError})`;
  if (result.interrupted) return `was interrupted${result.signal ? ` (ended by ${result.signal})` : result.exitCode !== undefined ? ` (exit code ${result.exitCode})` : ''}`;
  if (result.signal) return `was killed by ${result.signal}`;
  return `exited with code ${result.exitCode ?? '?'}`;
}

function stderrTail(stderr: string, lines = STDERR_TAIL_LINES): string[] {
  const all = stderr.replace(ANSI, '').split('\n').map((l) => l.trimEnd()).filter((l) => l.trim() !== '');
  return all.slice(-lines);
}

/** A tool that failed, was interrupted or could not start. */
export class ToolError extends Error {
  readonly service: string;
  readonly step: DeployStep;
  readonly commandLine: string;
  readonly reason: string;
  readonly interrupted: boolean;

  constructor(readonly command: ToolCall, readonly result: ToolExit) {
    const commandLine = formatCommand(command);
    const reason = exitReason(result);
    const tail = stderrTail(result.stderr);
    super([
      `${command.service}: ${command.step} failed: \`${commandLine}\` ${reason} (in ${command.cwd})`,
      ...(tail.length ? [`  stderr (last ${tail.length} line${tail.length === 1 ? '' : 's'}):`, ...tail.map((l) => `    ${l}`)] : ['  (no stderr)']),
    ].join('\n'));
    this.name = 'ToolError';
    this.service = command.service;
    this.step = command.step;
    this.commandLine = commandLine;
    this.reason = reason;
    this.interrupted = result.interrupted === true;
  }

  /** One line for summaries: `traefik: infra: terraform apply exited with code 1: Error: ...`. */
  get short(): string {
    const last = stderrTail(this.result.stderr, 1)[0];
    return `${this.service}: ${this.step}: ${this.command.label} ${this.reason}${last ? `: ${last.trim()}` : ''}`;
  }
}

function failed(command: ToolCall, result: ToolExit): boolean {
  if (result.spawnError !== undefined || result.interrupted === true || result.signal !== undefined) return true;
  return result.exitCode === undefined || !(command.successCodes ?? [0]).includes(result.exitCode);
}

/**
 * Runs one command through the runner and returns its result when it succeeded (exit code 0, or
 * one of its `successCodes`);
 * throws a ToolError otherwise. A command asked to start after an interrupt does not start.
 */
export async function runTool(command: ToolCall, options: RunToolOptions): Promise<ToolExit> {
  if (options.signal?.aborted) {
    throw new ToolError(command, { stdout: '', stderr: '', durationMs: 0, interrupted: true });
  }
  const spawner = options.spawner ?? execaSpawner;
  const result = await spawner(command, options);
  if (failed(command, result)) throw new ToolError(command, result);
  return result;
}

export interface ExecaSpawnerOptions {
  /**
   * After the SIGINT of an interrupt, how long the tool may take to stop before SIGTERM.
   * Terraform finishes in-flight operations and writes its state on SIGINT.
   * @default 30000
   */
  readonly graceMs?: number;
  /** After SIGTERM, how long before SIGKILL. @default 10000 */
  readonly killAfterMs?: number;
}

/**
 * The real process boundary. Each tool runs in a process group of its own (detached), so a
 * terminal's Ctrl-C reaches homelab only and the tool gets exactly one SIGINT, forwarded to its
 * whole group (ansible's workers, terraform's providers). Terraform exits at once, without
 * saving state, on a second SIGINT; this is why the tool must not get the terminal's as well.
 */
export function createExecaSpawner(options: ExecaSpawnerOptions = {}): AnyStepSpawner {
  const graceMs = options.graceMs ?? 30_000;
  const killAfterMs = options.killAfterMs ?? 10_000;
  return async (command, { env, onLine, signal, forceSignal, onSpawn }) => {
    const started = Date.now();
    const stream = command.stream !== false;
    const lineTap = (name: 'stdout' | 'stderr') => function* (line: unknown): Generator<unknown, void, void> {
      if (stream) onLine?.(String(line), name);
      yield line;
    };
    const fullEnv: Record<string, string> = {};
    for (const [k, v] of Object.entries(env)) if (v !== undefined) fullEnv[k] = v;
    Object.assign(fullEnv, command.setEnv);

    const subprocess = execa(command.file, [...command.args], {
      cwd: command.cwd,
      env: fullEnv,
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
      stdout: [lineTap('stdout')],
      stderr: [lineTap('stderr')],
      detached: true,
      forceKillAfterDelay: false,
      maxBuffer: 64 * 1024 * 1024,
    });

    if (subprocess.pid !== undefined) onSpawn?.(subprocess.pid);

    let interrupted = false;
    const timers: NodeJS.Timeout[] = [];
    const sendToGroup = (sig: NodeJS.Signals): void => {
      const pid = subprocess.pid;
      if (pid === undefined) return;
      try {
        process.kill(-pid, sig);
      } catch {
        try { subprocess.kill(sig); } catch { /* already gone */ }
      }
    };
    const terminate = (): void => {
      interrupted = true;
      sendToGroup('SIGTERM');
      timers.push(setTimeout(() => sendToGroup('SIGKILL'), killAfterMs).unref());
    };
    const interrupt = (): void => {
      interrupted = true;
      sendToGroup('SIGINT');
      timers.push(setTimeout(terminate, graceMs).unref());
    };
    // Once the tool itself has exited after an interrupt, whatever it left in its group (a
    // background child that ignores SIGINT, as `cmd &` in a script does) would hold the output
    // pipes open: end it, after a second for the rest of the group to handle the SIGINT itself.
    subprocess.once('exit', () => {
      if (interrupted) timers.push(setTimeout(() => sendToGroup('SIGTERM'), 1000).unref());
    });
    if (signal?.aborted) interrupt();
    else signal?.addEventListener('abort', interrupt, { once: true });
    if (forceSignal?.aborted) terminate();
    else forceSignal?.addEventListener('abort', terminate, { once: true });

    try {
      const result = await subprocess;
      const code = (result as { code?: unknown }).code;
      const spawnError = result.exitCode === undefined && result.signal === undefined && result.failed
        ? (typeof code === 'string' ? code : (result as { originalMessage?: string }).originalMessage ?? 'unknown error')
        : undefined;
      return {
        ...(result.exitCode === undefined ? {} : { exitCode: result.exitCode }),
        ...(result.signal === undefined ? {} : { signal: result.signal }),
        stdout: typeof result.stdout === 'string' ? result.stdout : '',
        stderr: typeof result.stderr === 'string' ? result.stderr : '',
        durationMs: Date.now() - started,
        ...(spawnError === undefined ? {} : { spawnError }),
        ...(interrupted ? { interrupted: true } : {}),
      };
    } finally {
      for (const t of timers) clearTimeout(t);
      signal?.removeEventListener('abort', interrupt);
      forceSignal?.removeEventListener('abort', terminate);
    }
  };
}

/** The default spawner: real processes through execa. */
export const execaSpawner: ToolSpawner = createExecaSpawner();
