import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A local stand-in for the Secrets Manager API (GetSecretValue only), for tests and the cold-start benchmark. */
export interface SecretsManagerStub {
  /** http://127.0.0.1:<port>: put it in AWS_ENDPOINT_URL_SECRETS_MANAGER */
  readonly endpoint: string;
  /** GetSecretValue calls received, by secret id */
  readonly calls: Readonly<Record<string, number>>;
  /** Puts or replaces a secret's SecretString: a new version with a new VersionId, as PutSecretValue makes. */
  set(secretId: string, secretString: string): void;
  /** The VersionId GetSecretValue answers for a secret now. */
  versionOf(secretId: string): string | undefined;
  /** Makes calls wait this long before answering (a slow endpoint). */
  delayMs: number;
  stop(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startSecretsManagerStub(secrets: Record<string, string> = {}): Promise<SecretsManagerStub> {
  // AWSCURRENT of every secret: its value and version id (a UUID, as AWS generates them)
  const store = new Map(Object.entries(secrets).map(([id, value]) => [id, { value, versionId: randomUUID() }]));
  const calls: Record<string, number> = {};
  const stub = { delayMs: 0 } as SecretsManagerStub & { delayMs: number };
  const server = createServer(async (req, res) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    const input = JSON.parse((await body(req)) || '{}') as { SecretId?: string };
    const reply = (status: number, doc: unknown) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(doc));
    };
    if (stub.delayMs > 0) await new Promise((r) => setTimeout(r, stub.delayMs));
    if (target !== 'secretsmanager.GetSecretValue') return reply(400, { __type: 'UnknownOperationException', message: target });
    const id = input.SecretId ?? '';
    calls[id] = (calls[id] ?? 0) + 1;
    const current = store.get(id);
    if (current === undefined)
      return reply(400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
    return reply(200, {
      ARN: id,
      Name: id.split(':').pop(),
      SecretString: current.value,
      VersionId: current.versionId,
      VersionStages: ['AWSCURRENT'],
      CreatedDate: 1,
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(stub, {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    set: (id: string, value: string) => void store.set(id, { value, versionId: randomUUID() }),
    versionOf: (id: string) => store.get(id)?.versionId,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
