/**
 * systemd units through `systemd-analyze verify` (Debian package systemd; works without systemd
 * running as PID 1, so in containers too). Units are judged from their place in the service layout
 * (`files/<host>/etc/systemd/system/`), so a timer finds its service: verify adds each unit's
 * directory to its search path. `--man=no --generators=no --recursive-errors=no`: only the given
 * units are judged.
 *
 * One run takes the units of several hosts (of any services) as long as no unit name occurs in two
 * of its hosts and no unit mentions the name of another host's unit (`systemdBatches`): a unit can
 * then only find what its own host has, exactly as in a run of its own. Messages name the unit's
 * file or unit name, both unique in the run; if a line names neither, the batch is run again one
 * host at a time so that the line is blamed on the right host's units only.
 *
 * verify also checks that every Exec*= binary exists and is executable *on this machine*. For a
 * binary that homelab generates for the same host (a script in the manifest) the manifest decides:
 * it must be there with an executable mode. Any other missing binary comes from the target
 * (a Debian package, the app's own release): it cannot be checked offline, and a note says which.
 */
import path from 'node:path';
import type { Problem } from '../../../model/problem.ts';
import type { LaidOutArtifact, ServiceLayout } from '../layout.ts';
import { abnormalExit } from '../run-validator.ts';
import { abnormalProblem, checkResult, missingResult, toolOutput, toolPath, type ToolCheck, type ToolCheckContext } from '../tool-check.ts';

export const SYSTEMD_CHECK = 'systemd-analyze verify';

const NOT_EXECUTABLE = /^(\S+): Command (\S+) is not executable: (.*)$/;

/** Units grouped by target host (units without a target are grouped by their directory). */
export function unitsByHost(units: readonly LaidOutArtifact[]): LaidOutArtifact[][] {
  const groups = new Map<string, LaidOutArtifact[]>();
  for (const u of units) {
    const key = `${u.layout.dir}\u0000${u.record.target?.host ?? path.dirname(u.path)}`;
    groups.set(key, [...(groups.get(key) ?? []), u]);
  }
  return [...groups.values()];
}

/**
 * Host groups (unitsByHost) merged into as few runs as possible: a group joins a batch when none
 * of its unit names is in the batch, and no unit of either side mentions a unit name of the other
 * (`texts`: the units' contents). Order kept.
 */
export function systemdBatches(groups: readonly (readonly LaidOutArtifact[])[], texts: ReadonlyMap<LaidOutArtifact, string>): LaidOutArtifact[][][] {
  const batches: { groups: LaidOutArtifact[][]; names: Set<string>; text: string }[] = [];
  for (const group of groups) {
    const names = new Set(group.map((u) => path.basename(u.path)));
    const text = group.map((u) => texts.get(u) ?? '').join('\n');
    const fits = (b: (typeof batches)[number]): boolean =>
      ![...names].some((n) => b.names.has(n) || b.text.includes(n)) && ![...b.names].some((n) => text.includes(n));
    const batch = batches.find(fits);
    if (batch) {
      batch.groups.push([...group]);
      for (const n of names) batch.names.add(n);
      batch.text += `\n${text}`;
    } else batches.push({ groups: [[...group]], names, text });
  }
  return batches.map((b) => b.groups);
}

/** One run for the host groups of a batch (systemdBatches); one result per unit. */
export async function checkSystemdUnits(ctx: ToolCheckContext, groups: readonly (readonly LaidOutArtifact[])[]): Promise<ToolCheck[]> {
  const units = groups.flat();
  const analyze = toolPath(ctx, 'systemd-analyze');
  if (!analyze) return units.map((u) => missingResult(ctx, u, SYSTEMD_CHECK, 'systemd-analyze'));
  const exit = await ctx.runner.run({
    label: SYSTEMD_CHECK, file: analyze, cwd: ctx.base,
    args: ['verify', '--man=no', '--generators=no', '--recursive-errors=no', ...units.map((u) => path.relative(ctx.base, u.path))],
  });
  if (abnormalExit(exit)) return units.map((u) => checkResult(u, SYSTEMD_CHECK, 'systemd-analyze', [abnormalProblem(u, SYSTEMD_CHECK, exit, ctx)]));

  const problems = new Map<LaidOutArtifact, Problem[]>(units.map((u) => [u, []]));
  const notes = new Map<LaidOutArtifact, string[]>(units.map((u) => [u, []]));
  const named = (line: string): LaidOutArtifact[] => {
    const byPath = units.filter((u) => line.startsWith(`${u.source}:`));
    if (byPath.length) return byPath;
    const name = /^([^\s:]+):/.exec(line)?.[1];
    return units.filter((u) => path.basename(u.path) === name || line.startsWith(`Unit ${path.basename(u.path)} `));
  };
  const lines = toolOutput(exit, ctx);
  // A line that names no unit belongs to the host it came from: only a run per host can say which.
  if (groups.length > 1 && lines.some((l) => named(l).length === 0)) {
    return (await Promise.all(groups.map((g) => checkSystemdUnits(ctx, [g])))).flat();
  }
  const unitOf = (line: string): LaidOutArtifact[] => {
    const found = named(line);
    return found.length ? found : [...units];
  };
  for (const line of lines) {
    const targets = unitOf(line);
    const notExecutable = NOT_EXECUTABLE.exec(line);
    if (notExecutable) {
      const binary = notExecutable[2]!;
      for (const u of targets) {
        const host = u.record.target?.host;
        const verdict = generatedBinary(u.layout, host, binary);
        if (verdict === 'executable') notes.get(u)!.push(`${binary} is generated for ${host} with an executable mode (checked in the manifest, not on this machine)`);
        else if (verdict === 'not-executable') problems.get(u)!.push(problem(u, `${binary} is generated for ${host} but its mode is not executable`, 'Give the file an executable mode (0755) in the package.'));
        else notes.get(u)!.push(`${binary} is not on this machine and not generated by homelab: it must come from the target (package or app release); not checked offline`);
      }
      continue;
    }
    // verify repeats "Unit x has a bad unit file setting." after the line that says which.
    for (const u of targets) problems.get(u)!.push(problem(u, line.replace(`${u.source}:`, 'line '), 'Fix the unit where systemd points; see systemd.unit(5) and systemd.service(5).'));
  }
  return units.map((u) => {
    const list = problems.get(u)!;
    // A non-zero exit must never pass with nothing said about it.
    if (exit.exitCode !== 0 && lines.length === 0) list.push(problem(u, `exited with code ${exit.exitCode} without a message`, 'Run systemd-analyze verify by hand on the unit.'));
    return checkResult(u, SYSTEMD_CHECK, 'systemd-analyze', list, [...new Set(notes.get(u)!)]);
  });
}

function problem(unit: LaidOutArtifact, message: string, fix: string): Problem {
  const at = /^line (\d+): /.exec(message);
  return {
    source: unit.source, path: at ? `line ${at[1]}` : '', code: 'SystemdVerifyFailed',
    message: at ? message.slice(at[0].length) : message, fix,
  };
}

/** Whether `binary` is an artifact this service generates for the same host, and with which mode. */
function generatedBinary(layout: ServiceLayout, host: string | undefined, binary: string): 'executable' | 'not-executable' | 'absent' {
  const record = layout.manifest.artifacts.find((a) => a.target && a.target.host === host && a.target.path === binary);
  if (!record?.target) return 'absent';
  return (Number.parseInt(record.target.mode, 8) & 0o111) !== 0 ? 'executable' : 'not-executable';
}
