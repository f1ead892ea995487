import { AUDIT_PROTOCOLS, type AuditResult } from './audit';

function ms(v: number | null): string {
  return v === null ? '-' : `${v.toFixed(2)} ms`;
}

/** The audit for a person (CLI). `clean` escapes server-supplied text for a terminal. */
export function formatAudit(r: AuditResult, clean: (s: string) => string = (s) => s): string {
  const L: string[] = [];
  L.push(`redis-tls audit: ${r.target.host}:${r.target.port}${r.target.servername ? ` (server name ${clean(r.target.servername)})` : ''}`);
  L.push(`Protocols:    ${AUDIT_PROTOCOLS.map((v) => `${v} ${r.protocols[v] ? 'yes' : 'no'}`).join(', ')}`);
  if (r.ciphers.enumerated) {
    L.push(`TLS 1.2 suites accepted (${r.ciphers['TLSv1.2'].length}):`);
    for (const c of r.ciphers['TLSv1.2']) L.push(`  ${c.name}${c.weak ? `  weak: ${c.reasons.join(', ')}` : ''}`);
  }
  L.push(`TLS 1.3 suite: ${r.ciphers['TLSv1.3'] ?? '-'}`);
  L.push(`Client cert:  ${r.clientCert}`);
  L.push(
    `Resumption:   ${r.resumption.supported ? 'supported' : 'not supported'} (fresh ${ms(r.resumption.freshMs)}, resumed ${ms(r.resumption.resumedMs)})`,
  );
  if (r.chain) {
    const c = r.chain;
    L.push(
      `Chain:        ${c.presented} presented, ${c.complete ? 'complete' : 'MISSING an intermediate'}, ${c.trusted ? 'trusted' : 'not trusted'} (against ${c.trustSource})`,
    );
    if (c.leaf)
      L.push(
        `  leaf: ${clean(c.leaf.subject)}; ${c.leaf.key}; ${c.leaf.signatureAlgorithm}; expires ${c.leaf.notAfter} (${c.leaf.daysLeft} days)`,
      );
    if (c.hostname)
      L.push(`  name: ${clean(c.hostname.name)} ${c.hostname.match ? 'matches' : 'does NOT match'}: ${clean(c.hostname.explanation)}`);
  }
  L.push(
    `Plaintext:    ${r.plaintextPort ? `port ${r.plaintextPort.port} ${r.plaintextPort.open ? 'OPEN (answers Redis in clear text)' : 'closed'}` : 'not checked'}`,
  );
  L.push(
    `Cost:         PING median of ${r.cost.samples}: TLS ${ms(r.cost.pingTlsMs)}, plaintext ${ms(r.cost.pingPlaintextMs)}${r.cost.pingTlsMs !== null && r.cost.pingPlaintextMs ? ` (x${(r.cost.pingTlsMs / r.cost.pingPlaintextMs).toFixed(2)})` : ''}; handshake fresh ${ms(r.cost.handshakeFreshMs)}, resumed ${ms(r.cost.handshakeResumedMs)}`,
  );
  if (r.findings.length === 0) L.push('No findings.');
  for (const f of r.findings) {
    L.push(`${f.severity.toUpperCase()} ${f.code}: ${clean(f.title)}`);
    L.push(`  ${clean(f.detail)}`);
    if (f.fix) L.push(`  fix: ${clean(f.fix)}`);
  }
  return L.join('\n') + '\n';
}
