/**
 * What the operator workflow's deploy job checks before it deploys: the deploy records and the
 * Terraform state live outside the checkout. actions/checkout cleans its workspace on every run of
 * a self-hosted runner (`git clean -ffdx`, ignored files included); state inside it would be gone
 * by the next deploy, which would then try to create every guest again.
 *
 *   npx tsx tools/homelab/src/ci/state-outside-checkout.ts     (workspace: $GITHUB_WORKSPACE, else cwd)
 */
import { relative, resolve, isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deployStateDir, EXIT, STATE_ENV, terraformStateDir, TF_STATE_DIR_ENV, type DeployEnv } from '@homelab/core';

export interface StateDirs {
  readonly state: string;
  readonly terraformState: string;
}

/** The directories deploy would use with this environment. */
export function stateDirs(env: DeployEnv): StateDirs {
  const state = resolve(deployStateDir(env));
  return { state, terraformState: resolve(terraformStateDir(state, env)) };
}

function inside(dir: string, root: string): boolean {
  const rel = relative(resolve(root), resolve(dir));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** One message per directory inside `workspace`, naming it, the variable that moves it and the fix. */
export function stateInsideCheckoutProblems(env: DeployEnv, workspace: string): string[] {
  const dirs = stateDirs(env);
  const problems: string[] = [];
  if (inside(dirs.state, workspace)) {
    problems.push(`the deploy state directory ${dirs.state} ($${STATE_ENV}) is inside the checkout ${resolve(workspace)}: `
      + `actions/checkout deletes it on the next run. Fix: set the repository variable ${STATE_ENV} to a directory outside the workspace `
      + 'that the runner keeps (or leave it unset for ~/.local/state/homelab of the runner\'s user).');
  }
  // Without the override the Terraform state is under the state directory: covered above.
  if (env[TF_STATE_DIR_ENV]?.trim() && inside(dirs.terraformState, workspace)) {
    problems.push(`the Terraform state directory ${dirs.terraformState} ($${TF_STATE_DIR_ENV}) is inside the checkout ${resolve(workspace)}: `
      + `actions/checkout deletes it on the next run. Fix: unset ${TF_STATE_DIR_ENV} (the state then lives under ${dirs.state}) or point it outside the workspace.`);
  }
  return problems;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const workspace = process.env.GITHUB_WORKSPACE?.trim() || process.cwd();
  const problems = stateInsideCheckoutProblems(process.env, workspace);
  for (const p of problems) console.error(`error: ${p}`);
  if (problems.length) process.exit(EXIT.setup);
  const dirs = stateDirs(process.env);
  console.log(`deploy state: ${dirs.state}\nterraform state: ${dirs.terraformState}\nboth outside the checkout ${resolve(workspace)}`);
}
