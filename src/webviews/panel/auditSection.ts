// The TLS posture audit as a section of the certificate panel (bundled into dist/webview/certPanel.js).
// Every value, server-derived names included, goes in with textContent; the result arrives as
// untrusted JSON and every field is read defensively. No remote resources.

/** The little of the DOM this section needs (the page script passes its `document`). */
export interface AuditElement {
  className: string;
  textContent: string | null;
  appendChild(node: AuditElement): AuditElement;
}
export interface AuditDocument {
  createElement(tag: string): AuditElement;
}

const str = (v: unknown): string =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : typeof v === 'boolean' ? (v ? 'yes' : 'no') : '';
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const obj = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const ms = (v: unknown): string => (typeof v === 'number' ? `${v.toFixed(2)} ms` : '–');

/** The audit section's content: a headline, the findings, then protocols, suites, clients, chain and cost. */
export function renderAudit(doc: AuditDocument, section: AuditElement, r: Record<string, unknown>): void {
  const el = (tag: string, o: { cls?: string; text?: string } = {}, kids: Array<AuditElement | null> = []): AuditElement => {
    const e = doc.createElement(tag);
    if (o.cls) e.className = o.cls;
    if (o.text !== undefined) e.textContent = o.text;
    for (const k of kids) if (k) e.appendChild(k);
    return e;
  };
  const fields = (rows: Array<[string, string, string?]>): AuditElement => {
    const dl = el('dl', { cls: 'fields' });
    for (const [k, v, cls] of rows) {
      dl.appendChild(el('dt', { text: k }));
      dl.appendChild(el('dd', { text: v, cls: cls ?? '' }));
    }
    return dl;
  };

  const t = obj(r.target);
  section.appendChild(el('h2', { text: `TLS posture of ${str(t.host)}:${str(t.port)}` }));
  const findings = arr(r.findings).map(obj);
  const errors = findings.filter((f) => f.severity === 'error').length;
  section.appendChild(
    el('p', {
      cls: errors ? 'audit-summary error' : 'audit-summary',
      text: errors ? `${errors} error finding(s), ${findings.length} in all.` : `No error findings (${findings.length} in all).`,
    }),
  );

  section.appendChild(el('h3', { text: 'Findings' }));
  for (const f of findings) {
    const sev = f.severity === 'error' || f.severity === 'warning' ? f.severity : 'info';
    section.appendChild(
      el('div', { cls: `audit-finding ${sev}` }, [
        el('div', { text: `${sev.toUpperCase()} ${str(f.code)}: ${str(f.title)}` }),
        el('div', { cls: 'detail', text: str(f.detail) }),
        f.fix ? el('div', { cls: 'fix', text: `Fix: ${str(f.fix)}` }) : null,
      ]),
    );
  }

  section.appendChild(el('h3', { text: 'Protocols' }));
  const p = obj(r.protocols);
  section.appendChild(
    fields(
      ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'].map((v): [string, string, string] => [
        v,
        p[v] === true ? 'accepted' : 'refused',
        p[v] === true ? 'yes' : 'no',
      ]),
    ),
  );

  section.appendChild(el('h3', { text: 'Cipher suites' }));
  const c = obj(r.ciphers);
  section.appendChild(fields([['TLS 1.3 suite chosen', str(c['TLSv1.3']) || '–']]));
  const suites = arr(c['TLSv1.2']).map(obj);
  if (suites.length) {
    const ul = el('ul', { cls: 'suites' });
    for (const s of suites)
      ul.appendChild(el('li', { text: `${str(s.name)}${s.weak ? ` — weak: ${arr(s.reasons).map(str).join(', ')}` : ''}` }));
    section.appendChild(el('div', { text: `TLS 1.2 suites accepted (${suites.length}):` }));
    section.appendChild(ul);
  }

  const res = obj(r.resumption);
  const cost = obj(r.cost);
  const chain = obj(r.chain);
  const leaf = obj(chain.leaf);
  const host = obj(chain.hostname);
  const plain = r.plaintextPort ? obj(r.plaintextPort) : undefined;
  section.appendChild(el('h3', { text: 'Clients, resumption, chain, cost' }));
  section.appendChild(
    fields([
      ['Client certificate', str(r.clientCert)],
      ['Session resumption', `${res.supported ? 'supported' : 'not supported'} (fresh ${ms(res.freshMs)}, resumed ${ms(res.resumedMs)})`],
      [
        'Chain',
        r.chain
          ? `${str(chain.presented)} presented, ${chain.complete ? 'complete' : 'missing an intermediate'}, ${chain.trusted ? 'trusted' : 'not trusted'} (against ${str(chain.trustSource)})`
          : '–',
      ],
      [
        'Leaf',
        r.chain
          ? `${str(leaf.subject)}; ${str(leaf.publicKey)}; ${str(leaf.signatureAlgorithm)}; expires ${str(leaf.notAfter)} (${str(leaf.daysLeft)} days)`
          : '–',
      ],
      ['Host name', r.chain && chain.hostname ? `${str(host.name)}: ${str(host.explanation)}` : '–'],
      ['Plaintext port', plain ? `${str(plain.port)} ${plain.open ? 'OPEN: answers Redis in clear text' : 'closed'}` : 'not checked'],
      ['PING (median)', `TLS ${ms(cost.pingTlsMs)}, plaintext ${ms(cost.pingPlaintextMs)} (${str(cost.samples)} samples)`],
    ]),
  );
}
