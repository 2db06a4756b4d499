/**
 * Who creates the Terraform API token every guest stack uses: the service that provides the
 * hypervisor (packages/proxmox). Its stack is the only one applied with the administrator
 * credential (site.providerEnv.adminApiToken), and it outputs the token it creates under
 * PROVIDER_TOKEN_OUTPUT; deploy reads that output and hands it to the later stacks as
 * site.providerEnv.apiToken (deploy/provider-token.ts).
 */
import type { NormalizedService } from './service.ts';

/** The name of the issuer's sensitive Terraform output holding `user@realm!token=secret`. */
export const PROVIDER_TOKEN_OUTPUT = 'terraform_api_token';

/** The service whose stack creates the Terraform token: the hypervisor provider, if the homelab has one. */
export function tokenIssuer<S extends Pick<NormalizedService, 'provides'>>(services: readonly S[]): S | undefined {
  return services.find((s) => s.provides.includes('hypervisor'));
}
