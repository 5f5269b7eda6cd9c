// The platform stack's ownership, in a module of its own: the audit reads it without loading cdktf.

/** Ownership `service` tag of everything the platform stack creates. */
export const PLATFORM_SERVICE = 'platform';
/** Ownership `purpose` tag of everything the platform stack creates. */
export const PLATFORM_PURPOSE = 'shared ElastiCache Serverless cache for serverless services';
