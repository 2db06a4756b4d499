import type { Problem } from '../model/problem.ts';
import type { NormalizedService, ConfigFile } from '../model/service.ts';
import type { Site } from '../model/site.ts';

/** Everything a policy rule may look at. */
export interface PolicyContext {
  readonly site: Site;
  /** Source name used for problems about the site itself. */
  readonly siteSource: string;
  readonly services: readonly NormalizedService[];
  readonly byName: ReadonlyMap<string, NormalizedService>;
  /** Rendered files per service name, present once synthesis has rendered them. */
  readonly files?: ReadonlyMap<string, readonly ConfigFile[]>;
  /** Synthesized Terraform JSON per service name (services with a stack only), present once synthesis has run. */
  readonly stacks?: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
}

export interface PolicyRule {
  /** Kebab-case rule name, shown in `homelab rules`. */
  readonly name: string;
  /** The stable codes this rule can report. */
  readonly codes: readonly string[];
  /** The seed promise it enforces, in one sentence. */
  readonly description: string;
  /**
   * `model`: checks the model; runs when the model is built, and again once files are rendered,
   * when only its problems about files (`files[...]` paths) are kept. `rendered`: needs the
   * rendered files or Terraform stacks; runs only once they exist, and all its problems are kept.
   * @default "model"
   */
  readonly phase?: 'model' | 'rendered';
  readonly check: (ctx: PolicyContext) => Problem[];
}
