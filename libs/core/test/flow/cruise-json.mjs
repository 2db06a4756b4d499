// Prints dependency-cruiser's result for `node cruise-json.mjs <baseDir> <entry>...` as JSON.
// It runs in a process of its own: several cruises at once in vitest's worker threads crash Node 20.
import { cruise } from 'dependency-cruiser';

const [baseDir, ...entries] = process.argv.slice(2);
const result = await cruise(entries, {
  baseDir,
  tsPreCompilationDeps: true,
  moduleSystems: ['es6', 'cjs'],
  doNotFollow: { path: 'node_modules' },
}, { extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'] });
process.stdout.write(JSON.stringify(result.output));
