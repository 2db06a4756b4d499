/**
 * Whether a process, or any process of a process group, still runs on this host.
 *
 * Signal 0 alone also answers "yes" for a zombie: a process that has exited but whose parent has
 * not reaped it. A deploy killed with SIGKILL leaves its tool's group reparented; where nothing
 * reaps promptly (a container whose PID 1 is not an init), those zombies would keep a lock
 * "orphaned" forever. So where `/proc` exists, a process counts only if its state is not `Z`
 * (or `X`, dead); elsewhere signal 0 is the answer.
 */
import { readdirSync, readFileSync } from 'node:fs';

const PROC = '/proc';

interface ProcStat {
  readonly state: string;
  readonly pgrp: number;
}

/** Fields of /proc/<pid>/stat after the command name, which may itself hold spaces and ')'. */
function readProcStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`${PROC}/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] ?? '', pgrp: Number(fields[2]) };
}

function isRunningState(state: string): boolean {
  return state !== 'Z' && state !== 'X' && state !== 'x';
}

function hasProc(): boolean {
  try {
    readFileSync(`${PROC}/self/stat`, 'utf8');
    return true;
  } catch {
    return false;
  }
}

function answersSignalZero(target: number): boolean {
  try {
    process.kill(target, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as { code?: string }).code === 'EPERM';
  }
}

export function isProcessAlive(pid: number): boolean {
  if (!answersSignalZero(pid)) return false;
  if (pid <= 0 || !hasProc()) return true;
  const stat = readProcStat(pid);
  return stat === undefined ? false : isRunningState(stat.state);
}

/** Whether any process of the process group `pgid` runs, zombies not counted. */
export function isProcessGroupAlive(pgid: number): boolean {
  if (!Number.isInteger(pgid) || pgid <= 1) return false;
  if (!answersSignalZero(-pgid)) return false;
  if (!hasProc()) return true;
  for (const entry of readdirSync(PROC)) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcStat(Number(entry));
    if (stat !== undefined && stat.pgrp === pgid && isRunningState(stat.state)) return true;
  }
  return false;
}
