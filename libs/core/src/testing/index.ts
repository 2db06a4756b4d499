/** @homelab/core/testing: a fictional site and the helpers package tests synthesize against it with. */
export * from './fixture-image-checksums.ts';
export * from './fixture-site.ts';
export * from './placement-of.ts';
export * from './synthesize-for.ts';
