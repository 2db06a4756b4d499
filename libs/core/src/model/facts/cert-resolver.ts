/** `facts.certResolver`: the ACME certificate resolver the ingress proxy defines, which every route's TLS names. */
import { z } from 'zod';
import { defineFact } from './fact.ts';

/** The resolver synth names in route files when the ingress states none. */
export const DEFAULT_CERT_RESOLVER = 'letsencrypt';

export const certResolverSchema = z.string().regex(/^[A-Za-z0-9_-]+$/)
  .meta({ id: 'CertResolverFact', description: `The Traefik certificate resolver of the ingress, named in every route's tls. Default: "${DEFAULT_CERT_RESOLVER}".` });

export const certResolverFact = defineFact({
  key: 'certResolver',
  schema: certResolverSchema,
  code: 'InvalidCertResolver',
  fix: 'Publish the name of the resolver the static configuration defines (certificatesResolvers.<name>), e.g. facts.certResolver = "cloudflare".',
});
