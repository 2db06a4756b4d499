/**
 * Runs one of this tool's modules as a script in a tsx child process and reads back the JSON
 * it prints. The Nx plugin and the generators run where TypeScript packages and site modules
 * cannot be imported (Nx's plugin worker, a generator's tree); the child can, with the workspace
 * as its directory and $HOMELAB_SITE as given.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export function runTsxScript<T>(scriptUrl: string, root: string): T {
  const out = execFileSync(process.execPath, ['--import', tsxLoader(), fileURLToPath(scriptUrl), root], {
    cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(out) as T;
}

/**
 * tsx's loader from this repository, not from whatever the workspace root resolves. Found through
 * its package.json: Nx loads this file transpiled to CommonJS, where import.meta.resolve is absent.
 */
function tsxLoader(): string {
  const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
  const entry = (JSON.parse(readFileSync(manifest, 'utf8')) as { exports: { '.': string } }).exports['.'];
  return pathToFileURL(join(dirname(manifest), entry)).href;
}

/** Whether the module at `moduleUrl` is the script node was started with. */
export function isScript(moduleUrl: string): boolean {
  return Boolean(process.argv[1]) && moduleUrl === pathToFileURL(process.argv[1]!).href;
}

/** The script side: prints what `read(root)` returns as one line of JSON. */
export async function printForParent(read: (root: string) => Promise<unknown>): Promise<void> {
  process.stdout.write(`${JSON.stringify(await read(process.argv[2] ?? process.cwd()))}\n`);
}

/** The error line of a child's stderr (`SiteModuleError: libs/site: ...`), not its stack. */
export function childError(error: unknown): string {
  const stderr = (error as { stderr?: string }).stderr ?? '';
  const line = stderr.split('\n').find((l) => /^\w*Error: /.test(l)) ?? stderr.trim().split('\n').at(-1);
  return (line || (error instanceof Error ? error.message : String(error))).slice(0, 2000);
}
