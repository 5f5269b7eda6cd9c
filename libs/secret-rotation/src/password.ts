import { randomInt } from 'node:crypto';

/** Length of generated passwords; ElastiCache accepts 16-128 characters. */
export const PASSWORD_LENGTH = 64;

/**
 * Printable ASCII without space (ElastiCache refuses it), `"` `/` `@` (ElastiCache refuses them),
 * and `'` `\` `` ` `` (the characters AWS's own ElastiCache rotation template also leaves out, so a
 * password pasted into a shell or a config file means what it says). 88 characters: 64 of them
 * carry about 413 bits.
 */
export const PASSWORD_ALPHABET = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i))
  .filter((c) => !`"/@'\\\``.includes(c))
  .join('');

/**
 * A new password from `node:crypto` (uniform: `randomInt` rejects biased draws). Not Secrets
 * Manager's `GetRandomPassword`: that action cannot be scoped to a resource, and allowing it would
 * put a `*` resource into the rotation function's policy.
 */
export function generatePassword(length = PASSWORD_LENGTH): string {
  if (!Number.isInteger(length) || length < 16 || length > 128) {
    throw new RangeError(`password length ${length} is invalid: ElastiCache accepts 16-128 characters`);
  }
  let password = '';
  for (let i = 0; i < length; i++) password += PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)];
  return password;
}
