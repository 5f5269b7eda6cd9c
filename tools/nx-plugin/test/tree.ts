import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Tree } from '@nx/devkit';
import { FsTree } from 'nx/src/generators/tree';

/**
 * An empty workspace tree for generator tests, like `createTreeWithEmptyWorkspace`, but rooted in a
 * real (empty) temporary folder and with no formatter configured: Nx's virtual `/virtual` root
 * makes tree walks print "workspace root does not exist", its default formatter (oxfmt) is not one
 * this workspace uses, and prettier 3 cannot load inside jest's VM (dynamic import). Formatting is
 * checked where it runs for real: the samples test formats with prettier outside jest, and the
 * end-to-end test runs `nx g` itself.
 */
export function createTestTree(): { tree: Tree; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'nx-tree-'));
  const tree = new FsTree(root, false);
  tree.write('package.json', JSON.stringify({ name: '@proj/source', devDependencies: {} }));
  tree.write('nx.json', JSON.stringify({ defaultBase: 'main' }));
  tree.write('tsconfig.base.json', JSON.stringify({ compilerOptions: { paths: {} } }));
  return { tree, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
