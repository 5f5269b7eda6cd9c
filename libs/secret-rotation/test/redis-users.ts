// The users port on a real redis-server, since nothing offline implements ElastiCache's ModifyUser:
// ModifyUser becomes `ACL SETUSER <user> resetpass >p1 >p2`, applied only after a `modifying` spell
// (as ElastiCache propagates a change before the user is `active` again), and DescribeUsers reads the
// password count from `ACL GETUSER`. ModifyUser on a user that is not `active` is refused, as on AWS.
import type { RedisServer } from '@cache-platform/cache-client/testing';
import type { UsersPort, UserState } from '../src';

export interface RedisUsersPort extends UsersPort {
  /** ModifyUser calls, with how many passwords each set */
  readonly modifications: number[];
}

export function redisUsersPort(server: RedisServer, options: { modifyingMs: number }): RedisUsersPort {
  const applying = new Map<string, Promise<void>>();
  const modifications: number[] = [];
  return {
    modifications,
    async describeUser(userId): Promise<UserState> {
      const reply = await server.admin('ACL', 'GETUSER', userId);
      if (reply === '') throw Object.assign(new Error(`User ${userId} not found.`), { name: 'UserNotFoundFault' });
      const lines = reply.split('\n');
      const from = lines.indexOf('passwords');
      const to = lines.indexOf('commands');
      const passwordCount = lines.slice(from + 1, to).filter((l) => l !== '').length;
      return { status: applying.has(userId) ? 'modifying' : 'active', passwordCount };
    },
    async setPasswords(userId, passwords) {
      if (applying.has(userId)) throw Object.assign(new Error(`User ${userId} is not in active state.`), { name: 'InvalidUserStateFault' });
      modifications.push(passwords.length);
      const done = new Promise<void>((resolve) => setTimeout(resolve, options.modifyingMs))
        .then(() => server.setUserPasswords(userId, passwords))
        .finally(() => applying.delete(userId));
      applying.set(
        userId,
        done.catch(() => undefined),
      );
    },
  };
}
