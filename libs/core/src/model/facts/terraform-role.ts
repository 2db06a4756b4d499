/** `facts.terraformRole`: the Proxmox role the Terraform API token holds, declared by the hypervisor package (rule terraform-token). */
import { z } from 'zod';
import type { Declared } from '../deep-readonly.ts';
import { defineFact, repeatedIndexes } from './fact.ts';

export const terraformRoleSchema = z.strictObject({
  name: z.string().min(1).meta({ description: 'The role id the hypervisor stack creates.' }),
  privileges: z.array(z.string().min(1)).meta({ description: 'The Proxmox VE privileges the role grants.' }),
}).meta({ id: 'TerraformRoleFact', description: 'The role of the least-privilege Terraform token (rule terraform-token).' });

export const terraformRoleFact = defineFact({
  key: 'terraformRole',
  schema: terraformRoleSchema,
  code: 'InvalidTerraformRole',
  fix: 'Publish the role the token uses as facts.terraformRole = { name: ROLE_ID, privileges: [...] }, from the constants the stack creates it with.',
  check: (v, report) => {
    const repeated = repeatedIndexes(v.privileges, (p) => p);
    v.privileges.forEach((p, i) => {
      if (repeated.has(i)) report(['privileges', i], `privilege ${p} is listed twice`, p, 'List each privilege once.');
    });
  },
});

export type TerraformRoleFact = Declared<typeof terraformRoleSchema>;
