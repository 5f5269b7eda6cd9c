import type { ServiceStack } from '@cache-platform/service-access';

/**
 * What enrollment-api adds to its stack, in every environment, next to what the platform builds from
 * cache-service.json (its Redis user, secret, keyspace claim, grant and Lambda). Named by
 * `stackExtension` in the manifest; leave it empty until the service needs something of its own.
 *
 * For example, a table the loader reads:
 *
 *   const table = new DynamodbTable(stack, 'items', {
 *     name: `${stack.manifest.service}-${stack.environment.name}-items`,
 *     billingMode: 'PAY_PER_REQUEST', hashKey: 'id', attribute: [{ name: 'id', type: 'S' }],
 *     tags: stack.access.tags,
 *   });
 *   stack.handler.addEnvironment('ITEMS_TABLE', table.name);
 *
 * (import resources deeply: `@cdktf/provider-aws/lib/dynamodb-table`). Give the function's role
 * what it needs through `stack.handler.grantPrincipal`; the cache wiring itself is not changed here.
 */
export function extendStack(stack: ServiceStack): void {
  void stack;
}
