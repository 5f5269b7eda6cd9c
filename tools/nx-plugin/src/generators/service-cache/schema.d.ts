export interface ServiceCacheGeneratorSchema {
  /** required; not in the schema's `required` list so that a missing name gets our message with an example, not Nx's */
  name: string;
  /** required; not in the schema's `required` list so that a missing flag gets our message with an example */
  owner: string;
  /** required, as `owner` */
  purpose: string;
  keyspace?: string;
  authMode?: 'password' | 'iam';
  directory?: string;
  /** adopt the existing Nx app of this name: add the platform wiring, leave its handler code alone */
  existing?: boolean;
  /** with --existing: the handler entry inside the app (default: the first of src/handler/index.ts, src/handler.ts, src/index.ts, src/main.ts) */
  handler?: string;
  /** the cell (shared cache) to put the service in; default: the first cell with room */
  cell?: string;
}
