import { App } from 'cdktf';
import { selectEnvironments } from '@cache-platform/platform-environments';
import { PlatformStack, platformStackId } from './stacks/platform-stack';

// one stack per environment; CACHE_PLATFORM_ENVIRONMENTS=dev limits synth/deploy to the named ones
// stack traces in the synthesized metadata only slow synth down and bloat the JSON
const app = new App({ stackTraces: false });
for (const environment of selectEnvironments()) {
  new PlatformStack(app, platformStackId(environment.name), { environment });
}
app.synth();
