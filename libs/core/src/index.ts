/**
 * @homelab/core: the site-agnostic framework, every layer at once. A package that needs one layer
 * imports its subpath (`@homelab/core/render`, ...; layers/*.ts), so it loads no more than that.
 */
export * from './layers/model.ts';
export * from './layers/render.ts';
export * from './layers/terraform.ts';
export * from './layers/policy.ts';
export * from './layers/synth.ts';
export * from './layers/validate.ts';
export * from './layers/smoke.ts';
export * from './layers/plan.ts';
export * from './layers/deploy.ts';
export * from './layers/fleet.ts';
