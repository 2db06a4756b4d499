/**
 * The one module that imports cdktf. cdktf was deprecated upstream in December 2025; its community
 * continuation is CDK Terrain (`cdktn`). Switching is a change to this file only
 * (docs/decisions.md, "cdktf behind one module").
 */
export { App, LocalBackend, TerraformProvider, TerraformResource, TerraformStack, TerraformVariable, TerraformOutput } from 'cdktf';
export type { TerraformResourceConfig } from 'cdktf';
export { Construct } from 'constructs';
