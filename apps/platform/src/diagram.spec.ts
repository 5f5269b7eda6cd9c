import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing } from 'cdktf';
import { ENVIRONMENTS } from '@cache-platform/platform-environments';
import { buildServiceApp } from '@cache-platform/service-access';
import { sampleManifest, scratchWorkspace } from '../../../libs/service-access/test/workspace';
import { PlatformStack } from './stacks/platform-stack';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const DOC = join(__dirname, '..', '..', '..', 'docs', 'architecture.md');
// a stand-in rotation bundle: the diagram test needs the stack's shape, not the function's code
const BUNDLE = mkdtempSync(join(tmpdir(), 'diagram-rotation-bundle-'));
writeFileSync(join(BUNDLE, 'index.js'), 'exports.handler = async () => undefined;\n');
afterAll(() => rmSync(BUNDLE, { recursive: true, force: true }));

/** The Terraform resource types the runtime diagram names, in brackets inside its mermaid block. */
function diagramTypes(): string[] {
  const doc = readFileSync(DOC, 'utf8');
  const block = /## What runs in AWS[\s\S]*?```mermaid\n([\s\S]*?)```/.exec(doc)?.[1];
  if (!block) throw new Error(`${DOC} has no mermaid block under "## What runs in AWS"`);
  return [...new Set([...block.matchAll(/\[(aws_[a-z0-9_]+)\]/g)].map((m) => m[1] as string))].sort();
}

describe('the runtime diagram in docs/architecture.md', () => {
  it('names only resource types the platform or a sample service stack synthesizes', () => {
    const dev = ENVIRONMENTS.find((e) => e.name === 'dev')!;
    const synthesized = new Set<string>();
    const app = Testing.app();
    try {
      const platform = new PlatformStack(app, 'platform-dev', { environment: dev, rotationBundleDir: BUNDLE });
      for (const type of Object.keys((JSON.parse(Testing.synth(platform)) as Json)['resource'])) synthesized.add(type);
    } finally {
      rmSync(app.outdir, { recursive: true, force: true });
    }
    const workspace = scratchWorkspace([sampleManifest('catalog-api'), sampleManifest('enrollment-api')]);
    try {
      for (const service of ['catalog-api', 'enrollment-api']) {
        const serviceApp = Testing.app();
        try {
          const { stacks } = buildServiceApp({
            appDir: workspace.appDir(service),
            app: serviceApp,
            env: {},
            environments: [dev],
            workspaceRoot: workspace.root,
          });
          for (const stack of stacks)
            for (const type of Object.keys((JSON.parse(Testing.synth(stack)) as Json)['resource'])) synthesized.add(type);
        } finally {
          rmSync(serviceApp.outdir, { recursive: true, force: true });
        }
      }
    } finally {
      workspace.cleanup();
    }
    const named = diagramTypes();
    expect(named.length).toBeGreaterThanOrEqual(15);
    expect(named.filter((type) => !synthesized.has(type))).toEqual([]);
  });
});
