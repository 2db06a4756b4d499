/** Renders a network error with its code first: `ECONNREFUSED (connect ECONNREFUSED 127.0.0.1:443)`. */
export function describeError(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    // Happy-eyeballs connects report one error per address tried.
    const code = errorCode(error) ?? errorCode(error.errors[0]);
    const messages = [...new Set(error.errors.map((e: unknown) => (e instanceof Error ? e.message : String(e))))];
    return withCode(code, messages.join('; '));
  }
  return withCode(errorCode(error), error instanceof Error ? error.message : String(error));
}

function errorCode(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code !== '' ? code : undefined;
}

function withCode(code: string | undefined, message: string): string {
  if (code === undefined) return message || 'unknown error';
  return message ? `${code} (${message})` : code;
}

/** An error with a code, as Node's own network errors have. */
export function codedError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

/** `"a", "b" or "c"` style lists for messages. */
export function orList(items: readonly (string | number)[]): string {
  const text = items.map(String);
  if (text.length <= 1) return text.join('');
  return `${text.slice(0, -1).join(', ')} or ${text[text.length - 1]}`;
}

/** Parses `value` as a URL with one of `protocols`, or throws naming the caller. */
export function parseProbeUrl(caller: string, value: string, protocols: readonly string[]): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`${caller}: url ${JSON.stringify(value)} is not a valid URL. Pass an absolute URL such as "https://sonarr.example.test/".`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new TypeError(`${caller}: url ${JSON.stringify(value)} must use ${orList(protocols.map((p) => `${p}//`))}.`);
  }
  return url;
}
