/** Jellyfin's own facts; what every media server is, libs/core/test/render/media-server.test.ts asserts. */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { fixtureSite, synthesizeFor } from '@homelab/core/testing';
import { JELLYFIN_IMAGE } from '../src/index.ts';

const s = await synthesizeFor(fixtureSite, 'jellyfin');
const app = parse(s.text('files/jellyfin/opt/stacks/jellyfin/compose.yml')).services.jellyfin;

describe('jellyfin', () => {
  it('runs the pinned LinuxServer.io image and publishes its route as its server URL', () => {
    expect(app.image).toBe(JELLYFIN_IMAGE);
    expect(app.environment.JELLYFIN_PublishedServerUrl).toBe(`https://jellyfin.${fixtureSite.domain}`);
    expect(app.volumes).toEqual(['./config:/config', '/media:/media:ro']);
  });
  it('answers on 8096, probed at /health', () => {
    expect(s.service.routes.map((r) => [r.port, r.probePath])).toEqual([[8096, '/health']]);
  });
});
