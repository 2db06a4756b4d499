/**
 * URLs that carry their own credential: chat webhooks (the token is the path), bot APIs, a
 * password in the userinfo, or a token in the query. Such a URL is a secret whatever key it sits
 * under (`url:`, `WEBHOOK=`, a bare list item), so it is found by its shape, not by its key.
 */

export interface SecretUrl {
  readonly line: number;
  /** What kind of credential the URL carries. */
  readonly kind: string;
  /** The URL with its credential masked: secrets must not reach logs. */
  readonly masked: string;
}

/** A credential part that is a reference (Ansible lookup, Compose variable), not a literal. */
const REFERENCE = /\{\{|\$\{|%7B%7B/;

const SHAPES: readonly { kind: string; pattern: RegExp }[] = [
  { kind: 'Slack webhook', pattern: /(https?:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/)([^\s'"<>]+)/g },
  { kind: 'Discord webhook', pattern: /(https?:\/\/(?:[a-z]+\.)?discord(?:app)?\.com\/api\/webhooks\/)([^\s'"<>]+)/g },
  { kind: 'Microsoft Teams webhook', pattern: /(https?:\/\/[a-z0-9.-]*(?:webhook\.office\.com|outlook\.office\.com)\/webhook[a-z0-9]*\/)([^\s'"<>]+)/g },
  { kind: 'Telegram bot token', pattern: /(https?:\/\/api\.telegram\.org\/bot)([^\s'"<>/]+)/g },
  { kind: 'password in the URL', pattern: /([a-z][a-z0-9+.-]*:\/\/[^\s'"<>/:@]+:)([^\s'"<>/@]+)(?=@)/gi },
  { kind: 'token in the query', pattern: /(https?:\/\/[^\s'"<>?]+\?(?:[^\s'"<>]*&)?(?:token|access_token|api_?key|apikey|key|secret|password|sig|signature)=)([^\s'"<>&#]+)/gi },
];

export function findSecretUrls(content: string): SecretUrl[] {
  const found: SecretUrl[] = [];
  content.split('\n').forEach((text, i) => {
    if (/^\s*#/.test(text)) return;
    for (const { kind, pattern } of SHAPES) {
      for (const m of text.matchAll(pattern)) {
        const secret = m[2]!;
        if (REFERENCE.test(secret) || secret.length < 6) continue;
        found.push({ line: i + 1, kind, masked: `${m[1]}${'*'.repeat(8)} (${secret.length} chars)` });
      }
    }
  });
  return found;
}
