export interface ServiceCacheGeneratorSchema {
  name: string;
  owner: string;
  purpose: string;
  keyspace?: string;
  authMode?: 'password' | 'iam';
  directory?: string;
}
