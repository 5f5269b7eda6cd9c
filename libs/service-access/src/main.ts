// The synth entry of every service app (`nx run <service>:synth`, `cdktf synth` in the app folder):
// run from the app folder, builds its stacks from cache-service.json.
import { synthServiceApp } from './service-app';

synthServiceApp({ appDir: process.cwd() });
