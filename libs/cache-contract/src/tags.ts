import { ContractViolation } from './errors';

/** Tag keys every platform and service resource carries, so nobody has to guess who created what and why. */
export const OWNERSHIP_TAG_KEYS = {
  service: 'cache-platform:service',
  owner: 'cache-platform:owner',
  purpose: 'cache-platform:purpose',
  environment: 'cache-platform:environment',
  managedBy: 'cache-platform:managed-by',
} as const;

export const MANAGED_BY = 'cache-platform/cdktf';

export interface Ownership {
  /** the service (or `platform`) that owns the resource */
  readonly service: string;
  /** the team accountable for it */
  readonly owner: string;
  /** why it exists, in a sentence */
  readonly purpose: string;
  readonly environment: string;
}

/** AWS tag values: up to 256 Unicode characters of letters, digits, spaces and _ . : / = + - @ */
export const MAX_TAG_VALUE_LENGTH = 256;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** Checks a value AWS tagging would accept (non-empty, at most 256 characters, allowed characters). */
export function assertTagValue(subject: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ContractViolation(subject, value, 'must be a non-empty string');
  }
  if (value.length > MAX_TAG_VALUE_LENGTH) {
    throw new ContractViolation(subject, value, `must be at most ${MAX_TAG_VALUE_LENGTH} characters (it has ${value.length})`);
  }
  if (!TAG_VALUE.test(value)) {
    throw new ContractViolation(subject, value, 'AWS tag values allow only letters, digits, spaces and _ . : / = + - @');
  }
  return value;
}

/** Builds the tag map; throws when a value would be refused by AWS tagging. */
export function ownershipTags(ownership: Ownership): Record<string, string> {
  const tags: Record<string, string> = {
    [OWNERSHIP_TAG_KEYS.service]: ownership.service,
    [OWNERSHIP_TAG_KEYS.owner]: ownership.owner,
    [OWNERSHIP_TAG_KEYS.purpose]: ownership.purpose,
    [OWNERSHIP_TAG_KEYS.environment]: ownership.environment,
    [OWNERSHIP_TAG_KEYS.managedBy]: MANAGED_BY,
  };
  for (const [key, value] of Object.entries(tags)) assertTagValue(`tag ${key}`, value);
  return tags;
}
