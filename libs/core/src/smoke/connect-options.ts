/** How a probe reaches a host; shared by every HTTP(S) and TLS probe. */
export interface ProbeConnectOptions {
  /**
   * Give up on the attempt after this many milliseconds.
   * @default 10000
   */
  readonly timeoutMs?: number;
  /**
   * PEM of the CA(s) to trust instead of Node's bundled roots.
   * @default - Node's bundled roots
   */
  readonly ca?: string;
  /**
   * Connect to this address (IP or name) instead of resolving the URL's host, while still sending
   * the URL's host as Host header and TLS SNI. The homelab names resolve only through Cloudflare,
   * so the smoke tests point this at the Traefik IP.
   * @default - resolve the URL's host
   */
  readonly resolveTo?: string;
  /**
   * TLS server name (SNI, and the name the certificate is checked against).
   * @default - the URL's host
   */
  readonly servername?: string;
  /**
   * Accept any certificate. For a first look at a site whose CA is not at hand; never for CI.
   * @default false
   */
  readonly insecure?: boolean;
}
