/**
 * The synth and validate targets of every service in one process: what the Nx executor
 * `@homelab/tools:homelab` runs (tools/homelab/executors/, its batch implementation). Each task
 * used to be a tsx process of its own that loaded the site, every package and libs/core to
 * synthesize one service (`nx run-many -t synth`: 26 processes). Here the model is built once,
 * the services of every task are synthesized together, and validation checks them in one pass.
 *
 * Each task still gets its own result and its own output, the same as the command it replaces
 * (`homelab synth --service <s>`, `homelab validate --service <s>`) would have given it, so Nx
 * caches and replays each project's dist/<service>/ and log on its own:
 * - synth: one synthesis of all the services asked for. Should it fail (a problem of one
 *   service, a deploy holding one service's lock), each service is synthesized again on its own,
 *   so only the services that fail alone fail, with the output they would have printed.
 * - validate: like `homelab validate --service <s>`, a synthesis first (the one above), then one
 *   validation run over every service (one pass per tool). Its result is then split by service
 *   through the validation cache (a second look per service finds its passing checks there); a
 *   service that did not pass is validated again alone, for its own report. Without the cache
 *   (`HOMELAB_VALIDATE_CACHE=off`) each service is validated alone, as before.
 *
 * Flags given to Nx (`--dry-run` meant for deploy) are not read: what synth writes and validate
 * checks does not depend on them, as with the run-commands targets' `forwardAllArgs: false`.
 */
import { POLICY_RULES, formatProblems, type Problem } from '@homelab/core';
import { synthCommand, type SynthOutcome } from './synth.ts';
import { formatValidation, validateDist } from './validate.ts';
import { validationCacheOff } from './validation-cache.ts';

export const HOMELAB_TASK_VERBS = ['synth', 'validate'] as const;
export type HomelabTaskVerb = (typeof HOMELAB_TASK_VERBS)[number];

/** One Nx task: its id (`@homelab/traefik:synth`), what to do, and to which service. */
export interface HomelabTask {
  readonly id: string;
  readonly verb: HomelabTaskVerb;
  readonly service: string;
}

/** What Nx expects per task from a batch executor (`BatchExecutorTaskResult` of nx). */
export interface HomelabTaskResult {
  readonly success: boolean;
  readonly terminalOutput: string;
  readonly startTime: number;
  readonly endTime: number;
}

export interface HomelabTaskOptions {
  readonly root: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The executor's options (the target's `options` merged with what Nx was given): verb and service. */
export function homelabTaskOf(id: string, options: Readonly<Record<string, unknown>>): HomelabTask {
  const verb = options['verb'];
  const service = options['service'];
  if (typeof verb !== 'string' || !(HOMELAB_TASK_VERBS as readonly string[]).includes(verb)) {
    throw new Error(`${id}: options.verb is ${JSON.stringify(verb)}; the homelab executor runs ${HOMELAB_TASK_VERBS.join(' or ')}. Fix the target (the Nx plugin infers it: tools/homelab/src/nx/targets.ts).`);
  }
  if (typeof service !== 'string' || !service) {
    throw new Error(`${id}: options.service is ${JSON.stringify(service)}; it names the service (the package directory). Fix the target (tools/homelab/src/nx/targets.ts).`);
  }
  return { id, verb: verb as HomelabTaskVerb, service };
}

/** A problem of service `s`: its package, or its dist/ directory. */
function belongsTo(p: Problem, s: string): boolean {
  return [`packages/${s}`, `dist/${s}`].some((dir) => p.source === dir || p.source.startsWith(`${dir}/`));
}

/** The problems to show with service `s`: its own and those of no service (the site, a rule over all). */
function problemsFor(problems: readonly Problem[], s: string, services: readonly string[]): Problem[] {
  return problems.filter((p) => belongsTo(p, s) || !services.some((other) => belongsTo(p, other)));
}

interface SynthOf {
  readonly ok: boolean;
  /** What `homelab synth --service <s>` would have printed. */
  readonly output: string;
}

/** Synthesizes `services` together; on failure each alone. */
async function synthesizeEach(root: string, services: readonly string[]): Promise<Map<string, SynthOf>> {
  const out = new Map<string, SynthOf>();
  const together: string[] = [];
  const outcome = await synthCommand({ root, services, dryRun: false }, (text) => together.push(text));
  if (outcome.ok) {
    const known = outcome.synthesis.results.map((r) => r.service);
    for (const s of services) {
      const problems = problemsFor(outcome.synthesis.problems, s, known);
      out.set(s, { ok: true, output: [...(problems.length ? [formatProblems(problems)] : []), services.length === 1 ? 'synth: wrote 1 service to dist/' : `synth: wrote dist/${s}/ (one synthesis of ${services.length} services in one process)`].join('\n') });
    }
    return out;
  }
  if (services.length === 1) {
    out.set(services[0]!, { ok: false, output: together.join('\n') });
    return out;
  }
  for (const s of services) {
    const lines: string[] = [];
    let alone: SynthOutcome;
    try {
      alone = await synthCommand({ root, services: [s], dryRun: false }, (text) => lines.push(text));
    } catch (error) {
      out.set(s, { ok: false, output: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
      continue;
    }
    out.set(s, { ok: alone.ok, output: [...lines, ...(alone.ok ? [`synth: wrote ${alone.written.length} service${alone.written.length === 1 ? '' : 's'} to dist/`] : [])].join('\n') });
  }
  return out;
}

/** Validates `services`: one run over all of them, then each service's own report (see the file comment). */
async function validateEach(root: string, services: readonly string[], env: Readonly<Record<string, string | undefined>>): Promise<Map<string, { ok: boolean; output: string }>> {
  if (!validationCacheOff(env) && services.length > 1) await validateDist(root, services, env);
  const out = new Map<string, { ok: boolean; output: string }>();
  for (const s of services) {
    const summary = await validateDist(root, [s], env);
    out.set(s, { ok: summary.problems.length === 0, output: formatValidation(summary) });
  }
  return out;
}

function failureText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Runs the tasks and yields each one's result when it is known: every synth after the one
 * synthesis, every validate after the validation run. A task never throws out of here: an
 * unexpected error fails the tasks it concerns, with its message as their output.
 */
export async function* runHomelabTasks(tasks: readonly HomelabTask[], options: HomelabTaskOptions): AsyncGenerator<{ task: string; result: HomelabTaskResult }> {
  const env = options.env ?? process.env;
  const started = Date.now();
  const services = [...new Set(tasks.map((t) => t.service))];
  let synth: Map<string, SynthOf>;
  try {
    synth = await synthesizeEach(options.root, services);
  } catch (error) {
    const end = Date.now();
    for (const t of tasks) yield { task: t.id, result: { success: false, terminalOutput: failureText(error), startTime: started, endTime: end } };
    return;
  }
  const synthDone = Date.now();
  for (const t of tasks.filter((t) => t.verb === 'synth')) {
    const r = synth.get(t.service)!;
    yield { task: t.id, result: { success: r.ok, terminalOutput: r.output, startTime: started, endTime: synthDone } };
  }
  const validating = tasks.filter((t) => t.verb === 'validate');
  if (!validating.length) return;
  const toValidate = [...new Set(validating.map((t) => t.service))].filter((s) => synth.get(s)!.ok);
  let validation: Map<string, { ok: boolean; output: string }>;
  try {
    validation = await validateEach(options.root, toValidate, env);
  } catch (error) {
    validation = new Map(toValidate.map((s) => [s, { ok: false, output: failureText(error) }]));
  }
  const end = Date.now();
  for (const t of validating) {
    const s = synth.get(t.service)!;
    const v = validation.get(t.service);
    const output = v
      ? [s.output, `\nPolicy: ${POLICY_RULES.length} rules, no problem.`, v.output].join('\n')
      : s.output;
    yield { task: t.id, result: { success: s.ok && (v?.ok ?? false), terminalOutput: output, startTime: started, endTime: end } };
  }
}

