/**
 * The targets the homelab plugin infers for one service package: pure data, no I/O, so the
 * plugin and its tests share one definition. Commands run from the workspace root through the
 * `homelab` CLI (`tools/homelab/src/main.ts`), which takes the service by its directory name.
 */
import type { TargetConfiguration } from '@nx/devkit';
// The one quoting function, by its file: core's index would load cdktf into every Nx graph run.
import { shellQuote } from '../../../../libs/core/src/shell/quote.ts';

export interface HomelabPluginOptions {
  /** Workspace-relative entry of the homelab CLI. @default "tools/homelab/src/main.ts" */
  readonly cliEntry?: string;
}

export interface ServiceTargetsInput {
  /** The service name: the package directory's name, `packages/<service>`. */
  readonly service: string;
  /** Workspace-relative project root, `packages/<service>`. */
  readonly projectRoot: string;
  /** Whether the package has its own `tsconfig.json` (then it gets a `typecheck` target). */
  readonly hasTsconfig: boolean;
  /** Named inputs declared in nx.json; `production` is used when present, `default` otherwise. */
  readonly namedInputs: readonly string[];
  readonly options?: HomelabPluginOptions;
}

/** One entry of a target's `inputs` (a fileset, a named input, or `{ runtime }`, `{ env }`, ...). */
type Input = NonNullable<TargetConfiguration['inputs']>[number];

/**
 * Where validate reads the upstream schemas unless `HOMELAB_SCHEMAS_DIR` says otherwise
 * (`findSchemasDir()` of @homelab/core: the repository's own copy). Not a plugin option: the
 * command cannot be told another directory except by that variable, so the inputs follow the
 * same two sources and nothing else.
 */
export const DEFAULT_SCHEMAS_DIR = 'schemas';
/** The override `findSchemasDir()` reads (`SCHEMAS_DIR_ENV` of @homelab/core; a test keeps them equal). */
export const SCHEMAS_DIR_ENV = 'HOMELAB_SCHEMAS_DIR';
export const DEFAULT_CLI_ENTRY = 'tools/homelab/src/main.ts';

/**
 * The executor of synth and validate (tools/homelab/executors.json): one process for all the
 * tasks of a run (its batch implementation), each task's outputs and cache entry its own.
 */
export const HOMELAB_EXECUTOR = '@homelab/tools:homelab';

/** The tag this plugin puts on every service project; inputs select the services by it. */
export const SERVICE_TAG = 'type:service';

/**
 * Everything synth reads. Synth derives cross-service files (Traefik's forwardAuth middleware
 * from Authentik, blueprints, scrape targets), so one service's output depends on every service
 * package (src and package.json: versions and dependencies go into manifest.json), not only on
 * its own package and its dependencies.
 *
 * The other services enter as `{ input, projects: 'tag:type:service' }`, not as a
 * fileset over every `packages/<service>/src`: Nx's affected locator marks every project whose
 * inputs hold a matching `{workspaceRoot}` fileset, so that fileset made every service affected
 * by any service's change (`nx affected -t deploy` redeployed all of them). A `projects` input
 * changes the hash only (checked with Nx 23.3.1: a change to authentik's src misses traefik's
 * synth cache, and `nx show projects --affected` lists authentik alone).
 *
 * The CLI is a `{workspaceRoot}` fileset on purpose: a change to how synth works makes every
 * service affected. Its generators and this plugin are left out with an extglob, because the
 * affected locator ignores `!` negations (they do not change what synth writes, and the command
 * itself is part of the hash).
 */
export function synthInputs(projectInput: string, servicesInput: string = projectInput): Input[] {
  return [
    projectInput,
    { input: servicesInput, projects: `tag:${SERVICE_TAG}` },
    '{workspaceRoot}/libs/core/src/**/*',
    '{workspaceRoot}/libs/site/src/**/*',
    '{workspaceRoot}/tools/homelab/src/*',
    '{workspaceRoot}/tools/homelab/src/!(generators|nx)/**/*',
  ];
}

/**
 * A shell command printing a stable digest of every file (path and content) under the directory
 * the shell word `dirWord` expands to. A runtime input runs it when hashing and folds its output
 * into the hash: Nx hashes only files inside the workspace, so a fileset cannot follow a
 * directory outside it (checked with Nx 23.3.1: a `{workspaceRoot}/../x/**` fileset matched
 * nothing). The `|| echo` keeps a missing directory from failing the hash: it hashes as "missing".
 */
function digestOfShellWord(dirWord: string): string {
  return `(cd ${dirWord} 2>/dev/null && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum) || echo missing:${dirWord}`;
}

/** {@link digestOfShellWord} of a literal directory (quoted for the shell as needed). */
export function dirDigestCommand(dir: string): string {
  return digestOfShellWord(shellQuote(dir));
}

/**
 * The digest of the directory `$HOMELAB_SCHEMAS_DIR` names, or `default` when it is unset or
 * empty (then the `{workspaceRoot}/schemas` fileset covers what validate reads). The variable is
 * expanded by the shell Nx runs the command with, in double quotes: a path with spaces stays one
 * word. A relative value is relative to the workspace root, like `findSchemasDir()` resolves it
 * (Nx runs runtime inputs there, and validate runs with cwd `{workspaceRoot}`).
 */
export function schemasOverrideDigestCommand(): string {
  return `if [ -n "$${SCHEMAS_DIR_ENV}" ]; then ${digestOfShellWord(`"$${SCHEMAS_DIR_ENV}"`)}; else echo default; fi`;
}

/**
 * Everything validate reads besides what synth reads: the files synth wrote to dist/<service>/
 * (the outputs of the tasks it depends on) and the schemas, both where they live in the
 * repository and wherever `HOMELAB_SCHEMAS_DIR` points instead (its value and, at hash time, the
 * digest of that directory's files).
 */
export function validateInputs(projectInput: string): Input[] {
  return [
    ...synthInputs(projectInput),
    { dependentTasksOutputFiles: '**/*' },
    `{workspaceRoot}/${DEFAULT_SCHEMAS_DIR}/**/*`,
    { env: SCHEMAS_DIR_ENV },
    { runtime: schemasOverrideDigestCommand() },
  ];
}

/**
 * What deploy waits for. The deploys of the services it depends on run first, and get this
 * task's command-line parameters (`params: 'forward'`): `nx run arr:deploy --dry-run` must hand
 * `--dry-run` to proxmox's and traefik's deploys too. With `'^deploy'` (params `ignore`, Nx's
 * default) they ran for real. Then its own dist/ must be current (synth) and pass validation
 * (validate, itself after synth): nothing is applied that would fail validation.
 */
export const DEPLOY_DEPENDS_ON: NonNullable<TargetConfiguration['dependsOn']> = [
  { dependencies: true, target: 'deploy', params: 'forward' },
  'synth',
  'validate',
];

export function serviceTargets(input: ServiceTargetsInput): Record<string, TargetConfiguration> {
  const { service, projectRoot } = input;
  const cli = input.options?.cliEntry ?? DEFAULT_CLI_ENTRY;
  const own = input.namedInputs.includes('production') ? 'production' : 'default';
  const dist = `{workspaceRoot}/dist/${service}`;
  const homelab = (verb: string): TargetConfiguration['options'] => ({
    command: `tsx ${cli} ${verb} --service ${service}`,
    cwd: '{workspaceRoot}',
  });
  // Synth and validate run in the homelab executor, all the tasks of a run in one process (Nx
  // batch mode, preferred by the executor; tools/homelab/src/commands/nx-tasks.ts). They take
  // nothing from Nx's command line: `nx affected -t synth validate deploy -- --dry-run` gives the
  // flags meant for deploy to every task it lists, and what synth writes and validate checks
  // must not depend on them (the executor reads its verb and service only).
  const build = (verb: 'synth' | 'validate'): TargetConfiguration['options'] => ({ verb, service });
  const vitest = (dir: string): TargetConfiguration['options'] => ({
    command: `vitest run ${projectRoot}/${dir} --passWithNoTests`,
    cwd: '{workspaceRoot}',
  });

  const targets: Record<string, TargetConfiguration> = {
    synth: {
      executor: HOMELAB_EXECUTOR,
      // Said here so Nx need not read the executor's schema to learn it while building the
      // graph: for a workspace executor that loads the TypeScript compiler (about 1 s of every
      // `nx show projects` / `nx graph` on 2 cores; measured with Nx 23.3.1).
      continuous: false,
      options: build('synth'),
      cache: true,
      inputs: synthInputs(own),
      outputs: [dist],
      metadata: {
        description: `Synthesize ${service}: Terraform JSON, config files, Ansible and manifest.json into dist/${service}/`,
        technologies: ['homelab'],
      },
    },
    validate: {
      executor: HOMELAB_EXECUTOR,
      continuous: false,
      options: build('validate'),
      dependsOn: ['synth'],
      cache: true,
      inputs: validateInputs(own),
      outputs: [],
      metadata: {
        description: `Validate dist/${service}/ against the upstream schemas (${DEFAULT_SCHEMAS_DIR}/ or $${SCHEMAS_DIR_ENV}), offline tools and policy rules`,
        technologies: ['homelab'],
      },
    },
    plan: {
      executor: 'nx:run-commands',
      options: homelab('plan'),
      dependsOn: ['synth'],
      cache: false,
      metadata: {
        description: `Show what deploying ${service} would change against its last deployed manifest (needs no cluster)`,
        technologies: ['homelab'],
      },
    },
    deploy: {
      executor: 'nx:run-commands',
      options: homelab('deploy'),
      // nx.json must not set targetDefaults.deploy.dependsOn: target defaults replace an inferred
      // dependsOn (they do not merge), and a copy that lost `params: 'forward'` would deploy the
      // dependencies of a dry run for real. `--exclude-task-dependencies` drops synth and
      // validate as well as the dependencies' deploys: list them, as deploy:affected does.
      dependsOn: DEPLOY_DEPENDS_ON,
      cache: false,
      metadata: {
        description: `Apply ${service} (terraform, then ansible, then smoke) after the services it depends on; refuses without a configured endpoint`,
        technologies: ['homelab'],
      },
    },
    smoke: {
      executor: 'nx:run-commands',
      options: vitest('smoke'),
      cache: false,
      metadata: {
        description: `Run ${service}'s smoke tests (${projectRoot}/smoke) against the live homelab`,
        technologies: ['vitest'],
      },
    },
    test: {
      executor: 'nx:run-commands',
      options: vitest('test'),
      cache: true,
      // Unit tests assert what synth produces, so they read what synth reads, plus the vitest config.
      inputs: [...synthInputs('default', own), '{workspaceRoot}/vitest.config.ts'],
      outputs: [],
      metadata: {
        description: `Run ${service}'s unit tests (${projectRoot}/test)`,
        technologies: ['vitest'],
      },
    },
  };

  if (input.hasTsconfig) {
    // Per package, not the root `tsc -p tsconfig.json`: that checks the whole repo, so running
    // it once per package repeats the same work N times and any change would miss every cache.
    // The package's tsconfig.json (written by the service generator) extends tsconfig.base.json
    // and includes src, test and smoke; tsc follows the imports into @homelab/core and /site.
    // Cached on the package, its dependencies' files (`^default`: core, site and the services it
    // depends on) and the base tsconfig, so `nx affected -t typecheck` checks what a change can
    // break. A package without a tsconfig.json gets no typecheck target; `npm run typecheck`
    // stays the one-shot check of the whole repo.
    targets['typecheck'] = {
      executor: 'nx:run-commands',
      options: { command: `tsc -p ${projectRoot}/tsconfig.json --noEmit`, cwd: '{workspaceRoot}' },
      cache: true,
      inputs: ['default', '^default', '{workspaceRoot}/tsconfig.base.json'],
      outputs: [],
      metadata: {
        description: `Type-check ${service} (src, test, smoke) with ${projectRoot}/tsconfig.json`,
        technologies: ['typescript'],
      },
    };
  }
  return targets;
}
