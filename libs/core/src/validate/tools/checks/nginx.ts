/**
 * nginx configs through `nginx -t` (Debian package nginx, the one the targets install).
 *
 * `nginx -t` opens every file the config writes (pid, logs, temp and cache directories), which
 * would need root and touch /run and /var. As packages/recipe-site does in its own test (where the
 * paths are parameters), the check runs on a copy whose writable paths are moved into a temporary
 * prefix, one directive at a time and on the same line, so nginx's line numbers still point at the
 * generated file. Everything else is checked as written, including `include`d system files such
 * as /etc/nginx/mime.types (installed with nginx).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { helperName, type LaidOutArtifact } from '../layout.ts';
import { abnormalExit, toolMessage } from '../run-validator.ts';
import { abnormalProblem, checkResult, missingResult, toolOutput, toolPath, type ToolCheck, type ToolCheckContext } from '../tool-check.ts';

export const NGINX_CHECK = 'nginx -t';

/** Directives whose first argument is a path nginx writes to or creates. */
const WRITABLE = ['pid', 'lock_file', 'error_log', 'access_log', 'client_body_temp_path', 'proxy_temp_path', 'fastcgi_temp_path', 'uwsgi_temp_path', 'scgi_temp_path', 'proxy_cache_path', 'fastcgi_cache_path', 'uwsgi_cache_path', 'scgi_cache_path'];
const DIRECTIVE = new RegExp(`^(\\s*(?:${WRITABLE.join('|')})\\s+)(["']?)(/[^\\s;"']*)`, 'gm');

/**
 * The config with absolute writable paths moved under `prefix` (`/run/nginx.pid` →
 * `<prefix>/run/nginx.pid`), and the directories nginx expects to exist. `/dev/*` is kept.
 */
export function relocateWritablePaths(text: string, prefix: string): { text: string; dirs: string[]; moved: number } {
  const dirs = new Set<string>();
  let moved = 0;
  const out = text.replace(DIRECTIVE, (whole, lead: string, quote: string, file: string) => {
    if (file.startsWith('/dev/')) return whole;
    moved++;
    const relocated = path.join(prefix, file);
    dirs.add(path.dirname(relocated));
    return `${lead}${quote}${relocated}`;
  });
  return { text: out, dirs: [...dirs].sort(), moved };
}

export async function checkNginx(ctx: ToolCheckContext, artifact: LaidOutArtifact, content: string): Promise<ToolCheck> {
  const nginx = toolPath(ctx, 'nginx');
  if (!nginx) return missingResult(ctx, artifact, NGINX_CHECK, 'nginx');
  const dir = path.dirname(artifact.path);
  const prefix = path.join(dir, helperName(artifact.path, 'nginx-prefix'));
  const { text, dirs, moved } = relocateWritablePaths(content, path.join(prefix, 'root'));
  for (const d of [prefix, ...dirs]) await mkdir(d, { recursive: true });
  // Next to the original, so relative includes resolve from the same directory.
  const copy = path.join(dir, helperName(artifact.path, 'nginx-t'));
  await writeFile(copy, text);
  const notes = moved ? [`checked a copy with ${moved} pid/log/temp/cache path${moved === 1 ? '' : 's'} moved into a temporary directory (same lines)`] : [];
  const exit = await ctx.runner.run({
    label: NGINX_CHECK, file: nginx, cwd: dir,
    args: ['-t', '-q', '-p', `${prefix}/`, '-e', path.join(prefix, 'startup-error.log'), '-c', copy],
  });
  if (abnormalExit(exit)) return checkResult(artifact, NGINX_CHECK, 'nginx', [abnormalProblem(artifact, NGINX_CHECK, exit, ctx)], notes);
  if (exit.exitCode === 0) return checkResult(artifact, NGINX_CHECK, 'nginx', [], notes);
  const name = path.basename(artifact.path);
  const lines = toolOutput(exit, ctx, (l) => !/test failed$/.test(l) && !/syntax is ok$/.test(l))
    .map((l) => l.split(copy).join(name).split(path.basename(copy)).join(name));
  const at = /:(\d+)$/.exec(lines.find((l) => /\[emerg\]/.test(l)) ?? '');
  return checkResult(artifact, NGINX_CHECK, 'nginx', [{
    source: artifact.source, path: at ? `line ${at[1]}` : '', code: 'NginxTestFailed',
    message: `${NGINX_CHECK} rejected the config:\n        ${toolMessage(lines.length ? lines : [`exit code ${exit.exitCode}`])}`,
    fix: 'Fix the directive nginx names; the lines above are nginx\'s own message.',
  }], notes);
}
