/**
 * Smoke tests of zigbee2mqtt against the live homelab. Skipped (with the reason) unless
 * HOMELAB_SMOKE_TARGET is set; see docs/smoke.md.
 */
import { serviceSmokeRows } from '@homelab/core/smoke';
import { describeSmoke } from '@homelab/core/smoke-table';
import { synthesizeThisSite } from '@homelab/site/testing';

const { home } = await synthesizeThisSite();
const service = home.byName.get('zigbee2mqtt')!;
const broker = home.byName.get('home-assistant')!;

describeSmoke('zigbee2mqtt', [
  ...serviceSmokeRows(home, service),
  { kind: 'tcp', host: broker.ip!, port: 1883, title: 'the MQTT broker on Home Assistant OS accepts connections' },
]);
