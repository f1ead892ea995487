import type { DoctorResult } from '../core/client/doctor';
import type { ClusterDoctorResult, SentinelDoctorResult } from './topology';
import type { CertSummary } from '../core/certs/summary';

/** Server-supplied text goes to a terminal: escape control characters so it cannot drive it. */
export function clean(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function ms(v: number | null | undefined): string {
  return v === null || v === undefined ? '-' : `${v.toFixed(1)} ms`;
}

function certLines(c: CertSummary, i: number): string[] {
  const role = i === 0 ? 'leaf' : c.selfIssued ? 'root' : 'intermediate';
  const key = `${c.publicKey.algorithm.toUpperCase()}${c.publicKey.size ? `-${c.publicKey.size}` : ''}${c.publicKey.curve ? ` ${c.publicKey.curve}` : ''}`;
  return [
    `  [${i}] ${role}: ${clean(c.subject)}`,
    `      issuer:   ${clean(c.issuer)}`,
    `      valid:    ${c.notBefore} .. ${c.notAfter}`,
    ...(c.subjectAltNames.length ? [`      names:    ${clean(c.subjectAltNames.join(', '))}`] : []),
    `      key:      ${key}, signed ${c.signatureAlgorithm}${c.isCA ? ', CA' : ''}`,
    ...(c.extendedKeyUsage.length ? [`      usage:    ${c.extendedKeyUsage.join(', ')}`] : []),
    `      sha256:   ${c.sha256}`,
  ];
}

export function formatDoctor(r: DoctorResult): string {
  const lines: string[] = [];
  const t = r.target;
  lines.push(
    `redis-tls doctor: ${t.tls ? 'rediss' : 'redis'}://${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}${t.servername && t.servername !== t.host ? ` (server name ${t.servername})` : ''}`,
  );
  if (r.tls) {
    const verdict =
      r.tls.verification === 'chain'
        ? `verified (chain and ${t.servername ? `name "${t.servername}"` : `IP ${t.host}`})`
        : r.tls.verification === 'pin'
          ? 'verified by pinned fingerprint'
          : 'NOT VERIFIED';
    lines.push(
      `TLS:      ${r.tls.protocol ?? '?'}  ${r.tls.cipher ?? '?'}  ${verdict}, session ${r.tls.sessionReused ? 'resumed' : 'new'}`,
    );
  }
  if (r.timings)
    lines.push(
      `Timings:  TCP ${ms(r.timings.tcpConnectMs)}, TLS ${ms(r.timings.tlsHandshakeMs)}, first reply ${ms(r.timings.firstReplyMs)}`,
    );
  if (r.chain.length) {
    lines.push('Chain (as the server presented it; a trusted root may be added from the CA set):');
    r.chain.forEach((c, i) => lines.push(...certLines(c, i)));
  }
  if (r.server) {
    const s = r.server;
    lines.push(`Server:   Redis ${clean(s.redisVersion ?? '?')}${s.mode ? ` (${clean(s.mode)})` : ''}${s.os ? ` on ${clean(s.os)}` : ''}`);
  }
  for (const w of r.warnings) lines.push(`Warning:  ${clean(w)}`);
  if (r.ok) {
    lines.push('OK: the server answered PING over this connection.');
  } else if (r.problem) {
    lines.push(`PROBLEM ${r.problem.code}: ${r.problem.title}`);
    lines.push(`  ${clean(r.problem.detail)}`);
    lines.push(`Fix: ${r.problem.fix}`);
  }
  return lines.join('\n') + '\n';
}

/** The doctor report of a cluster seed (plus one line per node) or of the node a Sentinel named. */
export function formatTopologyDoctor(r: ClusterDoctorResult | SentinelDoctorResult): string {
  const lines: string[] = [];
  if ('sentinel' in r) {
    const p = r.sentinel.primary;
    lines.push(
      `Sentinel: ${clean(r.sentinel.address ?? '?')} names ${p ? `${clean(p.host)}:${p.port}` : 'no primary'} as the primary of "${clean(r.sentinel.service)}"`,
    );
  }
  lines.push(formatDoctor(r).trimEnd());
  if ('nodes' in r && r.nodes.length) {
    lines.push('Nodes:');
    for (const n of r.nodes) {
      const slots = n.slots.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(',');
      const state = n.ok
        ? `${n.tls?.protocol ?? 'TLS'} ${n.tls?.authorized ? 'verified' : 'NOT VERIFIED'} as ${clean(n.verifiedName)}`
        : `FAILED ${n.problem?.code ?? ''}`;
      lines.push(
        `  ${n.role === 'primary' ? 'primary' : '  replica'} ${clean(n.address)}${n.announcedName ? ` (${clean(n.announcedName)})` : ''} slots ${slots || '-'}: ${state}`,
      );
      if (n.problem) lines.push(`      ${clean(n.problem.detail)}`, `      Fix: ${clean(n.problem.fix)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
