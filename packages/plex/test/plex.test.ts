/** Plex's own facts; what every media server is, libs/core/test/render/media-server.test.ts asserts. */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { fixtureSite, synthesizeFor } from '@homelab/core/testing';
import { PLEX_IMAGE, PLEX_PORT } from '../src/index.ts';

const s = await synthesizeFor(fixtureSite, 'plex');
const app = parse(s.text('files/plex/opt/stacks/plex/compose.yml')).services.plex;

describe('plex', () => {
  it('runs the pinned LinuxServer.io image, kept at its version (no self-update), with a transcode directory', () => {
    expect(app.image).toBe(PLEX_IMAGE);
    expect(app.environment.VERSION).toBe('docker');
    expect(app.volumes).toEqual(['./config:/config', './transcode:/transcode', '/media:/media:ro']);
  });
  it('answers on 32400, probed at /identity', () => {
    expect(PLEX_PORT).toBe(32400);
    expect(s.service.routes.map((r) => [r.port, r.probePath])).toEqual([[32400, '/identity']]);
  });
});
