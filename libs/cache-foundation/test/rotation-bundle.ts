import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A folder shaped like the rotation function's bundle, for synth tests (the real one is built by `secret-rotation:bundle`). */
export function fakeRotationBundle(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rotation-bundle-'));
  writeFileSync(join(dir, 'index.js'), 'exports.handler = async () => undefined;\n');
  return dir;
}
