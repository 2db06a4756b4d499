// The Nx executor `@homelab/tools:homelab` (executors.json): synth and validate of service
// packages. Plain CommonJS because Nx require()s an executor; the work is in TypeScript
// (src/commands/nx-tasks.ts), loaded once per process through tsx's loader, the way
// bin/homelab.js runs the CLI. In Nx's batch mode (`preferBatch`: the default for these
// targets) one process runs every synth and validate task of a run: `runBatch`. Without it
// (`--batch=false`, NX_BATCH_MODE=false) each task is a process of its own: `runOne`.
'use strict';
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

let loaded;
/** src/commands/nx-tasks.ts, through tsx (registered once). */
function tasksModule() {
  loaded ??= (async () => {
    const { register } = await import('tsx/esm/api');
    register();
    return import(pathToFileURL(join(__dirname, '..', '..', 'src', 'commands', 'nx-tasks.ts')).href);
  })();
  return loaded;
}

/** The commands ran from the workspace root (`cwd: {workspaceRoot}`); so does this. */
function enterRoot(root) {
  if (process.cwd() !== root) process.chdir(root);
}

/** One task: Nx's executor interface (options, context) → { success }. */
async function runOne(options, context) {
  enterRoot(context.root);
  const m = await tasksModule();
  const id = `${context.projectName}:${context.targetName}`;
  let success = true;
  for await (const { result } of m.runHomelabTasks([m.homelabTaskOf(id, options)], { root: context.root })) {
    if (result.terminalOutput) process.stdout.write(`${result.terminalOutput}\n`);
    success &&= result.success;
  }
  return { success };
}

/**
 * Every task of a batch: Nx's batch interface (taskGraph, inputs by task id, overrides,
 * context) → an async iterator of { task, result }, one per task as soon as it is known.
 */
async function runBatch(taskGraph, inputs, _overrides, context) {
  enterRoot(context.root);
  const m = await tasksModule();
  const tasks = Object.keys(taskGraph.tasks).map((id) => m.homelabTaskOf(id, inputs[id] ?? {}));
  return m.runHomelabTasks(tasks, { root: context.root });
}

module.exports = { runOne, runBatch };
