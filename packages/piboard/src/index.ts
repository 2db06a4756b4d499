import { defineService, type ConfigFile, type RenderContext } from '@homelab/core/model';
import { generatedHeader, systemdEnvironment, systemdUnit } from '@homelab/core/render';

/** Where the dashboard binary lives on the Pi (built for linux/arm64 by the app's own release; assumption). */
export const PIBOARD_BINARY = '/usr/local/bin/piboard';
export const DASHBOARD_LISTEN = '127.0.0.1:8080';
/** The Waveshare 5" HDMI display's native mode. */
export const DISPLAY = { width: 800, height: 480 } as const;
const USER = 'piboard';
const PROMETHEUS_PORT = 9090;

function files(ctx: RenderContext): ConfigFile[] {
  const pkg = ctx.service.pkg;
  const monitoring = ctx.services.find((s) => s.name === 'monitoring');
  if (!monitoring?.ip) throw new Error('piboard polls the monitoring service\'s Prometheus, which has no address');
  const header = (what: string) => generatedHeader(pkg, what);
  const prometheusUrl = `http://${monitoring.ip}:${PROMETHEUS_PORT}`;
  return [
    {
      path: `/etc/sysusers.d/${USER}.conf`, mode: '0644', format: 'text',
      content: [...header('System user of the dashboard and the kiosk (systemd-sysusers).').map((l) => `# ${l}`),
        `u ${USER} - "Piboard dashboard" /var/lib/${USER}`, `m ${USER} video`, `m ${USER} render`, `m ${USER} input`, `m ${USER} tty`, ''].join('\n'),
    },
    {
      path: '/etc/systemd/system/piboard.service', mode: '0644', format: 'systemd',
      content: systemdUnit({
        Unit: { Description: 'Piboard: Prometheus dashboard served over SSE', 'After': 'network-online.target', Wants: 'network-online.target' },
        Service: {
          ExecStartPre: `+/usr/bin/systemd-sysusers /etc/sysusers.d/${USER}.conf`,
          ExecStart: PIBOARD_BINARY,
          Environment: systemdEnvironment({ PROMETHEUS_URL: prometheusUrl, PIBOARD_LISTEN: DASHBOARD_LISTEN, PIBOARD_REFRESH: '15s' }),
          User: USER,
          Restart: 'always',
          RestartSec: '5s',
          NoNewPrivileges: true,
          ProtectSystem: 'strict',
          ProtectHome: true,
          StateDirectory: USER,
        },
        Install: { WantedBy: 'multi-user.target' },
      }, header('The dashboard: polls Prometheus and pushes updates to the page over SSE.')),
    },
    {
      path: '/etc/systemd/system/piboard-kiosk.service', mode: '0644', format: 'systemd',
      content: systemdUnit({
        Unit: { Description: 'Piboard kiosk: the dashboard full screen on the Waveshare display', After: 'piboard.service systemd-user-sessions.service', Wants: 'piboard.service', Conflicts: 'getty@tty1.service' },
        Service: {
          User: USER,
          PAMName: 'login',
          TTYPath: '/dev/tty1',
          StandardInput: 'tty',
          UtmpIdentifier: 'tty1',
          ExecStart: `/usr/bin/cage -d -- /usr/bin/chromium-browser --kiosk --noerrdialogs --disable-infobars --no-first-run --incognito --check-for-update-interval=31536000 --window-size=${DISPLAY.width},${DISPLAY.height} http://${DASHBOARD_LISTEN}/`,
          Restart: 'always',
          RestartSec: '5s',
        },
        Install: { WantedBy: 'multi-user.target' },
      }, header('Kiosk: cage (Wayland kiosk compositor) running Chromium on tty1, no cursor, no dialogs.')),
    },
  ];
}

export default defineService({
  name: 'piboard',
  description: 'Go dashboard on a Raspberry Pi 3B with a Waveshare 5" display; polls Prometheus and streams it over SSE',
  kind: 'external',
  placement: 'piboard',
  tier: 'minimal',
  group: 'observability',
  // Raspberry Pi OS (bookworm) package names; the dashboard binary itself is installed by its release.
  hostPackages: { piboard: ['cage', 'chromium-browser'] },
  dependsOn: ['monitoring'],
  files,
});
