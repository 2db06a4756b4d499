import { defineService, deviceNodeOf, type ConfigFile, type RenderContext } from '@homelab/core/model';
import { composeFile, envRef, generatedHeader, stackDir, toYaml } from '@homelab/core/render';

/** Trunk Recorder's release workflow tags vX.Y.Z as X.Y.Z on Docker Hub. */
export const TRUNK_RECORDER_IMAGE = 'docker.io/robotastic/trunk-recorder:5.2.1';
/**
 * rdio-scanner publishes only `latest` (upstream Makefile and image README): it cannot be pinned
 * to a tag. Pin it by digest after the first pull; see docs/decisions.md.
 */
export const RDIO_SCANNER_IMAGE = 'docker.io/chuot/rdio-scanner:latest';
export const RDIO_PORT = 3000;
const STACK = stackDir('sdr-scanner');
const SDR = 'rtl-sdr';
const API_KEY = 'SDR_RDIO_API_KEY';
/** The Compose profile that keeps Trunk Recorder stopped while the radio parameters are placeholders. */
export const PLACEHOLDER_PROFILE = 'radio-parameters-missing';

export interface P25Site {
  /** Trunk Recorder system name (4–6 letters). */
  readonly shortName: string;
  /** Control channels in Hz, primary first. */
  readonly controlChannelsHz: readonly number[];
  /** RTL-SDR gain in dB, found with GQRX on site. */
  readonly gainDb?: number;
  /** P25 control channel modulation: `qpsk` (LSM/CQPSK, simulcast) or `fsk4` (C4FM). */
  readonly modulation: 'qpsk' | 'fsk4';
  /** rdio-scanner system id the uploads go to. */
  readonly rdioSystemId: number;
}

/**
 * SNO911's P25 Phase II system. PLACEHOLDER: the seed names the system and the RTL-SDR V4 but no
 * frequencies, and gain is a property of the antenna site. Fill in `controlChannelsHz` from the
 * system's RadioReference entry and `gainDb` from a GQRX survey; until both are set, Trunk Recorder
 * is kept stopped (Compose profile), so it never listens on invented frequencies. Recorded in
 * libs/site/src/assumptions.ts.
 */
export const SNO911: P25Site = { shortName: 'sno911', controlChannelsHz: [], modulation: 'qpsk', rdioSystemId: 1 };

/** An RTL-SDR is stable at 2.4 MS/s (Trunk Recorder's recommendation): it covers ±1.2 MHz of the centre. */
export const RTL_SDR_RATE = 2_400_000;

/** The radio parameters still missing, by name; empty when Trunk Recorder can run. */
export function missingRadioParameters(p: P25Site): string[] {
  return [...(p.controlChannelsHz.length === 0 ? ['controlChannelsHz'] : []), ...(p.gainDb === undefined ? ['gainDb'] : [])];
}

/** Trunk Recorder's config.json (ver 2) for one P25 system on one RTL-SDR, uploading to rdio-scanner. */
export function trunkRecorderConfig(p: P25Site, o: { readonly rdioServer: string; readonly apiKey: string }): Record<string, unknown> {
  const channels = [...p.controlChannelsHz];
  const center = channels.length ? Math.round((Math.min(...channels) + Math.max(...channels)) / 2) : undefined;
  return {
    ver: 2,
    captureDir: '/app/media',
    logLevel: 'info',
    sources: [{
      driver: 'osmosdr',
      device: 'rtl=0',
      ...(center === undefined ? {} : { center }),
      rate: RTL_SDR_RATE,
      error: 0,
      ...(p.gainDb === undefined ? {} : { gain: p.gainDb }),
      digitalRecorders: 4,
    }],
    systems: [{
      shortName: p.shortName,
      type: 'p25',
      control_channels: channels,
      modulation: p.modulation,
      // rdio-scanner keeps the calls; the local copies would only fill the disk.
      audioArchive: false,
      callLog: false,
    }],
    plugins: [{
      name: 'rdioscanner_uploader',
      library: 'librdioscanner_uploader.so',
      server: o.rdioServer,
      systems: [{ shortName: p.shortName, apiKey: o.apiKey, systemId: p.rdioSystemId }],
    }],
  };
}

function files(ctx: RenderContext): ConfigFile[] {
  const pkg = ctx.service.pkg;
  const sdr = ctx.service.node?.devices[SDR];
  // Unmeasured (the manifest lists it and deploy waits for it): no device line at all.
  const usbNode = sdr ? deviceNodeOf(sdr) : undefined;
  const missing = missingRadioParameters(SNO911);
  const compose = composeFile({
    name: 'sdr-scanner',
    services: {
      'trunk-recorder': {
        image: TRUNK_RECORDER_IMAGE,
        ...(usbNode ? { devices: [`${usbNode}:${usbNode}`] } : {}),
        volumes: ['./trunk-recorder/config.json:/app/config.json:ro', './trunk-recorder/media:/app/media'],
        depends_on: ['rdio-scanner'],
        ...(missing.length ? { profiles: [PLACEHOLDER_PROFILE] } : {}),
      },
      'rdio-scanner': {
        image: RDIO_SCANNER_IMAGE,
        ports: [`${RDIO_PORT}:${RDIO_PORT}`],
        volumes: ['./rdio-scanner:/app/data'],
      },
    },
  });
  return [
    { path: `${STACK}/compose.yml`, mode: '0644', format: 'compose', content: toYaml(compose, { header: generatedHeader(pkg, `Trunk Recorder (${SNO911.shortName}, P25) and rdio-scanner.${missing.length ? ` Trunk Recorder waits for: ${missing.join(', ')}.` : ''}`) }) },
    {
      // JSON has no comments; holds the rdio-scanner API key once templated: 0600.
      path: `${STACK}/trunk-recorder/config.json`, mode: '0600', format: 'json', secret: true,
      content: `${JSON.stringify(trunkRecorderConfig(SNO911, { rdioServer: `http://rdio-scanner:${RDIO_PORT}`, apiKey: envRef(API_KEY) }), null, 2)}\n`,
    },
  ];
}

export default defineService({
  name: 'sdr-scanner',
  description: 'SDR scanner: Trunk Recorder on an RTL-SDR V4 decoding SNO911 P25 Phase II, played back in rdio-scanner',
  kind: 'lxc',
  tier: 'low',
  // The RTL-SDR binds it to pve2.
  group: 'special',
  docker: true,
  resources: { cores: 2, memoryMiB: 1536, disks: [{ storage: 'local', sizeGiB: 32 }] },
  // An LXC takes the RTL-SDR as its libusb node (the site device's `path`).
  devices: [{ device: SDR }],
  // Seed: SDR Scanner | Authentik. rdio-scanner's listener and admin pages are both behind it.
  routes: [{ name: 'scanner', host: 'scanner', port: RDIO_PORT, auth: 'authentik', admin: true }],
  ports: [{ port: RDIO_PORT, protocol: 'tcp', description: 'rdio-scanner web app and call upload API' }],
  secrets: [{ env: API_KEY, description: 'rdio-scanner API key Trunk Recorder uploads with (created in rdio-scanner\'s admin, Config → API keys)' }],
  dependsOn: ['authentik', 'traefik'],
  facts: {
    // Policy image-tags: the one image that cannot carry a version tag.
    unpinnedImages: { [RDIO_SCANNER_IMAGE]: 'rdio-scanner publishes only the latest tag upstream; pin it by digest after the first pull (docs/decisions.md).' },
  },
  files,
});
