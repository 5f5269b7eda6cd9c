// The users port on the AWS SDK v3 ElastiCache client: elasticache:DescribeUsers and
// elasticache:ModifyUser, on the user being rotated.
import { DescribeUsersCommand, ElastiCacheClient, ModifyUserCommand } from '@aws-sdk/client-elasticache';
import type { UsersPort } from './ports';

/** `client` defaults to one for the Lambda's region (`AWS_REGION`) and the role's credentials. */
export function awsUsersPort(client: ElastiCacheClient = new ElastiCacheClient({})): UsersPort {
  return {
    async describeUser(userId) {
      const out = await client.send(new DescribeUsersCommand({ UserId: userId }));
      const user = out.Users?.find((u) => u.UserId === userId);
      if (!user) throw new Error(`ElastiCache user ${userId} not found`);
      return { status: user.Status ?? 'unknown', passwordCount: user.Authentication?.PasswordCount ?? 0 };
    },
    async setPasswords(userId, passwords) {
      // `Passwords` as AWS's own ElastiCache rotation template sends them: at most two, the whole list
      await client.send(new ModifyUserCommand({ UserId: userId, Passwords: [...passwords] }));
    },
  };
}
