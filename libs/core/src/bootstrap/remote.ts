/**
 * Commands on the nodes and the Pis, over the operator's SSH key (the same argv shape as patch:
 * fleet/patch-plan.ts `ssh`). Bootstrap reads Proxmox state with `pvesh ... --output-format
 * json` on a node before any API token exists: pvesh answers as root with exactly what the API
 * would return.
 */
import { ssh } from '../fleet/patch-plan.ts';
import { ToolFailedError, runChecked, type ToolCommand, type ToolResult } from '../fleet/process-runner.ts';
import type { BootstrapContext } from './phase.ts';

export interface Host {
  readonly name: string;
  readonly ip: string;
}

/** ssh answers 255 when it could not log in or reach the host at all. */
export const SSH_UNREACHABLE = 255;

export function onHost(ctx: Pick<BootstrapContext, 'sshUser'>, host: Host, remote: readonly string[], what: string): ToolCommand {
  return ssh(ctx.sshUser, host.ip, remote, `${host.name}: ${what}`);
}

export const pveshGet = (path: string): string[] => ['pvesh', 'get', path, '--output-format', 'json'];

export async function run(ctx: Pick<BootstrapContext, 'runner' | 'signals'>, cmd: ToolCommand): Promise<ToolResult> {
  return ctx.runner(cmd, ctx.signals);
}

/** Runs the command; a non-zero exit is a ToolFailedError naming the step (the fleet's runChecked). */
export function runOk(ctx: Pick<BootstrapContext, 'runner' | 'signals'>, cmd: ToolCommand): Promise<ToolResult> {
  return runChecked(ctx.runner, cmd, [0], ctx.signals ?? {});
}

/** The command's stdout as JSON; output that is not JSON fails naming the step. */
export async function runJson<T>(ctx: Pick<BootstrapContext, 'runner' | 'signals'>, cmd: ToolCommand): Promise<T> {
  const result = await runOk(ctx, cmd);
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new ToolFailedError(cmd, result, `output that is not JSON (${result.stdout.trim().slice(0, 80) || 'empty'})`);
  }
}

export const lastLine = (text: string): string => text.trim().split('\n').at(-1) ?? '';
