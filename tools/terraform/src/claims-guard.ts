import { GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { keyspaceClaimsPath, listKeyspaceClaims } from '@cache-platform/cache-contract';
import type { GuardedApp } from './state-guard';

/**
 * The platform's destroy in an environment with remote state: no service state file is at hand to
 * say whether services still read the platform's exports, so the wrapper reads the keyspace claims
 * instead. Every deployed service stack holds one (`/cache-platform/<env>/keyspaces/<keyspace>` in
 * SSM, created with the service and destroyed with it), whichever clone or pipeline deployed it.
 */

/** A keyspace claim found in the account, and the service that holds it. */
export interface ClaimedKeyspace {
  readonly keyspace: string;
  /** the claiming service, or undefined when the claim's value is unreadable */
  readonly service?: string;
}

/** Every keyspace claim of the environment (all pages); the credentials are the ones the destroy uses. */
export async function readKeyspaceClaims(
  environment: { readonly name: string; readonly region?: string },
  client: Pick<SSMClient, 'send'> = new SSMClient({ region: environment.region }),
): Promise<ClaimedKeyspace[]> {
  // an unreadable claim still holds its keyspace: it counts, with no service to name
  const claims = await listKeyspaceClaims(environment.name, (input) => client.send(new GetParametersByPathCommand(input)));
  return claims.map((claim) => ({ keyspace: claim.keyspace, service: claim.record?.service }));
}

/**
 * Why the platform's destroy must wait in an environment with remote state, or undefined: services
 * still claim keyspaces there, or the claims cannot be read. One line, naming what to do.
 */
export async function remoteDependentsProblem(
  app: GuardedApp,
  read: (environment: { readonly name: string; readonly region?: string }) => Promise<ClaimedKeyspace[]> = readKeyspaceClaims,
): Promise<string | undefined> {
  if (app.kind !== 'platform') return undefined;
  for (const stack of app.stacks) {
    if (stack.localState !== undefined) continue;
    const environment = stack.environment;
    const path = keyspaceClaimsPath(environment.name);
    let claims: ClaimedKeyspace[];
    try {
      claims = await read(environment);
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      return `refusing to destroy ${stack.stackId}: cannot read the keyspace claims under ${path} in SSM to check that no service still uses the platform (${reason})`;
    }
    if (claims.length === 0) continue;
    const listed = claims.map((c) => `${c.service ?? 'an unreadable claim'} (keyspace ${c.keyspace})`).join(', ');
    const commands = [...new Set(claims.flatMap((c) => (c.service ? [`npx nx run ${c.service}:destroy`] : [])))];
    return (
      `refusing to destroy ${stack.stackId}: services still claim keyspaces under ${path}: ${listed}; destroy them first` +
      (commands.length > 0 ? ` (CACHE_PLATFORM_ENVIRONMENTS=${environment.name} ${commands.join(', then ')})` : '') +
      '; README "Tear down the platform"'
    );
  }
  return undefined;
}
