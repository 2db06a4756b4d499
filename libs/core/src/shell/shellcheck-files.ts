/**
 * Shellcheck over script files as they are in the repository (`packages/<service>/scripts/*.sh`,
 * the prelude), the same way validate checks the rendered ones: `shellcheck -S warning -f gcc`,
 * warnings and errors reported, info and style notes not. A script's source is checked as a file
 * so a finding names the file and line a developer edits, not a line of a rendered copy.
 */
import { spawnSync } from 'node:child_process';

export interface ShellcheckFinding {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly level: 'error' | 'warning' | 'note' | 'info' | 'style';
  /** `SC2164`. */
  readonly code: string;
  readonly message: string;
}

/** `files/x.sh:3:1: warning: Use 'cd ... || exit' ... [SC2164]` */
const GCC = /^(.+?):(\d+):(\d+): (error|warning|note|info|style): (.*?) \[(SC\d+)\]$/;

/** One line of `shellcheck -f gcc` output, or undefined for anything else. */
export function parseShellcheckLine(line: string): ShellcheckFinding | undefined {
  const m = GCC.exec(line.trimEnd());
  if (!m) return undefined;
  return { file: m[1]!, line: Number(m[2]), column: Number(m[3]), level: m[4] as ShellcheckFinding['level'], code: m[6]!, message: m[5]! };
}

/** Thrown when shellcheck cannot be run or exits in a way that is not "findings" (exit 0 or 1). */
export class ShellcheckRunError extends Error {
  override readonly name = 'ShellcheckRunError';
}

/** Runs the real shellcheck over `files` (paths as given, relative to `cwd`) and returns its findings. */
export function shellcheckFiles(files: readonly string[], options: { cwd?: string; shellcheck?: string } = {}): ShellcheckFinding[] {
  if (files.length === 0) return [];
  const tool = options.shellcheck ?? 'shellcheck';
  const run = spawnSync(tool, ['-S', 'warning', '-f', 'gcc', ...files], { cwd: options.cwd, encoding: 'utf8' });
  if (run.error) throw new ShellcheckRunError(`cannot run ${tool}: ${run.error.message}. Install it (Debian package shellcheck).`);
  const findings = run.stdout.split('\n').map(parseShellcheckLine).filter((f): f is ShellcheckFinding => f !== undefined);
  if ((run.status !== 0 && run.status !== 1) || (run.status === 1 && findings.length === 0)) {
    throw new ShellcheckRunError(`${tool} ${files.join(' ')} exited ${run.status ?? run.signal}: ${run.stderr.trim() || run.stdout.trim()}`);
  }
  return findings;
}
