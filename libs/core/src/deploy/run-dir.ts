/**
 * The directory a deploy applies from: under its lock, deploy copies `dist/<svc>/` to
 * `<state>/runs/<svc>/<run-id>/` and runs tofu and ansible-playbook there, so a `homelab synth`
 * that rewrites `dist/<svc>/` (it deletes the directory first) cannot pull files out from under a
 * running playbook. Removed after a service deployed (or was declined); kept after a failure or
 * an interrupt, for inspection (the failure message names it).
 */
import { cp, mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** `20260102T030405Z-<pid>`: sortable, and unique per deploy process. */
export function newRunId(now: Date, pid: number = process.pid): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${pid}`;
}

export function runDirPath(stateDir: string, service: string, runId: string): string {
  return join(stateDir, 'runs', service, runId);
}

/** Copies `distDir` (the service's whole dist directory) to its run directory; returns that. */
export async function copyToRunDir(distDir: string, stateDir: string, service: string, runId: string): Promise<string> {
  const dir = runDirPath(stateDir, service, runId);
  await mkdir(dirname(dir), { recursive: true, mode: 0o700 });
  await rm(dir, { recursive: true, force: true });
  await cp(distDir, dir, { recursive: true, errorOnExist: true, force: false });
  return dir;
}

export async function removeRunDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
