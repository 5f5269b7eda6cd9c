// Writes libs/cache-contract/cache-service.schema.json from the contract (npm run manifest-schema).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serviceManifestJsonSchema, SERVICE_MANIFEST_SCHEMA_PATH } from '../src/index';

const path = join(__dirname, '..', '..', '..', SERVICE_MANIFEST_SCHEMA_PATH);
writeFileSync(path, JSON.stringify(serviceManifestJsonSchema(), null, 2) + '\n');
console.log(`wrote ${SERVICE_MANIFEST_SCHEMA_PATH}`);
