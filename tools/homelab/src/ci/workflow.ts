/**
 * The operator's GitHub Actions workflow, rendered from the homelab itself so the deploy step's
 * environment names exactly the variables the services need (never a list typed twice).
 *
 *   pull_request: validate and plan what the change affects; the plan goes to the job summary.
 *   push to main: `release` runs changesets/action: with pending changesets it opens or updates
 *                 the version PR (version bumps, CHANGELOG.md per package) and nothing deploys;
 *                 once that PR is merged there are none, and `deploy` deploys what changed since
 *                 the last deployed tag on a self-hosted runner on the LAN, smoke-tests it, then
 *                 moves the tag. A feature merge and its version PR merge thus deploy once.
 *   schedule (daily) and workflow_dispatch: `drift` runs `homelab drift` on the self-hosted
 *                 runner (it reaches the API and the state); drift fails the job (exit 5), so
 *                 GitHub reports it, and the report goes to the job summary.
 *
 * Every `run:` is bash (`defaults.run.shell`: GitHub runs `bash --noprofile --norc -eo pipefail`),
 * so a failed command piped into `tee` fails its step. Secrets are given only to the step that
 * deploys. The deploy state lives outside the checkout (actions/checkout cleans its workspace),
 * which a step checks before anything deploys (state-outside-checkout.ts).
 *
 *   npx tsx tools/homelab/src/ci/workflow.ts            writes .github/workflows/homelab.yml
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STATE_ENV, deployUnitFromSynth, driftServices, toYaml, type SiteSynthesis } from '@homelab/core';

export const WORKFLOW_FILE = '.github/workflows/homelab.yml';
export const DEPLOYED_TAG = 'deployed/prod';
const NODE_VERSION = '20.19';
/** Pinned: a new OpenTofu release must not change a deploy without a commit saying so. */
export const TOFU_VERSION = '1.10.6';
const CHECKOUT = 'actions/checkout@v4';
const SETUP_NODE = 'actions/setup-node@v4';
const SETUP_TOFU = 'opentofu/setup-opentofu@v1';
const CACHE = 'actions/cache@v4';
const CHANGESETS = 'changesets/action@v1';
/**
 * Nx 23 keeps its cache and task database under ~/.nx/<workspace id>/ unless told otherwise
 * (lost with every hosted runner). Named directories in the workspace are what actions/cache
 * saves and restores; the database file is named after the machine id, so it is cached with the
 * artifacts it describes (checked with Nx 23.3.1: both variables are honoured).
 */
export const NX_CACHE_DIR = '.nx/cache';
export const NX_WORKSPACE_DATA_DIR = '.nx/workspace-data';
/**
 * NX_ISOLATE_PLUGINS=false: Nx loads the plugins in its own process instead of a worker each
 * (five for this workspace); measured with Nx 23.3.1 on 2 cores, `nx show projects --affected`
 * took about 1.3 s of CPU instead of 3.5 to 5.6 s. The homelab plugin is made for it (plugin.cjs:
 * a scoped require hook, no global transpiler); `homelab group|patch|status` load it that way too.
 */
const NX_ENV = {
  NX_DAEMON: 'false',
  NX_NO_CLOUD: 'true',
  NX_TUI: 'false',
  NX_ISOLATE_PLUGINS: 'false',
  NX_CACHE_DIRECTORY: NX_CACHE_DIR,
  NX_WORKSPACE_DATA_DIRECTORY: NX_WORKSPACE_DATA_DIR,
};

/** Every environment variable any service's deploy needs, sorted. */
export function deployEnvNames(synthesis: SiteSynthesis): string[] {
  return [...new Set(synthesis.results.flatMap((r) => r.manifest.env))].sort();
}

/** Daily, off the full hour (GitHub delays runs queued on the hour). */
export const DRIFT_SCHEDULE = '23 5 * * *';

/**
 * What `homelab drift` reads: the variables the infra step of each service with guests needs
 * (the provider's, TF_VAR_*), for its plans; no secret only a playbook uses.
 */
export function driftEnvNames(synthesis: SiteSynthesis): string[] {
  const guests = new Set(driftServices(synthesis.home, []).map((s) => s.name));
  return [...new Set(synthesis.results.filter((r) => guests.has(r.service))
    .flatMap((r) => deployUnitFromSynth(r, { home: synthesis.home, root: '.', distRoot: 'dist' }).env.filter((e) => e.step === 'infra').map((e) => e.name)))].sort();
}

function setup(): unknown[] {
  return [
    // Full history: Nx affected and changesets compare with older commits. `clean` (the
    // default) may delete anything in the workspace: no state lives there.
    { uses: CHECKOUT, with: { 'fetch-depth': 0, clean: true } },
    { uses: SETUP_NODE, with: { 'node-version': NODE_VERSION, cache: 'npm' } },
    { run: 'npm ci' },
  ];
}

/** OpenTofu on PATH for validate and deploy (`tofu` is preferred over terraform); no wrapper, which would rewrite its output. */
function setupTofu(): unknown {
  return { name: 'OpenTofu', uses: SETUP_TOFU, with: { tofu_version: TOFU_VERSION, tofu_wrapper: false } };
}

/** Restores the newest Nx cache of this job and lockfile, saves this run's under its own commit. */
function nxCache(): unknown {
  const prefix = "nx-${{ runner.os }}-${{ github.job }}-${{ hashFiles('package-lock.json') }}-";
  return {
    name: 'Nx cache',
    uses: CACHE,
    with: {
      path: `${NX_CACHE_DIR}\n${NX_WORKSPACE_DATA_DIR}/*.db*\n`,
      key: `${prefix}\${{ github.sha }}`,
      'restore-keys': `${prefix}\n`,
    },
  };
}

export function renderWorkflow(synthesis: SiteSynthesis): Record<string, unknown> {
  const secrets = Object.fromEntries(deployEnvNames(synthesis).map((n) => [n, `\${{ secrets.${n} }}`]));
  const driftSecrets = Object.fromEntries(driftEnvNames(synthesis).map((n) => [n, `\${{ secrets.${n} }}`]));
  return {
    name: 'homelab',
    on: { pull_request: { branches: ['main'] }, push: { branches: ['main'] }, schedule: [{ cron: DRIFT_SCHEDULE }], workflow_dispatch: {} },
    permissions: { contents: 'read' },
    defaults: { run: { shell: 'bash' } },
    env: NX_ENV,
    jobs: {
      'validate-and-plan': {
        if: "github.event_name == 'pull_request'",
        'runs-on': 'ubuntu-latest',
        steps: [
          ...setup(),
          setupTofu(),
          nxCache(),
          { run: 'sudo bash tools/ci/install-system-tools.sh' },
          { name: 'Validate and plan what the change affects', run: 'npx nx affected -t validate plan --base=origin/${{ github.base_ref }} --head=HEAD --outputStyle=static | tee plan.txt' },
          { name: 'Plan as the job summary', if: 'always()', run: '{ echo "## homelab plan"; echo; echo \'```\'; cat plan.txt; echo \'```\'; } >> "$GITHUB_STEP_SUMMARY"' },
          { name: 'Tests of what the change affects', run: 'npx nx affected -t test --base=origin/${{ github.base_ref }} --head=HEAD' },
        ],
      },
      release: {
        if: "github.event_name == 'push'",
        'runs-on': 'ubuntu-latest',
        permissions: { contents: 'write', 'pull-requests': 'write' },
        outputs: { hasChangesets: '${{ steps.changesets.outputs.hasChangesets }}' },
        steps: [
          ...setup(),
          {
            name: 'Version PR (changesets)', id: 'changesets', uses: CHANGESETS,
            with: { version: 'npm run release:version', title: 'Release service packages', commit: 'Version service packages' },
            env: { GITHUB_TOKEN: '${{ secrets.GITHUB_TOKEN }}' },
          },
        ],
      },
      deploy: {
        // Only when no changeset is pending: the version PR was just merged (or the push carried
        // none). A push that adds changesets only updates the version PR.
        if: "github.event_name == 'push' && needs.release.outputs.hasChangesets == 'false'",
        needs: ['release'],
        'runs-on': ['self-hosted', 'homelab'],
        environment: 'production',
        concurrency: { group: 'homelab-deploy', 'cancel-in-progress': false },
        permissions: { contents: 'write' },
        // Not a secret: where the runner keeps deploy records and Terraform state, outside the
        // checkout. Unset, deploy uses ~/.local/state/homelab of the runner's user.
        env: { [STATE_ENV]: `\${{ vars.${STATE_ENV} }}` },
        steps: [
          ...setup(),
          setupTofu(),
          nxCache(),
          { name: 'Deploy state is outside the checkout', run: 'npx tsx tools/homelab/src/ci/state-outside-checkout.ts' },
          { name: 'Last deployed commit', id: 'base', run: `git fetch --tags --force && if git rev-parse -q --verify "refs/tags/${DEPLOYED_TAG}" >/dev/null; then echo "ref=${DEPLOYED_TAG}" >> "$GITHUB_OUTPUT"; else echo "ref=$(git rev-list --max-parents=0 HEAD)" >> "$GITHUB_OUTPUT"; fi` },
          {
            name: 'Deploy what changed, in dependency order',
            // `--yes`: no terminal to confirm at; Nx hands it to each deploy (synth and validate, its dependencies, take no flags).
            run: 'npx nx affected -t deploy --base=${{ steps.base.outputs.ref }} --head=HEAD --outputStyle=static --yes',
            env: secrets,
          },
          { name: 'Smoke tests of what was deployed', run: 'npx nx affected -t smoke --base=${{ steps.base.outputs.ref }} --head=HEAD --outputStyle=static', env: { HOMELAB_SMOKE_TARGET: 'live', HOMELAB_SMOKE_RESOLVE: '${{ vars.HOMELAB_TRAEFIK_IP }}' } },
          { name: 'Move the deployed tag', run: `git tag -f ${DEPLOYED_TAG} HEAD && git push -f origin refs/tags/${DEPLOYED_TAG}` },
        ],
      },
      drift: {
        if: "github.event_name == 'schedule' || github.event_name == 'workflow_dispatch'",
        'runs-on': ['self-hosted', 'homelab'],
        environment: 'production',
        // Not while a deploy applies: its plans would show the half-applied state as drift.
        concurrency: { group: 'homelab-deploy', 'cancel-in-progress': false },
        env: { [STATE_ENV]: `\${{ vars.${STATE_ENV} }}` },
        steps: [
          ...setup(),
          setupTofu(),
          { name: 'Deploy state is outside the checkout', run: 'npx tsx tools/homelab/src/ci/state-outside-checkout.ts' },
          // Exit 5 on drift fails the job (pipefail keeps it through tee): GitHub reports the failed run.
          { name: 'Drift: live guests and plans against the code', run: 'npx homelab drift | tee drift.txt', env: driftSecrets },
          { name: 'Drift as the job summary', if: 'always()', run: '{ echo "## homelab drift"; echo; echo \'```\'; cat drift.txt; echo \'```\'; } >> "$GITHUB_STEP_SUMMARY"' },
        ],
      },
    },
  };
}

export function workflowText(synthesis: SiteSynthesis): string {
  return toYaml(renderWorkflow(synthesis), { header: ['Generated by `npx tsx tools/homelab/src/ci/workflow.ts` from the homelab. Do not edit: a test fails on drift.'] });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { synthesizeThisSite, WORKSPACE_ROOT } = await import('@homelab/site/testing');
  writeFileSync(join(WORKSPACE_ROOT, WORKFLOW_FILE), workflowText(await synthesizeThisSite()));
  console.log(`wrote ${WORKFLOW_FILE}`);
}
