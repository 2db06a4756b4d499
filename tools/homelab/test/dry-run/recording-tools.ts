/**
 * Stand-ins for every tool a deploy changes things with, first on PATH: each appends its name,
 * working directory and argv to one log and succeeds (a Terraform plan reports changes, an
 * output prints a dummy token), so a run that should change nothing can be
 * checked for having called nothing that would.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';

/** The deploy's tools (both Terraform flavours), plus ssh and npx (smoke tests). */
export const RECORDED_TOOLS = ['tofu', 'terraform', 'ansible-playbook', 'talosctl', 'ssh', 'npx'] as const;

export interface ToolCall {
  readonly tool: string;
  readonly cwd: string;
  readonly args: readonly string[];
}

function shQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/** Writes the stand-ins into `dir` (created); they log to `log`. */
export function writeRecordingTools(dir: string, log: string): void {
  mkdirSync(dir, { recursive: true });
  for (const tool of RECORDED_TOOLS) {
    const file = join(dir, tool);
    writeFileSync(file, [
      '#!/bin/sh',
      // One line per call, tab-separated: tool, cwd, then each argument.
      `{ printf '%s\\t%s' ${shQuote(tool)} "$PWD"; for a in "$@"; do printf '\\t%s' "$a"; done; printf '\\n'; } >> ${shQuote(log)}`,
      // `plan -detailed-exitcode` says "there are changes", so a real deploy goes on to apply.
      'for a in "$@"; do [ "$a" = -detailed-exitcode ] && exit 2; done',
      // The hypervisor stack's token output, which deploy reads after its apply (a dummy, not a secret).
      '[ "$1" = output ] && { printf %s "terraform@pve!homelab=dummy-not-a-secret"; exit 0; }',
      'exit 0',
      '',
    ].join('\n'));
    chmodSync(file, 0o755);
  }
}

export function readToolCalls(log: string): ToolCall[] {
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8').split('\n').filter(Boolean).map((line) => {
    const [tool = '', cwd = '', ...args] = line.split('\t');
    return { tool, cwd, args };
  });
}

const OFFLINE_TF_VERBS = new Set(['init', 'providers', 'validate', 'version', 'fmt']);

/**
 * Whether a call is one of validate's offline checks: terraform in a scratch copy of dist/ under
 * the temp directory (init without providers, providers, validate), or an ansible syntax check.
 * Everything else a dry run must not call at all.
 */
export function isOfflineCheck(call: ToolCall): boolean {
  if (call.tool === 'ansible-playbook') return call.args.includes('--syntax-check');
  if (call.tool !== 'terraform' && call.tool !== 'tofu') return false;
  return call.cwd.includes(`${sep}homelab-validate-`) && OFFLINE_TF_VERBS.has(call.args[0] ?? '');
}

/** The calls that are not offline checks, one readable line each (for a failure message). */
export function changingCalls(log: string): string[] {
  return readToolCalls(log).filter((c) => !isOfflineCheck(c)).map((c) => `${c.tool} ${c.args.join(' ')} (in ${c.cwd})`);
}
