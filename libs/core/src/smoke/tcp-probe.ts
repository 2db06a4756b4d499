/**
 * TCP reachability. There is deliberately no UDP probe: UDP has no handshake, so a silent port
 * looks the same whether a service is listening, a firewall drops the datagram, or nothing runs
 * there; only an ICMP "port unreachable" is conclusive, and it is rate-limited and often filtered.
 * A UDP service (DNS on 53, WireGuard) is smoke-tested by a request in its own protocol instead,
 * e.g. a DNS query, or through a TCP port it also serves.
 */
import net from 'node:net';
import { SMOKE_DEFAULTS } from './defaults.ts';
import { codedError, describeError } from './private/errors.ts';
import { probeFailed, probeOk, type ProbeResult } from './probe-result.ts';

export interface TcpProbe {
  readonly host: string;
  readonly port: number;
  /**
   * Give up on the connect after this many milliseconds.
   * @default 10000
   */
  readonly timeoutMs?: number;
}

/** One TCP connect to `host:port`: passes when the connection is accepted; it is closed at once. */
export async function probeTcp(probe: TcpProbe): Promise<ProbeResult> {
  if (!Number.isInteger(probe.port) || probe.port < 1 || probe.port > 65535) {
    throw new RangeError(`probeTcp: port must be an integer from 1 to 65535, got ${String(probe.port)}.`);
  }
  const timeoutMs = probe.timeoutMs ?? SMOKE_DEFAULTS.timeoutMs;
  const target = `${net.isIP(probe.host) === 6 ? `[${probe.host}]` : probe.host}:${probe.port}`;
  try {
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect({ host: probe.host, port: probe.port });
      const timer = setTimeout(() => socket.destroy(codedError('ETIMEDOUT', `no connection within ${timeoutMs} ms`)), timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.destroy();
        resolve();
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  } catch (error) {
    return probeFailed(target, `expected the TCP port to accept a connection, got ${describeError(error)}`);
  }
  return probeOk(target, 'TCP port open');
}
