import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A test certificate authority and a server certificate it signed, as files and PEM text. */
export interface TestTls {
  /** folder holding the files; removed by {@link TestTls.remove} */
  readonly dir: string;
  readonly caFile: string;
  readonly caPem: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** names the server certificate is valid for (subjectAltName) */
  readonly serverNames: readonly string[];
  /** PEM of a second CA that signed nothing: a client trusting only it must refuse the server */
  readonly untrustedCaPem: string;
  remove(): void;
}

export interface CreateTestTlsOptions {
  /**
   * DNS names and IP addresses the server certificate is valid for.
   * @default ['localhost', '127.0.0.1', '::1']
   */
  readonly serverNames?: readonly string[];
}

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await run('openssl', args, { cwd });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error('openssl not found on PATH: the TLS tests generate their test CA with it');
    throw new Error(`openssl ${args[0]} failed: ${e.stderr ?? e.message}`);
  }
}

async function newCa(dir: string, name: string): Promise<void> {
  // EC keys: generated in milliseconds, where RSA would cost most of a test's time budget
  await openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`], dir);
  await openssl(
    [
      'req',
      '-x509',
      '-new',
      '-key',
      `${name}.key`,
      '-sha256',
      '-days',
      '2',
      '-subj',
      `/CN=cache-client ${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-out',
      `${name}.crt`,
    ],
    dir,
  );
}

/** Generates a fresh test CA and a server certificate (EC P-256, valid two days) with openssl. */
export async function createTestTls(options: CreateTestTlsOptions = {}): Promise<TestTls> {
  const serverNames = options.serverNames ?? ['localhost', '127.0.0.1', '::1'];
  const dir = mkdtempSync(join(tmpdir(), 'cache-client-tls-'));
  try {
    await Promise.all([newCa(dir, 'ca'), newCa(dir, 'untrusted-ca')]);
    await openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'server.key'], dir);
    await openssl(['req', '-new', '-key', 'server.key', '-subj', '/CN=cache-client test server', '-out', 'server.csr'], dir);
    const san = serverNames.map((n) => (/^[\d.]+$|:/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
    writeFileSync(
      join(dir, 'server.ext'),
      `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyAgreement\nsubjectAltName=${san}\n`,
    );
    await openssl(
      [
        'x509',
        '-req',
        '-in',
        'server.csr',
        '-CA',
        'ca.crt',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-days',
        '2',
        '-sha256',
        '-extfile',
        'server.ext',
        '-out',
        'server.crt',
      ],
      dir,
    );
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    dir,
    caFile: join(dir, 'ca.crt'),
    caPem: readFileSync(join(dir, 'ca.crt'), 'utf8'),
    certFile: join(dir, 'server.crt'),
    keyFile: join(dir, 'server.key'),
    serverNames,
    untrustedCaPem: readFileSync(join(dir, 'untrusted-ca.crt'), 'utf8'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
