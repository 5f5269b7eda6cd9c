import { localRun, WORKSPACE_ROOT } from './local-run';

const USAGE = 'usage: npm run local -- <service> [request...]   e.g. npm run local -- catalog-api /health "/?id=1" "/?id=1"';
const HELP = [
  "starts a TLS redis-server with one ACL user per service of the workspace, bundles the service's handler as for",
  'Lambda and invokes it once per request, with REDIS_SECRET_ARN pointing at a local secret file',
  '  request   "<path>" or "<METHOD> <path>" (default: /health "/?id=1" "/?id=1")',
].join('\n');

/** `local-run <service> [request...]`, requests like `/health`, `/?id=1`, `DELETE /?id=1`. */
export async function main(argv: string[]): Promise<number> {
  const [service, ...requests] = argv;
  if (service === '--help' || service === '-h') {
    console.log(`${USAGE}\n${HELP}`);
    return 0;
  }
  if (!service || service.startsWith('-')) {
    console.error(USAGE);
    return 2;
  }
  const result = await localRun({
    workspace: WORKSPACE_ROOT,
    service,
    requests: requests.length > 0 ? requests : ['/health', '/?id=1', '/?id=1'],
    log: (line) => console.log(line),
  });
  // a 204 has no body: print nothing rather than "undefined"
  for (const r of result.responses)
    console.log(`${r.request} -> ${r.statusCode}${r.body === undefined ? '' : ` ${JSON.stringify(r.body)}`}`);
  if (result.metricLines.length > 0) console.log(`metrics (CloudWatch EMF):\n${result.metricLines.join('\n')}`);
  return 0;
}
