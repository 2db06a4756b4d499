/**
 * The commands of `homelab` that have no module of their own: synth, validate, plan, rules,
 * assumptions. The command line (cli/program.ts) parses the flags and calls these; each
 * returns its exit code (EXIT from @homelab/core).
 */
import { EXIT, POLICY_RULES, deployStateDir, formatPlan, formatPolicyRules, planChanges } from '@homelab/core';
import { planDocument } from '../cli/plan-document.ts';
import { validationDocument } from '../cli/validation-document.ts';
import { formatValidation, validateDist } from './validate.ts';
import { validationProgress } from './validate-progress.ts';
import { loadSite, type CommandOptions } from './context.ts';
import { synthCommand } from './synth.ts';

type Options = Pick<CommandOptions, 'root' | 'services' | 'json'>;

export const printJson = (doc: unknown): void => console.log(JSON.stringify(doc, null, 2));
/** With --json, stdout carries the document alone; everything for people goes to stderr. */
export const humanLog = (json: boolean) => (json ? (t: string) => console.error(t) : (t: string) => console.log(t));

export async function synthReport(options: Options & Pick<CommandOptions, 'dryRun'>): Promise<number> {
  const outcome = await synthCommand(options, humanLog(options.json));
  if (options.json) {
    printJson({
      ok: outcome.ok,
      dryRun: options.dryRun,
      services: outcome.synthesis.results.map((r) => ({ service: r.service, dir: `dist/${r.service}`, written: !options.dryRun && outcome.ok, files: [...r.files.keys()] })),
      problems: outcome.synthesis.problems,
    });
  } else if (outcome.ok) {
    const n = outcome.synthesis.results.length;
    console.log(options.dryRun
      ? `synth --dry-run: ${n} service${n === 1 ? '' : 's'} synthesized without an error; nothing was written`
      : `synth: wrote ${outcome.written.length} service${outcome.written.length === 1 ? '' : 's'} to dist/`);
  }
  return outcome.ok ? EXIT.ok : outcome.refused ? EXIT.refused : EXIT.failed;
}

/** validate, and plan (validate plus the plan): synth, then every artifact of the named services. */
export async function validateOrPlan(command: 'validate' | 'plan', options: Options): Promise<number> {
  const log = humanLog(options.json);
  const outcome = await synthCommand({ ...options, dryRun: false }, log);
  const { home, plan, results, problems } = outcome.synthesis;
  if (!outcome.ok) {
    if (options.json) printJson(command === 'plan' ? planDocument({ home, plan, only: options.services, problems }) : { ok: false, problems, validation: null });
    return outcome.refused ? EXIT.refused : EXIT.failed;
  }
  const progress = validationProgress(process.stderr);
  const validation = await validateDist(options.root, results.map((r) => r.service), process.env, { onProgress: progress.onProgress }).finally(() => progress.done());
  const ok = validation.problems.length === 0;
  if (command === 'plan') {
    // Each service against its last deploy record (new / changed: which artifacts / unchanged).
    const changes = await planChanges(results.map((r) => r.manifest), deployStateDir(process.env));
    if (options.json) printJson(planDocument({ home, plan, only: options.services, changes, problems, validation }));
    else console.log(formatPlan(home, plan, { changes, only: options.services }));
  } else if (options.json) {
    printJson({ ok, services: results.map((r) => r.service), problems, validation: validationDocument(validation) });
  }
  log(`\nPolicy: ${POLICY_RULES.length} rules, no problem.`);
  log(formatValidation(validation));
  return ok ? EXIT.ok : EXIT.failed;
}

export function rulesCommand(json: boolean): number {
  console.log(json
    ? JSON.stringify(POLICY_RULES.map(({ name, phase, description, codes }) => ({ name, phase: phase ?? 'model', description, codes })), null, 2)
    : formatPolicyRules(POLICY_RULES));
  return EXIT.ok;
}

export async function assumptionsCommand(options: Pick<CommandOptions, 'root' | 'json'>): Promise<number> {
  const site = await loadSite(options.root);
  if (options.json) printJson({ site: site.name, assumptions: site.assumptions.map((a) => ({ path: a.path, value: a.value, reason: a.reason })) });
  else for (const a of site.assumptions) console.log(`${a.path} = ${JSON.stringify(a.value)}\n    ${a.reason}`);
  return EXIT.ok;
}
