/**
 * The HTTP transport of the Proxmox client, on node:http/https. Node 20's global fetch cannot be
 * given a CA file or told to skip verification without importing undici (not a dependency of
 * this workspace), and the API needs both, so requests go through node:https with an explicit
 * agent instead. Injectable, so tests can also drive the client without sockets.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface PveHttpRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly timeoutMs: number;
  /** PEM text of the CA to trust instead of the system store. */
  readonly ca?: string;
  readonly insecure: boolean;
}

export interface PveHttpResponse {
  readonly status: number;
  /** PVE puts the reason of a failure here ("401 invalid token value!"). */
  readonly statusText: string;
  readonly body: string;
}

export type PveTransport = (req: PveHttpRequest) => Promise<PveHttpResponse>;

/** A failure below HTTP: the socket, DNS, TLS or the timeout. `code` is Node's error code. */
export class TransportError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'TransportError';
  }
}

export const nodeTransport: PveTransport = (req) => new Promise((resolve, reject) => {
  const isHttps = req.url.protocol === 'https:';
  const options = {
    method: req.method,
    headers: { ...req.headers, ...(req.body !== undefined ? { 'Content-Length': String(Buffer.byteLength(req.body)) } : {}) },
    ...(isHttps ? { ca: req.ca, rejectUnauthorized: !req.insecure } : {}),
  };
  const send = isHttps ? httpsRequest : httpRequest;
  const r = send(req.url, options, (res) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', body: Buffer.concat(chunks).toString('utf8') }));
    res.on('error', (e) => reject(new TransportError((e as NodeJS.ErrnoException).code ?? 'ERESPONSE', e.message)));
  });
  r.setTimeout(req.timeoutMs, () => r.destroy(new TransportError('ETIMEDOUT', `no answer within ${req.timeoutMs} ms`)));
  r.on('error', (e) => reject(e instanceof TransportError ? e : new TransportError((e as NodeJS.ErrnoException).code ?? 'EUNKNOWN', e.message)));
  if (req.body !== undefined) r.write(req.body);
  r.end();
});
