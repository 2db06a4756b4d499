import { defineService, renderScript, type ConfigFile, type RenderContext } from '@homelab/core/model';
import { envRef, generatedHeader, systemdUnit } from '@homelab/core/render';

/** mailcow-dockerized is installed from its own repository, at a pinned release tag (assumption). */
export const MAILCOW_REPO = 'https://github.com/mailcow/mailcow-dockerized.git';
export const MAILCOW_VERSION = '2025-07';
export const MAILCOW_DIR = '/opt/mailcow-dockerized';
/** mailcow's nginx listens here; Traefik terminates TLS in front of it. */
export const HTTP_PORT = 8080;
const HTTPS_PORT = 8443;
export const MAIL_PORTS = [
  { port: 25, description: 'SMTP (inbound mail from other servers)' },
  { port: 465, description: 'SMTPS (submission over TLS)' },
  { port: 587, description: 'Submission (STARTTLS)' },
  { port: 993, description: 'IMAPS' },
] as const;
const ENV = { dbPass: 'MAILCOW_DBPASS', dbRoot: 'MAILCOW_DBROOT', redisPass: 'MAILCOW_REDISPASS' } as const;
const INSTALL_SCRIPT = '/usr/local/sbin/mailcow-install.sh';
/** The install script's source beside this package (found from the module, so it ships with it). */
const INSTALL_SCRIPT_SOURCE = new URL('../scripts/mailcow-install.sh', import.meta.url);

function mailcowConf(ctx: RenderContext, hostname: string): string {
  const header = generatedHeader(ctx.service.pkg, 'mailcow.conf (mailcow-dockerized reads it as its .env). Secrets are resolved at deploy.');
  const settings: [string, string][] = [
    ['MAILCOW_HOSTNAME', hostname],
    ['MAILCOW_PASS_SCHEME', 'BLF-CRYPT'],
    ['DBNAME', 'mailcow'],
    ['DBUSER', 'mailcow'],
    ['DBPASS', envRef(ENV.dbPass)],
    ['DBROOT', envRef(ENV.dbRoot)],
    ['REDISPASS', envRef(ENV.redisPass)],
    // Traefik (another host) terminates TLS and proxies to this port; mailcow does not redirect.
    ['HTTP_PORT', String(HTTP_PORT)],
    ['HTTP_BIND', ''],
    ['HTTPS_PORT', String(HTTPS_PORT)],
    ['HTTPS_BIND', ''],
    ['HTTP_REDIRECT', 'n'],
    ['SMTP_PORT', '25'],
    ['SMTPS_PORT', '465'],
    ['SUBMISSION_PORT', '587'],
    // Plain IMAP/POP3 and Sieve are bound to loopback: only IMAPS is offered on the LAN.
    ['IMAP_PORT', '127.0.0.1:143'],
    ['IMAPS_PORT', '993'],
    ['POP_PORT', '127.0.0.1:110'],
    ['POPS_PORT', '127.0.0.1:995'],
    ['SIEVE_PORT', '127.0.0.1:4190'],
    ['DOVEADM_PORT', '127.0.0.1:19991'],
    ['SQL_PORT', '127.0.0.1:13306'],
    ['REDIS_PORT', '127.0.0.1:7654'],
    ['TZ', 'America/Los_Angeles'],
    ['COMPOSE_PROJECT_NAME', 'mailcowdockerized'],
    ['DOCKER_COMPOSE_VERSION', 'native'],
    ['ACL_ANYONE', 'disallow'],
    ['MAILDIR_GC_TIME', '7200'],
    ['ADDITIONAL_SAN', ''],
    ['AUTODISCOVER_SAN', 'y'],
    ['ADDITIONAL_SERVER_NAMES', ''],
    // The router forwards only 80/443 to Traefik: mailcow's own ACME (HTTP-01) cannot work here.
    // Certificates for SMTP/IMAP are an open question (see the package README).
    ['SKIP_LETS_ENCRYPT', 'y'],
    ['ENABLE_SSL_SNI', 'n'],
    ['SKIP_IP_CHECK', 'y'],
    ['SKIP_HTTP_VERIFICATION', 'y'],
    ['SKIP_UNBOUND_HEALTHCHECK', 'n'],
    ['SKIP_CLAMD', 'n'],
    ['SKIP_SOGO', 'n'],
    ['SKIP_FTS', 'n'],
    ['FTS_HEAP', '128'],
    ['FTS_PROCS', '1'],
    ['ALLOW_ADMIN_EMAIL_LOGIN', 'n'],
    ['USE_WATCHDOG', 'y'],
    ['WATCHDOG_NOTIFY_BAN', 'n'],
    ['WATCHDOG_NOTIFY_START', 'n'],
    ['WATCHDOG_EXTERNAL_CHECKS', 'n'],
    ['WATCHDOG_VERBOSE', 'n'],
    ['LOG_LINES', '9999'],
    ['IPV4_NETWORK', '172.22.1'],
    ['IPV6_NETWORK', 'fd4d:6169:6c63:6f77::/64'],
    // The LAN and the LXC have no IPv6.
    ['ENABLE_IPV6', 'false'],
    ['MAILDIR_SUB', 'Maildir'],
    ['SOGO_EXPIRE_SESSION', '480'],
    ['DOVECOT_MASTER_USER', ''],
    ['DOVECOT_MASTER_PASS', ''],
    ['ACME_CONTACT', ''],
    ['WEBAUTHN_ONLY_TRUSTED_VENDORS', 'n'],
    ['SPAMHAUS_DQS_KEY', ''],
    ['DISABLE_NETFILTER_ISOLATION_RULE', 'n'],
  ];
  return `${[...header.map((l) => `# ${l}`), ...settings.map(([k, v]) => `${k}=${v}`)].join('\n')}\n`;
}

function installScript(ctx: RenderContext): string {
  return renderScript(INSTALL_SCRIPT_SOURCE, {
    header: generatedHeader(ctx.service.pkg, 'Installs mailcow-dockerized at the pinned tag (idempotent) and links .env to mailcow.conf.'),
    values: { dir: MAILCOW_DIR, version: MAILCOW_VERSION, repo: MAILCOW_REPO },
  });
}

function files(ctx: RenderContext): ConfigFile[] {
  const pkg = ctx.service.pkg;
  const webmail = ctx.service.routes.find((r) => r.name === 'mail')!;
  return [
    { path: `${MAILCOW_DIR}/mailcow.conf`, mode: '0600', format: 'text', secret: true, content: mailcowConf(ctx, webmail.fqdn), restarts: ['mailcow.service'] },
    { path: INSTALL_SCRIPT, mode: '0755', format: 'shell', content: installScript(ctx), restarts: ['mailcow.service'] },
    {
      path: '/etc/systemd/system/mailcow.service', mode: '0644', format: 'systemd',
      content: systemdUnit({
        Unit: { Description: `mailcow-dockerized ${MAILCOW_VERSION} (its own Compose project)`, Requires: 'docker.service', After: 'docker.service network-online.target', Wants: 'network-online.target' },
        Service: {
          Type: 'oneshot',
          RemainAfterExit: true,
          WorkingDirectory: MAILCOW_DIR,
          ExecStartPre: INSTALL_SCRIPT,
          ExecStart: '/usr/bin/docker compose up --detach --remove-orphans',
          ExecStop: '/usr/bin/docker compose down',
          TimeoutStartSec: '30min',
        },
        Install: { WantedBy: 'multi-user.target' },
      }, generatedHeader(pkg, 'mailcow: installed from its repository at a pinned tag, run with its own docker-compose.yml.')),
    },
  ];
}

export default defineService({
  name: 'mailcow',
  description: 'Mail stack (mailcow-dockerized): Postfix, Dovecot, Rspamd, ClamAV and SOGo webmail',
  kind: 'lxc',
  // Not in the seed's weight table (assumption: normal, 1024). ClamAV alone needs ~1.5 GiB.
  tier: 'normal',
  group: 'apps',
  docker: true,
  resources: { cores: 4, memoryMiB: 6144, disks: [{ storage: 'local', sizeGiB: 80 }] },
  routes: [
    // Webmail and the mailbox users' settings: mailcow's own login (users are not homelab admins).
    { name: 'mail', host: 'mail', port: HTTP_PORT, auth: 'app', admin: false, probePath: '/SOGo/' },
    // The same UI for the administrator: an admin surface, so behind Authentik as well.
    { name: 'mail-admin', host: 'mail-admin', port: HTTP_PORT, auth: 'authentik', admin: true, probePath: '/' },
  ],
  ports: [
    ...MAIL_PORTS.map((p) => ({ port: p.port, protocol: 'tcp' as const, description: `${p.description}; not port-forwarded by the router (open question)`, from: ['lan'] })),
    { port: HTTP_PORT, protocol: 'tcp', description: 'mailcow nginx (HTTP, behind Traefik)' },
  ],
  secrets: [
    { env: ENV.dbPass, description: 'mailcow MariaDB user password (long random alphanumeric)' },
    { env: ENV.dbRoot, description: 'mailcow MariaDB root password (long random alphanumeric)' },
    { env: ENV.redisPass, description: 'mailcow Redis password (long random alphanumeric)' },
  ],
  hostPackages: { mailcow: ['docker.io', 'docker-compose', 'git', 'openssl'] },
  dependsOn: ['authentik', 'traefik'],
  files,
});
