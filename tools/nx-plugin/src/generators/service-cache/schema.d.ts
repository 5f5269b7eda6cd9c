export interface ServiceCacheGeneratorSchema {
  name: string;
  /** required; not in the schema's `required` list so that a missing flag gets our message with an example */
  owner: string;
  /** required, as `owner` */
  purpose: string;
  keyspace?: string;
  authMode?: 'password' | 'iam';
  directory?: string;
  /** the cell (shared cache) to put the service in; default: the first cell with room */
  cell?: string;
}
