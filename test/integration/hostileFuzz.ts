// A seeded fuzz of hostile replies through the session layer: a RedisConnection over a real TLS
// socket to a lab peer that answers each PING with a generated reply — valid ones, and hostile ones
// (huge declared lengths and counts, deep nesting, RESP3 and garbage type bytes, bad headers, dozens
// of `*30000000` headers) after which the peer ends the connection. Not a test file: the hostile test
// and `npm run test:reliability` call runHostileFuzz.
import type * as tls from 'node:tls';
import { RedisConnection } from '../../src/core/client/connection';
import { isDiagnosedError } from '../../src/core/diagnosis/problem';
import { ReplyError } from '../../src/core/resp/replyTypes';
import { TlsCache } from '../../src/core/tls/context';
import { getLab } from '../lab/certs';
import { prng } from '../lab/prng';
import { startTlsPeer } from '../lab/servers';

export interface HostileFuzzResult {
  /** Replies the peer sent (valid and hostile). */
  replies: number;
  hostile: number;
  /** Commands that settled with something other than a reply, a ReplyError or a DiagnosedError, plus uncaught errors. */
  crashes: number;
  connections: number;
  peakRssMb: number;
  summary: string;
}

function validReply(r: () => number, depth = 0): string {
  const k = Math.floor(r() * (depth > 2 ? 5 : 7));
  switch (k) {
    case 0:
      return '+OK\r\n';
    case 1:
      return `:${Math.floor(r() * 1e9) - 5e8}\r\n`;
    case 2: {
      const s = 'x'.repeat(Math.floor(r() * 64));
      return `$${s.length}\r\n${s}\r\n`;
    }
    case 3:
      return '$-1\r\n';
    case 4:
      return '-ERR fuzz\r\n';
    default: {
      const n = Math.floor(r() * 5);
      let s = `*${n}\r\n`;
      for (let i = 0; i < n; i++) s += validReply(r, depth + 1);
      return s;
    }
  }
}

/** A reply that must break the stream (or never complete) without allocating from its headers. */
function hostileReply(r: () => number): string {
  const big = () => String(2 ** (20 + Math.floor(r() * 33)) + Math.floor(r() * 1000));
  switch (Math.floor(r() * 12)) {
    case 0:
      return '*30000000\r\n'.repeat(12);
    case 1:
      return `*${big()}\r\n`;
    case 2:
      return `$${big()}\r\nxxxx`;
    case 3:
      return '*1\r\n'.repeat(65 + Math.floor(r() * 200));
    case 4:
      return `${'%~_,#!=(|>'[Math.floor(r() * 10)]}2\r\n`;
    case 5:
      return String.fromCharCode(Math.floor(r() * 256)).replace(/[+\-:$*]/, '?') + 'garbage\r\n';
    case 6:
      return `$1${'2'.repeat(20)}\r\n`;
    case 7:
      return '$12x\r\n';
    case 8:
      return `*2\r\n*${big()}\r\n`;
    case 9:
      return `*3\r\n$${big()}\r\n`;
    case 10:
      return `${'*1\r\n'.repeat(30)}*30000000\r\n`.repeat(3);
    default: {
      // A valid prefix cut in the middle.
      const v = validReply(r);
      return v.length > 2 ? v.slice(0, Math.max(1, Math.floor(r() * (v.length - 1)))) : '*5\r\n';
    }
  }
}

const PING_BYTES = 14; // *1\r\n$4\r\nPING\r\n

export async function runHostileFuzz(
  opts: { replies?: number; seed?: number; hostileRatio?: number; batch?: number } = {},
): Promise<HostileFuzzResult> {
  const target = opts.replies ?? 10_000;
  const r = prng(opts.seed ?? 0x5eed);
  const ratio = opts.hostileRatio ?? 0.05;
  const batch = opts.batch ?? 200;
  const lab = await getLab();
  let replies = 0;
  let hostile = 0;
  let crashes = 0;
  let connections = 0;
  const onUncaught = (): void => {
    crashes++;
  };
  process.on('uncaughtException', onUncaught);
  const peer = await startTlsPeer({
    onSecureSocket: (s: tls.TLSSocket) => {
      let pending = 0;
      let greeted = false;
      s.on('error', () => undefined);
      s.on('data', (d: Buffer) => {
        pending += d.length;
        if (!greeted && pending >= PING_BYTES) {
          greeted = true;
          pending -= PING_BYTES;
          s.write('+PONG\r\n');
        }
        const out: string[] = [];
        while (greeted && pending >= PING_BYTES && !s.writableEnded) {
          pending -= PING_BYTES;
          replies++;
          if (r() < ratio) {
            hostile++;
            out.push(hostileReply(r));
            s.end(out.join(''));
            return;
          }
          out.push(validReply(r));
        }
        if (out.length) s.write(out.join(''));
      });
    },
  });
  const cache = new TlsCache();
  const base = process.memoryUsage().rss;
  let peak = base;
  try {
    while (replies < target) {
      const conn = await RedisConnection.open(
        { host: 'localhost', port: peer.port, tls: { enabled: true, ca: [lab.rootCa.cert] }, commandTimeoutMs: 5000 },
        { tlsCache: cache },
      );
      connections++;
      try {
        const n = Math.min(batch, target - replies);
        const settled = await Promise.allSettled(Array.from({ length: n }, () => conn.send(['PING'])));
        for (const s of settled) {
          if (s.status === 'rejected' && !(s.reason instanceof ReplyError) && !isDiagnosedError(s.reason)) crashes++;
        }
      } finally {
        conn.destroy();
      }
      peak = Math.max(peak, process.memoryUsage().rss);
    }
  } finally {
    process.off('uncaughtException', onUncaught);
    await peer.stop();
  }
  const peakRssMb = Math.round((peak - base) / (1024 * 1024));
  return {
    replies,
    hostile,
    crashes,
    connections,
    peakRssMb,
    summary: `hostile-fuzz: replies ${replies}, crashes ${crashes}, peak RSS +${peakRssMb} MB`,
  };
}
