/**
 * What a tool check reports, and the helpers every check builds its results with. A tool check
 * is an ArtifactCheck (one file, one check, problems in the project's grammar) plus a status
 * that can say "skipped" and notes that say where the check did less than its name suggests.
 */
import type { ToolExit } from '../../process/run-tool.ts';
import type { Problem } from '../../model/problem.ts';
import type { ArtifactCheck } from '../validate-artifact.ts';
import type { ValidatedFormat } from '../schema-registry.ts';
import { toolMissingProblem, type LocatedTool, type ValidatorTool } from './find-tools.ts';
import type { LaidOutArtifact, ServiceLayout } from './layout.ts';
import { abnormalExit, outputLines, toolMessage, type ValidatorRunner } from './run-validator.ts';

export interface ToolCheck extends ArtifactCheck {
  /** The external tool, or undefined for checks that run in-process (the WireGuard parser). */
  readonly tool?: ValidatorTool;
  /** `skipped`: the tool is missing on this machine (a failure in CI, where the status is `failed`). */
  readonly status: 'passed' | 'failed' | 'skipped';
  /**
   * Where the check did less than its name says, or checked a modified copy: stubbed keys,
   * rewritten paths, references it could not follow. Printed in the summary, never silent.
   */
  readonly notes: readonly string[];
  /** The file as problems name it: `dist/<service>/<file>`. */
  readonly source: string;
}

export function isToolCheck(check: ArtifactCheck): check is ToolCheck {
  return 'status' in check && 'notes' in check;
}

/** What each check module gets. */
export interface ToolCheckContext {
  readonly runner: ValidatorRunner;
  readonly tools: ReadonlyMap<ValidatorTool, LocatedTool>;
  readonly ci: boolean;
  /** The run's temporary directory. */
  readonly base: string;
  readonly layouts: readonly ServiceLayout[];
  /** The environment every tool starts from (baseEnv): PATH, HOME, locale. */
  readonly env: Readonly<Record<string, string>>;
  /** Tool processes allowed at once (batching splits work into this many parts). */
  readonly concurrency: number;
  /** The first line of `<tool> <args>` (cached per run), e.g. `amtool, version 0.25.0 ...`. */
  version(tool: ValidatorTool, args: readonly string[]): Promise<string | undefined>;
  /** Tool output with temporary paths replaced by dist paths. */
  unmap(text: string): string;
}

export function toolPath(ctx: ToolCheckContext, tool: ValidatorTool): string | undefined {
  return ctx.tools.get(tool)?.path;
}

/** A finished check for one file. Failed when any problem is an error. */
export function checkResult(artifact: LaidOutArtifact, check: string, tool: ValidatorTool | undefined, problems: readonly Problem[], notes: readonly string[] = []): ToolCheck {
  const failed = problems.some((p) => (p.severity ?? 'error') === 'error');
  return {
    file: artifact.record.file,
    format: artifact.record.format as ValidatedFormat,
    check,
    ok: !failed,
    status: failed ? 'failed' : 'passed',
    problems,
    notes,
    source: artifact.source,
    ...(tool ? { tool } : {}),
  };
}

/** The tool is not installed: skipped with a warning, or failed in CI. */
export function missingResult(ctx: ToolCheckContext, artifact: LaidOutArtifact, check: string, tool: ValidatorTool): ToolCheck {
  const problem = toolMissingProblem(tool, artifact.source, check, ctx.ci);
  return { ...checkResult(artifact, check, tool, [problem]), status: ctx.ci ? 'failed' : 'skipped', ok: !ctx.ci };
}

/** The tool ran but gave no verdict (could not start, timed out, crashed). Always a failure. */
export function abnormalProblem(artifact: LaidOutArtifact, label: string, exit: ToolExit, ctx: ToolCheckContext): Problem {
  const lines = outputLines(ctx.unmap(`${exit.stderr}\n${exit.stdout}`));
  return {
    source: artifact.source, path: '', code: 'ToolFailedToRun',
    message: `${label} ${abnormalExit(exit) ?? `exited with code ${exit.exitCode}`} without a verdict${lines.length ? `:\n        ${toolMessage(lines)}` : ''}`,
    fix: 'Run the command by hand to see why; the file was not checked.',
  };
}

/** The tool's own message (stderr first, then stdout), temporary paths mapped back, trimmed. */
export function toolOutput(exit: ToolExit, ctx: ToolCheckContext, keep: (line: string) => boolean = () => true): string[] {
  return outputLines(ctx.unmap(`${exit.stderr}\n${exit.stdout}`)).filter(keep);
}

/** `line 12` / `line 12, column 3` for a problem path. */
export function linePath(line: number | undefined, column?: number): string {
  if (line === undefined || !Number.isFinite(line) || line <= 0) return '';
  return column !== undefined && Number.isFinite(column) ? `line ${line}, column ${column}` : `line ${line}`;
}

/** Splits `items` into at most `parts` groups of nearly equal size, order kept. */
export function chunk<T>(items: readonly T[], parts: number): T[][] {
  const n = Math.max(1, Math.min(parts, items.length));
  const out: T[][] = Array.from({ length: n }, () => []);
  const size = Math.ceil(items.length / n);
  items.forEach((item, i) => out[Math.floor(i / size)]!.push(item));
  return out.filter((g) => g.length > 0);
}
