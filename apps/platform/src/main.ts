import { App } from 'cdktf';
import { selectEnvironments } from '@cache-platform/stack-base';
import { PLATFORM_ENVIRONMENTS, platformStackId } from './environments';
import { PlatformStack } from './stacks/platform-stack';

// one stack per environment; CACHE_PLATFORM_ENVIRONMENTS=dev limits synth/deploy to the named ones
// stack traces in the synthesized metadata only slow synth down and bloat the JSON
const app = new App({ stackTraces: false });
for (const [, environment] of selectEnvironments(Object.fromEntries(PLATFORM_ENVIRONMENTS.map((e) => [e.name, e])))) {
  new PlatformStack(app, platformStackId(environment.name), { environment });
}
app.synth();
