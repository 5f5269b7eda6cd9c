// The exports port on the AWS SDK v3 SSM client: one ssm:GetParameters for a cell's endpoint, cache
// name and ports (the parameters the platform stack writes for every cell).
import { GetParametersByPathCommand, GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { listKeyspaceClaims, platformExportNames } from '@cache-platform/cache-contract';
import type { ExportsPort } from './ports';

/** `client` defaults to one for the Lambda's region (`AWS_REGION`) and the role's credentials. */
export function awsExportsPort(client: SSMClient = new SSMClient({})): ExportsPort {
  return {
    async cellEndpoint(environment, cell) {
      const names = platformExportNames(environment, cell);
      const wanted = [names.endpointAddress, names.endpointPort, names.readerPort, names.cacheName];
      const out = await client.send(new GetParametersCommand({ Names: wanted }));
      const values = new Map((out.Parameters ?? []).map((p) => [p.Name, p.Value]));
      const missing = wanted.filter((name) => !values.get(name));
      if (missing.length > 0) {
        throw new Error(
          `cell ${JSON.stringify(cell)} of environment ${environment} has no export ${missing.join(', ')}: deploy the platform (with that cell) first`,
        );
      }
      const port = (name: string) => {
        const value = Number(values.get(name));
        if (!Number.isInteger(value) || value < 1 || value > 65535)
          throw new Error(`export ${name} is ${JSON.stringify(values.get(name))}: expected a port number`);
        return value;
      };
      return {
        endpointAddress: values.get(names.endpointAddress) as string,
        endpointPort: port(names.endpointPort),
        readerPort: port(names.readerPort),
        cacheName: values.get(names.cacheName) as string,
      };
    },
    async claimedServices(environment) {
      const claims = await listKeyspaceClaims(environment, (input) => client.send(new GetParametersByPathCommand(input)));
      // the report finds each service's secret by the claim's service: a claim it cannot read would
      // leave a secret unchecked without a word, so the report fails instead, naming the parameter
      return claims
        .map((claim) => {
          if (!claim.record) throw claim.problem;
          return claim.record.service;
        })
        .sort();
    },
  };
}
