/**
 * Home Assistant OS's first run, before anything that talks to its MQTT broker (Zigbee2MQTT).
 * Automated through HA's onboarding REST API (homeassistant/components/onboarding/views.py):
 * `GET /api/onboarding` lists the steps and whether each is done (no auth); while the `user`
 * step is not done, `POST /api/onboarding/users {client_id, name, username, password, language}`
 * creates the owner, from HA_OWNER_USERNAME / HA_OWNER_PASSWORD (a body built in-process, never an
 * argv). The other onboarding steps (home location, analytics, integrations) are the operator's
 * choices and stay in the UI, checked. The Mosquitto add-on is installed and configured in the
 * UI too (the Supervisor's add-on API is reachable only through HA's websocket with an admin
 * token, which bootstrap does not hold): checked by an MQTT CONNECT with the broker login of its
 * client (zigbee2mqtt), answered CONNACK 0.
 */
import type { Homelab } from '../model/homelab.ts';
import type { NormalizedService } from '../model/service.ts';
import { nodeHttp, nodeMqttProbe } from './appliance-http.ts';
import { serviceEnv } from './deploy-phases.ts';
import type { BootstrapBlocker, BootstrapContext, BootstrapPhase, PhaseResult } from './phase.ts';

export const HAOS_OS = 'haos';
export const HA_OWNER_USERNAME_ENV = 'HA_OWNER_USERNAME';
export const HA_OWNER_PASSWORD_ENV = 'HA_OWNER_PASSWORD';
export const HA_OWNER_NAME_ENV = 'HA_OWNER_NAME';
/** The broker login of Zigbee2MQTT (packages/zigbee2mqtt MQTT_USER and the variable of its password; a test holds them equal). */
export const MQTT_CLIENT_LOGIN = { username: 'zigbee2mqtt', passwordEnv: 'Z2M_MQTT_PASSWORD' } as const;
/** HA's own port (packages/home-assistant HA_PORT), when the service declares no route. */
export const HA_DEFAULT_PORT = 8123;
export const MQTT_DEFAULT_PORT = 1883;

export function haService(home: Homelab): NormalizedService | undefined {
  return home.services.find((s) => s.guests.some((g) => g.os === HAOS_OS));
}

const isSet = (v: string | undefined): v is string => v !== undefined && v.trim() !== '';

function where(s: NormalizedService) {
  const guest = s.guests[0];
  const port = s.routes[0]?.port ?? HA_DEFAULT_PORT;
  const mqttPort = (s.facts as { mqttBroker?: { port?: number } }).mqttBroker?.port ?? MQTT_DEFAULT_PORT;
  return { base: `http://${s.ip}:${port}`, ip: s.ip!, node: guest?.node?.name ?? '?', vmid: guest?.placement.vmid ?? 0, mqttPort };
}

const MQTT_REFUSED: Readonly<Record<number, string>> = { 1: 'unacceptable protocol version', 2: 'identifier rejected', 3: 'server unavailable', 4: 'bad user name or password', 5: 'not authorized' };

export const homeAssistantFirstRunPhase: BootstrapPhase = {
  id: 'home-assistant-first-run',
  title: 'Home Assistant OS first run: owner (API), onboarding and MQTT broker (checked)',
  describe: (ctx) => {
    const s = haService(ctx.home);
    if (!s) return [];
    const w = where(s);
    return [
      { what: `deploy ${s.name} (VM ${w.vmid} on ${w.node}, from its disk image)`, mutates: true },
      { what: `${s.name}: owner user through POST ${w.base}/api/onboarding/users from $${HA_OWNER_USERNAME_ENV} / $${HA_OWNER_PASSWORD_ENV} (skipped when GET /api/onboarding says the user step is done)`, mutates: true },
      { what: `${s.name}: the rest of onboarding (location, analytics) done in the UI; checked: GET ${w.base}/api/onboarding lists every step done`, mutates: false, manual: true },
      { what: `${s.name}: Mosquitto add-on with the ${MQTT_CLIENT_LOGIN.username} login; checked: MQTT CONNECT to ${w.ip}:${w.mqttPort} as ${MQTT_CLIENT_LOGIN.username} ($${MQTT_CLIENT_LOGIN.passwordEnv}) is accepted`, mutates: false, manual: true },
    ];
  },
  async run(ctx): Promise<PhaseResult> {
    const s = haService(ctx.home);
    if (!s) return { changed: [], verified: ['no Home Assistant OS in this homelab'], blockers: [] };
    const w = where(s);
    const http = ctx.http ?? nodeHttp;
    const mqtt = ctx.mqtt ?? nodeMqttProbe;
    const changed: string[] = [];
    const verified: string[] = [];
    const result = (blockers: BootstrapBlocker[]): PhaseResult => ({ changed, verified, blockers });

    const r = await ctx.deploy([s.name], serviceEnv(ctx));
    changed.push(...r.changed);
    if (r.exitCode !== 0) return result([{ check: `deploy:${s.name}`, message: `deploy of ${s.name} ended with exit code ${r.exitCode} (its output above says why)`, fix: 'Fix what the deploy output names, then rerun homelab bootstrap.' }]);

    const console = `the console of VM ${w.vmid} on ${w.node}`;
    const steps = async (): Promise<{ step: string; done: boolean }[] | string> => {
      try {
        const res = await http({ method: 'GET', url: `${w.base}/api/onboarding` });
        if (res.status !== 200) return `HTTP ${res.status}`;
        const list = JSON.parse(res.body) as unknown;
        return Array.isArray(list) ? list as { step: string; done: boolean }[] : 'an answer that is not a list of steps';
      } catch (e) { return (e as Error).message; }
    };
    let listed = await steps();
    if (typeof listed === 'string') return result([{ check: 'ha-up', message: `Home Assistant does not answer at ${w.base}/api/onboarding (${listed})`, fix: `Open ${console}: HAOS prints its address there once booted (a first boot takes minutes). Give it ${w.ip} (in the console: network update enp0s18 --ipv4-method static --ipv4-address ${w.ip}/<prefix> ..., or a DHCP reservation), then rerun.` }]);

    if (!listed.find((x) => x.step === 'user')?.done) {
      const username = ctx.env[HA_OWNER_USERNAME_ENV];
      const password = ctx.env[HA_OWNER_PASSWORD_ENV];
      if (!isSet(username) || !isSet(password)) return result([{ check: 'ha-owner', message: `Home Assistant has no owner yet, and ${HA_OWNER_USERNAME_ENV} / ${HA_OWNER_PASSWORD_ENV} are not set to create one with`, fix: `Export ${HA_OWNER_USERNAME_ENV} and ${HA_OWNER_PASSWORD_ENV} (and ${HA_OWNER_NAME_ENV} for the display name) and rerun, or create the owner yourself at ${w.base}/onboarding.html.` }]);
      const res = await http({
        method: 'POST', url: `${w.base}/api/onboarding/users`,
        body: JSON.stringify({ client_id: `${w.base}/`, name: ctx.env[HA_OWNER_NAME_ENV]?.trim() || username, username, password, language: 'en' }),
      });
      if (res.status !== 200) throw new Error(`Home Assistant answered POST /api/onboarding/users with HTTP ${res.status}: ${res.body.slice(0, 200)}`);
      changed.push(`${s.name}: owner ${username} created through the onboarding API`);
      listed = await steps();
      if (typeof listed === 'string') throw new Error(`Home Assistant stopped answering after the owner was created (${listed})`);
    } else verified.push(`${s.name}: owner exists (onboarding user step done)`);

    const blockers: BootstrapBlocker[] = [];
    const open = listed.filter((x) => !x.done).map((x) => x.step);
    if (open.length) blockers.push({ check: 'ha-onboarding', message: `Home Assistant's onboarding is not finished: ${open.join(', ')} not done`, fix: `Log in at ${w.base} as the owner and finish onboarding (home location, analytics, integrations), then rerun.` });
    else verified.push(`${s.name}: onboarding done`);

    const password = ctx.env[MQTT_CLIENT_LOGIN.passwordEnv];
    const addon = `In Home Assistant (Settings → Add-ons → Add-on store) install and start "Mosquitto broker", add the login ${MQTT_CLIENT_LOGIN.username} with the password in ${MQTT_CLIENT_LOGIN.passwordEnv} (its Configuration → logins), then rerun.`;
    if (!isSet(password)) blockers.push({ check: 'mqtt-login', message: `${MQTT_CLIENT_LOGIN.passwordEnv} is not set: the broker login cannot be checked`, fix: `Export ${MQTT_CLIENT_LOGIN.passwordEnv} (the password Zigbee2MQTT logs in with), then rerun.` });
    else {
      const answer = await mqtt(w.ip, w.mqttPort, { username: MQTT_CLIENT_LOGIN.username, password }).then((a) => a.returnCode, (e: Error) => e.message);
      if (answer === 0) verified.push(`${s.name}: MQTT broker at ${w.ip}:${w.mqttPort} accepts ${MQTT_CLIENT_LOGIN.username}`);
      else if (typeof answer === 'string') blockers.push({ check: 'mqtt-broker', message: `no MQTT broker answers at ${w.ip}:${w.mqttPort} (${answer})`, fix: addon });
      else blockers.push({ check: 'mqtt-login', message: `the MQTT broker at ${w.ip}:${w.mqttPort} refuses ${MQTT_CLIENT_LOGIN.username}: ${MQTT_REFUSED[answer] ?? `return code ${answer}`}`, fix: addon });
    }
    return result(blockers);
  },
};
