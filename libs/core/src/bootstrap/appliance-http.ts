/**
 * How bootstrap talks to an appliance's own API (TrueNAS, Home Assistant OS): one request, its
 * status and body, over node:http(s). An https request is verified against the CA the site pins
 * for the service (site.edge.backendCas.<service>), never unverified; credentials travel only in
 * headers and bodies built in-process, never in an argv or a log. Injectable, so the phases are
 * tested against in-process fake servers.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';

export interface HttpRequest {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** The pinned CA (PEM) an https server's certificate must chain to. */
  readonly ca?: string;
  /** The name the certificate is issued to, when it is not the URL's host. */
  readonly servername?: string;
}

export interface HttpResponse { readonly status: number; readonly body: string }

export type HttpTransport = (req: HttpRequest) => Promise<HttpResponse>;

const TIMEOUT_MS = 10_000;

export const nodeHttp: HttpTransport = (req) => new Promise((resolve, reject) => {
  const url = new URL(req.url);
  const tls = url.protocol === 'https:';
  if (tls && !req.ca) { reject(new Error(`${url.origin}: no pinned CA to verify its certificate with`)); return; }
  const options = {
    method: req.method,
    headers: { Accept: 'application/json', ...(req.body !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(req.body)) } : {}), ...req.headers },
    timeout: TIMEOUT_MS,
    ...(tls ? { ca: req.ca, rejectUnauthorized: true, ...(req.servername ? { servername: req.servername } : {}) } : {}),
  };
  const r = (tls ? httpsRequest : httpRequest)(url, options, (res) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    res.on('error', reject);
  });
  r.on('timeout', () => r.destroy(new Error(`${url.origin}: no answer in ${TIMEOUT_MS / 1000} s`)));
  r.on('error', reject);
  if (req.body !== undefined) r.write(req.body);
  r.end();
});

/** The answer of an MQTT 3.1.1 broker to a CONNECT: its CONNACK return code (0 accepted, 4 bad login, 5 not authorized). */
export type MqttProbe = (host: string, port: number, login?: { readonly username: string; readonly password: string }) => Promise<{ readonly returnCode: number }>;

function utf8(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
}

/** The CONNECT packet (MQTT 3.1.1, clean session), with the login when given. */
export function mqttConnectPacket(clientId: string, login?: { readonly username: string; readonly password: string }): Buffer {
  const flags = 0x02 | (login ? 0xc0 : 0);
  const rest = Buffer.concat([utf8('MQTT'), Buffer.from([4, flags, 0, 30]), utf8(clientId), ...(login ? [utf8(login.username), utf8(login.password)] : [])]);
  const len: number[] = [];
  let n = rest.length;
  do { let byte = n % 128; n = Math.floor(n / 128); if (n > 0) byte |= 0x80; len.push(byte); } while (n > 0);
  return Buffer.concat([Buffer.from([0x10, ...len]), rest]);
}

/** Connects, sends CONNECT, reads CONNACK, sends DISCONNECT: nothing is published or subscribed. */
export const nodeMqttProbe: MqttProbe = (host, port, login) => new Promise((resolve, reject) => {
  const socket = connect({ host, port, timeout: TIMEOUT_MS });
  let got = Buffer.alloc(0);
  socket.on('connect', () => socket.write(mqttConnectPacket('homelab-bootstrap', login)));
  socket.on('data', (d: Buffer) => {
    got = Buffer.concat([got, d]);
    if (got.length < 4) return;
    if (got[0] !== 0x20 || got[1] !== 2) { socket.destroy(); reject(new Error(`${host}:${port} answered something other than an MQTT CONNACK`)); return; }
    const returnCode = got[3]!;
    if (returnCode === 0) socket.end(Buffer.from([0xe0, 0]));
    else socket.end();
    resolve({ returnCode });
  });
  socket.on('timeout', () => socket.destroy(new Error(`${host}:${port}: no MQTT answer in ${TIMEOUT_MS / 1000} s`)));
  socket.on('error', reject);
  // A promise settles once: after the CONNACK this is a no-op; before it, the broker hung up.
  socket.on('close', () => reject(new Error(`${host}:${port} closed the connection without an MQTT CONNACK`)));
});
