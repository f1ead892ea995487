/** `redis-tls audit <connection options> [--plaintext-port N] [--json]`: TLS posture of an endpoint. */
import { readFileSync } from 'node:fs';
import { auditEndpoint, formatAudit } from '../core/audit';
import { isEncryptedKeyPem } from '../core/certs';
import { parseConnectionArgs } from '../core/client/redisCliArgs';
import { clean } from './format';
import { buildConnectionOptions, promptHidden, UsageError } from './options';

export const AUDIT_USAGE = `Usage: redis-tls audit <connection options as for doctor> [--plaintext-port N|none] [--samples N] [--json]
  Probes TLSv1..TLSv1.3 one by one, the TLS 1.2 suites, client-certificate policy, session
  resumption, the chain, a plaintext Redis on 6379 (or --plaintext-port), and PING over TLS vs plaintext.
  Exit status: 0 no error finding, 1 at least one, 2 usage error.
`;

export async function runAudit(argv: string[]): Promise<number> {
  const args = parseConnectionArgs(argv);
  let json = false;
  let plaintextPort: number | null | undefined;
  let samples: number | undefined;
  let options;
  try {
    if (args.errors.length) throw new UsageError(args.errors.join('\n'));
    for (let i = 0; i < args.rest.length; i++) {
      const a = args.rest[i];
      const next = (): string => {
        const v = args.rest[++i];
        if (v === undefined) throw new UsageError(`${a} needs a value`);
        return v;
      };
      if (a === '--json') json = true;
      else if (a === '--plaintext-port') {
        const v = next();
        if (v === 'none') plaintextPort = null;
        else if (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 65535) plaintextPort = Number(v);
        else throw new UsageError(`--plaintext-port needs a port (1-65535) or "none", not "${v}"`);
      } else if (a === '--samples') {
        const v = next();
        if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 100000)
          throw new UsageError(`--samples needs a whole number from 1, not "${v}"`);
        samples = Number(v);
      } else throw new UsageError(`unknown option for audit: ${a}`);
    }
    let passphrase: string | undefined;
    if (args.key && process.env.REDIS_TLS_KEY_PASSPHRASE === undefined && process.stdin.isTTY) {
      let keyPem: Buffer | undefined;
      try {
        keyPem = readFileSync(args.key);
      } catch {
        /* reported by buildConnectionOptions */
      }
      if (keyPem && isEncryptedKeyPem(keyPem)) passphrase = await promptHidden(`Passphrase for ${args.key}: `);
    }
    options = buildConnectionOptions({ ...args, tls: true }, process.env, passphrase);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`redis-tls audit: ${clean(e.message)}\n${AUDIT_USAGE}`);
      return 2;
    }
    throw e;
  }
  for (const w of args.warnings) process.stderr.write(`${w}\n`);
  const result = await auditEndpoint({
    connection: options,
    ...(plaintextPort !== undefined ? { plaintextPort } : {}),
    ...(samples ? { pingSamples: samples } : {}),
  });
  process.stdout.write(json ? `${JSON.stringify(result, null, 2)}\n` : formatAudit(result, clean));
  return result.findings.some((f) => f.severity === 'error') ? 1 : 0;
}
