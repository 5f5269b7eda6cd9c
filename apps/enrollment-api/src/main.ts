import { App } from 'cdktf';
import { join } from 'node:path';
import { selectEnvironments } from '@cache-platform/stack-base';
import { environments } from './environments';
import { EnrollmentApiStack } from './stacks/service-stack';

// one stack per environment; CACHE_PLATFORM_ENVIRONMENTS=dev limits synth/deploy to the named ones
// outdir: cdktf.out, or wherever the cdktf CLI asks (CDKTF_OUTDIR); stack traces only bloat the JSON
const app = new App({ stackTraces: false });
for (const [name, environment] of selectEnvironments(environments)) {
  new EnrollmentApiStack(app, `enrollment-api-${name}`, {
    environment: { ...environment, name },
    bundleDir: join(__dirname, '..', 'dist', 'handler'),
  });
}
app.synth();
