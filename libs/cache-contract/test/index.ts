export { serviceManifest, workspaceFixture, type WorkspaceFixture } from './workspace-fixture';
