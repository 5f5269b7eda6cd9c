import { App } from 'cdktf';
import { assertWorkspaceCells, findWorkspaceRoot, readWorkspace, selectEnvironments } from '@cache-platform/platform-environments';
import { PlatformStack, platformStackId } from './stacks/platform-stack';

// one stack per environment; CACHE_PLATFORM_ENVIRONMENTS=dev limits synth/deploy to the named ones
// stack traces in the synthesized metadata only slow synth down and bloat the JSON
const app = new App({ stackTraces: false });
const environments = selectEnvironments();
// every cell must have room for the services whose manifests name it (users-per-group quota)
assertWorkspaceCells(environments, readWorkspace(findWorkspaceRoot(__dirname)).services);
for (const environment of environments) {
  new PlatformStack(app, platformStackId(environment.name), { environment });
}
app.synth();
