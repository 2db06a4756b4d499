/**
 * Runs one offline validator process. There is one execa wrapper in the project,
 * deploy/run-tool.ts: this file only adapts it for validation (a `ToolCall` with no service
 * step semantics, no streaming, a timeout, a bounded pool shared by every check of one run and a
 * fixed environment), and never throws for a tool that fails: the exit is data the checks read.
 */
import { availableParallelism } from 'node:os';
import { createExecaSpawner, type ToolCall, type ToolExit, type ToolSpawner } from '../../process/run-tool.ts';

export interface ValidatorCommand {
  /** What runs, for messages and the summary: `promtool check rules`. */
  readonly label: string;
  /** Absolute path of the executable. */
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /** Added to the base environment (see `baseEnv`). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface ValidatorRunner {
  /**
   * Runs the command when a slot of the pool is free; a higher `priority` goes first (the long
   * runs, so that the short ones fill the other slots meanwhile). Never rejects for a tool failure.
   */
  run(command: ValidatorCommand, priority?: number): Promise<ToolExit>;
  /** Processes started so far (for measurements). */
  readonly started: number;
}

export interface ValidatorRunnerOptions {
  /** Tool processes running at once. @default os.availableParallelism() */
  readonly concurrency?: number;
  /** @default 180000 */
  readonly timeoutMs?: number;
  /** The process boundary. @default an execa spawner from deploy/run-tool.ts with short grace periods */
  readonly spawner?: ToolSpawner;
  /** The environment tools start from. @default baseEnv(process.env) */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Told when a process starts and when it ends (progress display). */
  readonly onProcess?: (label: string, state: 'start' | 'end') => void;
}

export const DEFAULT_TIMEOUT_MS = 180_000;

/**
 * Validators see only what they need: PATH (to find their helpers), HOME, a C.UTF-8 locale (so
 * messages are English and stable) and no colour. Nothing else of the caller's environment, so
 * a developer's TF_* or ANSIBLE_* settings cannot change a verdict.
 */
export function baseEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = { LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', NO_COLOR: '1', TERM: 'dumb' };
  for (const name of ['PATH', 'HOME'] as const) {
    const value = env[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/**
 * A counting semaphore: at most `limit` functions run at once; the others wait, highest
 * `priority` first, then in order of arrival.
 */
export function createLimiter(limit: number): <T>(fn: () => Promise<T>, priority?: number) => Promise<T> {
  const max = Math.max(1, Math.floor(limit));
  let active = 0;
  let arrivals = 0;
  const waiting: { priority: number; order: number; start: () => void }[] = [];
  return async <T>(fn: () => Promise<T>, priority = 0): Promise<T> => {
    if (active >= max) {
      await new Promise<void>((start) => {
        waiting.push({ priority, order: arrivals++, start });
        waiting.sort((a, b) => b.priority - a.priority || a.order - b.order);
      });
    }
    active++;
    try {
      return await fn();
    } finally {
      active--;
      waiting.shift()?.start();
    }
  };
}

// SIGINT first (what a terminal would send), SIGTERM and SIGKILL soon after: nothing to save.
const validatorSpawner = createExecaSpawner({ graceMs: 2_000, killAfterMs: 2_000 });

export function createValidatorRunner(options: ValidatorRunnerOptions = {}): ValidatorRunner {
  const limit = createLimiter(options.concurrency ?? availableParallelism());
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const spawner = options.spawner ?? validatorSpawner;
  const env = options.env ? { ...options.env } : baseEnv(process.env);
  let started = 0;
  return {
    get started() {
      return started;
    },
    run: (command, priority = 0) => limit(async () => {
      started++;
      options.onProcess?.(command.label, 'start');
      try {
        const call: ToolCall = {
          // run-tool's ToolCall is shaped for deploy; validation is the closest thing to preflight.
          service: 'validate',
          step: 'preflight',
          label: command.label,
          file: command.file,
          args: command.args,
          cwd: command.cwd,
          setEnv: { ...command.env },
          readsEnv: [],
          mutates: false,
          stream: false,
        };
        const timeout = AbortSignal.timeout(timeoutMs);
        const exit = await spawner(call, { env, signal: timeout });
        return exit.interrupted && timeout.aborted ? { ...exit, spawnError: exit.spawnError ?? `timed out after ${timeoutMs >= 10_000 ? Math.round(timeoutMs / 1000) : timeoutMs / 1000} s` } : exit;
      } finally {
        options.onProcess?.(command.label, 'end');
      }
    }, priority),
  };
}

// ---------------------------------------------------------------------------------------------
// Reading what a tool said.

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]|\u001b\]8;[^\u0007\u001b]*(?:\u0007|\u001b\\)/g;
/** Terraform's diagnostic frame (`│ Error: ...`); indentation inside it is kept. */
const FRAME = /^[│╷╵] ?/;

/** The tool's output as lines: colour codes and Terraform's box frame removed, blank lines dropped. */
export function outputLines(text: string): string[] {
  return text.replace(ANSI, '').split(/\r?\n/).map((l) => l.replace(FRAME, '').trimEnd()).filter((l) => l.trim() !== '');
}

/**
 * The tool's own message, trimmed for a problem: the given lines (stderr, then stdout), at most
 * `maxLines` of them, continuation lines indented under the problem's message line.
 */
export function toolMessage(lines: readonly string[], maxLines = 15): string {
  const shown = lines.slice(0, maxLines);
  const more = lines.length > shown.length ? [`(${lines.length - shown.length} more lines)`] : [];
  return [...shown, ...more].map((l, i) => (i === 0 ? l : `\n        ${l}`)).join('');
}

/** Why a process did not give a verdict (could not start, timed out, killed), or undefined. */
export function abnormalExit(exit: ToolExit): string | undefined {
  if (exit.spawnError) return `could not run (${exit.spawnError})`;
  if (exit.signal) return `was killed by ${exit.signal}`;
  if (exit.exitCode === undefined) return 'ended without an exit code';
  return undefined;
}
