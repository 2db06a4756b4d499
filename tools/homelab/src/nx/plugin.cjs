// The file nx.json registers: the homelab Nx plugin (plugin.ts), loaded without Nx's
// TypeScript transpiler. For a `.ts` plugin Nx registers swc and reads the tsconfig with the
// TypeScript compiler in every plugin worker, about 1.2 s of each `nx` command on 2 cores
// before the plugin's first line runs. This entry is plain CommonJS: tsx's require hook, scoped
// to this one require (the plugin and the few files it imports), transpiles them with esbuild
// and keeps the result in tsx's cache, so an unchanged plugin is not transpiled again. The
// plugin imports nothing of @nx/devkit at run time (plugin.ts); the model's edges come from a
// cache (model-edges-cache.ts).
'use strict';
const { require: tsxRequire } = require('tsx/cjs/api');

module.exports = tsxRequire('./plugin.ts', __filename);
