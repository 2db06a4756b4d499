/**
 * The one way fleet operations run a tool (ssh, talosctl, nx): an argv, never a shell string
 * built here. Injectable, so tests assert the exact argv and script the answers. Failures say
 * which step, the escaped command, the exit reason and the tool's stderr.
 *
 * The real runner is a thin adapter over deploy/run-tool.ts (`createExecaSpawner`), the one
 * wrapper around execa (STYLE.md #14); commands are shown with its `formatCommand`.
 */
import { existsSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { createExecaSpawner, formatCommand, type AnyStepSpawner } from '../process/run-tool.ts';
import { InterruptedError, throwIfInterrupted } from './interrupt.ts';

export interface ToolCommand {
  /** The program, looked up on PATH. */
  readonly file: string;
  readonly args: readonly string[];
  /** What this command does, for progress and errors ("pve1: apt-get dist-upgrade"). */
  readonly step: string;
  /** Extra environment. @default - none */
  readonly env?: Readonly<Record<string, string>>;
  /** Kill the tool after this long. @default - no limit */
  readonly timeoutMs?: number;
}

export interface ToolResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** How a run may be stopped from outside (the command's signal handlers). */
export interface RunSignals {
  /** Aborted on the first SIGINT/SIGTERM/SIGHUP: the tool's process group gets SIGINT (then SIGTERM). */
  readonly signal?: AbortSignal;
  /** Aborted on a second one: SIGTERM at once. */
  readonly forceSignal?: AbortSignal;
}

/** Runs a command to its end; resolves with any exit code; rejects only when it could not run or was interrupted. */
export type ProcessRunner = (cmd: ToolCommand, signals?: RunSignals) => Promise<ToolResult>;

/** The program is not installed (or not on PATH). */
export class ToolNotFoundError extends Error {
  readonly code = 'ToolNotFound';
  constructor(readonly tool: string, readonly step: string) {
    super(`${step}: ${tool} is not installed or not on PATH. ${installHint(tool)}`);
    this.name = 'ToolNotFoundError';
  }
}

/** The program ran and failed (non-zero exit, signal or timeout). */
export class ToolFailedError extends Error {
  readonly code = 'ToolFailed';
  constructor(readonly cmd: ToolCommand, readonly result: ToolResult, readonly reason = `exit code ${result.exitCode}`) {
    const stderr = result.stderr.trim().split('\n').slice(-10).join('\n');
    super(`${cmd.step}: ${formatCommand(cmd)} failed with ${reason}${stderr ? `:\n${stderr}` : ''}`);
    this.name = 'ToolFailedError';
  }

  /** One line, for summaries. */
  get shortMessage(): string {
    const last = this.result.stderr.trim().split('\n').at(-1) ?? '';
    return `${this.cmd.step}: ${this.reason}${last ? ` (${last})` : ''}`;
  }
}

const HINTS: Readonly<Record<string, string>> = {
  ssh: 'Install an OpenSSH client (apt-get install openssh-client).',
  talosctl: 'Install talosctl (https://www.talos.dev/latest/talos-guides/install/talosctl/) and put it on PATH.',
  nx: 'Run npm ci in the workspace root.',
};

function installHint(tool: string): string {
  return HINTS[tool] ?? `Install ${tool} and put it on PATH.`;
}

/** The full path of a program on PATH, or undefined. */
export function findOnPath(tool: string, path: string | undefined = process.env.PATH): string | undefined {
  if (tool.includes('/')) return existsSync(tool) ? tool : undefined;
  for (const dir of (path ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, tool);
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * The real runner: run-tool's execa spawner (no shell, stdin closed, output captured, not
 * streamed). A timeout ends the tool's process group (SIGTERM, then SIGKILL).
 */
export function execaRunner(
  baseEnv: Readonly<Record<string, string | undefined>> = process.env,
  spawner: AnyStepSpawner = createExecaSpawner({ killAfterMs: 5_000 }),
): ProcessRunner {
  return async (cmd, signals = {}) => {
    throwIfInterrupted(signals.signal, cmd.step);
    const timeout = cmd.timeoutMs ? AbortSignal.timeout(cmd.timeoutMs) : undefined;
    const force = [timeout, signals.forceSignal].filter((s): s is AbortSignal => s !== undefined);
    const result = await spawner(
      { service: '', step: cmd.step, label: cmd.step, file: cmd.file, args: cmd.args, cwd: process.cwd(), setEnv: { ...cmd.env }, readsEnv: [], mutates: false, stream: false },
      { env: baseEnv, ...(signals.signal ? { signal: signals.signal } : {}), ...(force.length ? { forceSignal: force.length === 1 ? force[0]! : AbortSignal.any(force) } : {}) },
    );
    if (result.spawnError === 'ENOENT') throw new ToolNotFoundError(cmd.file, cmd.step);
    const { stdout, stderr } = result;
    if (result.interrupted && signals.signal?.aborted) throw new InterruptedError(cmd.step);
    if (result.interrupted && timeout?.aborted) throw new ToolFailedError(cmd, { exitCode: -1, stdout, stderr }, `a timeout after ${cmd.timeoutMs} ms`);
    if (result.exitCode === undefined) {
      throw new ToolFailedError(cmd, { exitCode: -1, stdout, stderr }, result.signal ? `signal ${result.signal}` : `could not start (${result.spawnError ?? 'unknown error'})`);
    }
    return { exitCode: result.exitCode, stdout, stderr };
  };
}

/** Runs and throws ToolFailedError unless the exit code is one of `ok`. */
export async function runChecked(runner: ProcessRunner, cmd: ToolCommand, ok: readonly number[] = [0], signals: RunSignals = {}): Promise<ToolResult> {
  throwIfInterrupted(signals.signal, cmd.step);
  const result = await runner(cmd, signals);
  throwIfInterrupted(signals.signal, cmd.step);
  if (!ok.includes(result.exitCode)) throw new ToolFailedError(cmd, result);
  return result;
}
