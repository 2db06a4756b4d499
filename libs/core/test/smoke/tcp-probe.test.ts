import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatProbeResult } from '../../src/smoke/probe-result.ts';
import { probeTcp } from '../../src/smoke/tcp-probe.ts';
import { closedPort } from './fixtures.ts';

let server: net.Server;
let port: number;
let accepted = 0;

beforeAll(async () => {
  server = net.createServer((socket) => {
    accepted++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('probeTcp', () => {
  it('passes when the port accepts a connection', async () => {
    const result = await probeTcp({ host: '127.0.0.1', port });
    expect(result).toEqual({ ok: true, target: `127.0.0.1:${port}`, detail: 'TCP port open', attempts: 1 });
    await expect.poll(() => accepted).toBeGreaterThan(0);
  });

  it('fails with ECONNREFUSED on a closed port', async () => {
    const closed = await closedPort();
    const result = await probeTcp({ host: '127.0.0.1', port: closed });
    expect(result.ok).toBe(false);
    expect(formatProbeResult(result)).toBe(
      `127.0.0.1:${closed}: expected the TCP port to accept a connection, got ECONNREFUSED (connect ECONNREFUSED 127.0.0.1:${closed}) after 1 attempt`,
    );
  });

  it.each([0, 65536, 1.5])('rejects port %s at once', async (bad) => {
    await expect(probeTcp({ host: '127.0.0.1', port: bad })).rejects.toThrow(/probeTcp: port must be an integer from 1 to 65535/);
  });
});
