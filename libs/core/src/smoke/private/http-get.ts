import { lookup as dnsLookup } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { SMOKE_DEFAULTS } from '../defaults.ts';
import type { ProbeConnectOptions } from '../connect-options.ts';
import { codedError } from './errors.ts';

export interface HttpGetOptions extends ProbeConnectOptions {
  readonly headers?: Readonly<Record<string, string>>;
  /** Keep at most this many bytes of the body; the rest is read and dropped. @default 0 */
  readonly maxBodyBytes?: number;
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  /** The body as UTF-8, cut at `maxBodyBytes`. */
  readonly body: string;
}

/** A `lookup` that answers every name with `address`, so the socket goes there. */
export function fixedLookup(address: string): LookupFunction {
  return (_hostname, options, callback) => dnsLookup(address, options, callback);
}

/** One GET, following no redirects, with no connection reuse. Rejects with Node's coded errors. */
export function httpGet(url: URL, options: HttpGetOptions): Promise<HttpAnswer> {
  const timeoutMs = options.timeoutMs ?? SMOKE_DEFAULTS.timeoutMs;
  const maxBodyBytes = options.maxBodyBytes ?? 0;
  const request: https.RequestOptions = {
    method: 'GET',
    agent: false,
    headers: { 'user-agent': 'homelab-smoke', accept: '*/*', ...options.headers },
  };
  if (options.resolveTo !== undefined) request.lookup = fixedLookup(options.resolveTo);
  if (url.protocol === 'https:') {
    request.rejectUnauthorized = !options.insecure;
    if (options.ca !== undefined) request.ca = options.ca;
    if (options.servername !== undefined && isIP(options.servername) === 0) request.servername = options.servername;
  }
  const send = url.protocol === 'https:' ? https.request : http.request;

  return new Promise<HttpAnswer>((resolve, reject) => {
    let settled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (error: Error | undefined, answer?: HttpAnswer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(answer!);
    };
    const req = send(url, request, (res) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      res.on('data', (chunk: Buffer) => {
        if (kept >= maxBodyBytes) return;
        const part = chunk.subarray(0, maxBodyBytes - kept);
        chunks.push(part);
        kept += part.length;
      });
      res.on('error', (error) => finish(error));
      res.on('end', () =>
        finish(undefined, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    timer = setTimeout(() => {
      const error = codedError('ETIMEDOUT', `no answer within ${timeoutMs} ms`);
      finish(error);
      req.destroy(error);
    }, timeoutMs);
    req.on('error', (error) => finish(error));
    req.end();
  });
}

/** The first value of a response header, or undefined. */
export function headerValue(headers: http.IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
