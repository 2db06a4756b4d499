/**
 * The one module that imports cdktf. cdktf was deprecated upstream in December 2025; its community
 * continuation is CDK Terrain (`cdktn`). Switching is a change to this file only
 * (docs/decisions.md, "cdktf behind one module").
 */
export { App, LocalBackend, TerraformProvider, TerraformResource, TerraformStack, TerraformVariable, TerraformOutput } from 'cdktf';
export type { TerraformResourceConfig } from 'cdktf';
import { Construct } from 'constructs';
import type { TerraformScope } from '../model/service.ts';

export { Construct };

/**
 * The cdktf construct behind a service's `TerraformScope`: synthesizeStack passes its stack, so
 * anything else is a caller that did not get its scope from the stack.
 */
export function constructOf(scope: TerraformScope): Construct {
  if (scope instanceof Construct) return scope;
  throw new TypeError('a Terraform scope is the stack synthesizeStack passes to a service\'s terraform function; this value is not a cdktf construct');
}
