/**
 * Carries out a group plan through the Proxmox API: wave after wave; inside a wave, up to
 * `parallel` guests at once; each action waits for its task (UPID) to end. A failure lets the
 * wave finish but starts no further wave, and the result says what was done, what failed and
 * what never started. An interrupt (`signal`: SIGINT, SIGTERM, SIGHUP) starts no further
 * action; the tasks already sent are no longer waited for (Proxmox carries them out anyway) and
 * the result names them.
 */
import type { PveClient } from '../pve/client.ts';
import type { GroupPlan, GuestAction } from './group-plan.ts';
import { InterruptedError, throwIfInterrupted } from './interrupt.ts';
import { mapLimit, type Progress } from './progress.ts';

export interface GroupRunOptions {
  /** Guests acted on at once inside a wave. @default 4 */
  readonly parallel?: number;
  /** Seconds a guest gets to shut down cleanly. @default 120 */
  readonly shutdownTimeoutSec?: number;
  /** Stop a guest hard once its shutdown timeout has passed. @default false */
  readonly force?: boolean;
  /** How long to wait for one task. @default shutdown timeout + 60 s */
  readonly taskTimeoutMs?: number;
  readonly progress: Progress;
  /** Aborted on SIGINT/SIGTERM/SIGHUP. */
  readonly signal?: AbortSignal;
}

export interface GroupRunResult {
  readonly done: readonly GuestAction[];
  readonly failed: readonly { readonly action: GuestAction; readonly message: string }[];
  readonly notStarted: readonly GuestAction[];
  /** The run was interrupted. */
  readonly interrupted: boolean;
  /** Tasks sent before the interrupt and not waited for: Proxmox may still be carrying them out. */
  readonly unfinished: readonly GuestAction[];
}

export function describeAction(a: GuestAction): string {
  return `${a.service} (${a.guest.type} ${a.guest.vmid} on ${a.node})`;
}

export async function runGroupPlan(plan: Extract<GroupPlan, { kind: 'plan' }>, client: PveClient, options: GroupRunOptions): Promise<GroupRunResult> {
  const { progress } = options;
  const shutdownTimeoutSec = options.shutdownTimeoutSec ?? 120;
  const taskTimeoutMs = options.taskTimeoutMs ?? (shutdownTimeoutSec + 60) * 1000;
  const done: GuestAction[] = [];
  const failed: { action: GuestAction; message: string }[] = [];
  const unfinished: GuestAction[] = [];
  const notStarted: GuestAction[] = [];
  const signal = options.signal;
  const interrupted = (): boolean => signal?.aborted === true;
  const verb = plan.op === 'stop' ? 'stopping' : 'starting';
  const stopBeat = progress.heartbeat();
  try {
    for (let i = 0; i < plan.waves.length; i++) {
      const wave = plan.waves[i]!;
      if (interrupted()) return { done, failed, notStarted: plan.waves.slice(i).flat(), interrupted: true, unfinished };
      const later = plan.waves.slice(i + 1).flat();
      progress.setWaiting(later.map((a) => a.service));
      progress.line(`wave ${i + 1}/${plan.waves.length}: ${verb} ${wave.map(describeAction).join(', ')}${later.length ? `; waiting: ${[...new Set(later.map((a) => a.service))].join(', ')}` : ''}`);
      await mapLimit(wave, options.parallel ?? 4, async (action) => {
        const label = `${plan.op} ${describeAction(action)}`;
        if (interrupted()) { notStarted.push(action); return; }
        progress.start(label);
        let sent = false;
        try {
          const { node, guest } = action;
          const upid = action.op === 'start'
            ? await client.start(node, guest.type, guest.vmid)
            : await client.shutdown(node, guest.type, guest.vmid, { timeoutSec: shutdownTimeoutSec, ...(options.force ? { forceStop: true } : {}) });
          sent = true;
          await client.waitForTask(node, upid, { timeoutMs: taskTimeoutMs, onPoll: () => throwIfInterrupted(signal, label) });
          done.push(action);
          progress.finish(label, true);
        } catch (error) {
          if (error instanceof InterruptedError || (interrupted() && sent)) {
            unfinished.push(action);
            progress.finish(label, false, 'interrupted: the task was sent and may still be running on the node');
            return;
          }
          const message = error instanceof Error ? error.message : String(error);
          failed.push({ action, message });
          progress.finish(label, false, message);
        }
      });
      if (failed.length || interrupted()) {
        return { done, failed, notStarted: [...notStarted, ...later], interrupted: interrupted(), unfinished };
      }
    }
    return { done, failed, notStarted, interrupted: interrupted(), unfinished };
  } finally {
    stopBeat();
  }
}
