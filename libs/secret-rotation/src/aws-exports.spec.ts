// The exports port's read of the keyspace claims (the rotation report's list of services), on a
// stubbed SSM client: the shared claims reader (cache-contract listKeyspaceClaims), held strict here.
import type { SSMClient } from '@aws-sdk/client-ssm';
import { formatKeyspaceClaim } from '@cache-platform/cache-contract';
import { awsExportsPort } from './aws-exports';

const PATH = '/cache-platform/dev/keyspaces';
const claim = (keyspace: string, value: string) => ({ Name: `${PATH}/${keyspace}`, Value: value });
const record = (service: string) => formatKeyspaceClaim({ service, owner: 'team-a', purpose: 'cache lookups' });

function ssm(pages: { Parameters: { Name: string; Value: string }[]; NextToken?: string }[]) {
  const inputs: unknown[] = [];
  const send = async (command: { constructor: { name: string }; input: unknown }) => {
    expect(command.constructor.name).toBe('GetParametersByPathCommand');
    inputs.push(command.input);
    return pages[inputs.length - 1];
  };
  return { client: { send } as unknown as SSMClient, inputs };
}

describe('awsExportsPort claimedServices', () => {
  it('lists the claiming services of every page, sorted', async () => {
    const { client, inputs } = ssm([
      { Parameters: [claim('orders', record('orders-api'))], NextToken: 't1' },
      { Parameters: [claim('billing', record('billing-api'))] },
    ]);
    expect(await awsExportsPort(client).claimedServices('dev')).toEqual(['billing-api', 'orders-api']);
    expect(inputs).toEqual([
      { Path: PATH, Recursive: false, NextToken: undefined },
      { Path: PATH, Recursive: false, NextToken: 't1' },
    ]);
  });

  it('refuses a claim it cannot read, naming the parameter, rather than leave that secret unchecked', async () => {
    const { client } = ssm([{ Parameters: [claim('orders', record('orders-api')), claim('broken', 'not json')] }]);
    await expect(awsExportsPort(client).claimedServices('dev')).rejects.toThrow(
      `SSM parameter ${PATH}/broken: invalid claim of keyspace "broken" "not json": must be a JSON object {service, owner, purpose}`,
    );
  });
});
