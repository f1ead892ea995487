// The TLS posture panel's script, running in the webview (bundled by esbuild into
// dist/webview/auditPanel.js). Every value, server-derived names included, goes in with textContent;
// messages are shape-checked before use. No remote resources.
import type { AuditResult } from '../../core/audit';

// The webview's globals, declared here rather than by adding the DOM library to the extension's compilation.
interface Element {
  className: string;
  textContent: string | null;
  appendChild(node: Element): Element;
  replaceChildren(...nodes: Element[]): void;
}
declare const document: { getElementById(id: string): Element | null; createElement(tag: string): Element };
declare const window: { addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void };
declare function acquireVsCodeApi(): { postMessage(message: { type: 'ready' }): void };

const vscode = acquireVsCodeApi();
const app = document.getElementById('app') as Element;

const str = (v: unknown): string =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : typeof v === 'boolean' ? (v ? 'yes' : 'no') : '';
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const obj = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const ms = (v: unknown): string => (typeof v === 'number' ? `${v.toFixed(2)} ms` : '–');

function el(tag: string, o: { cls?: string; text?: string } = {}, kids: Array<Element | null> = []): Element {
  const e = document.createElement(tag);
  if (o.cls) e.className = o.cls;
  if (o.text !== undefined) e.textContent = o.text;
  for (const k of kids) if (k) e.appendChild(k);
  return e;
}

function fields(rows: Array<[string, string, string?]>): Element {
  const dl = el('dl', { cls: 'fields' });
  for (const [k, v, cls] of rows) {
    dl.appendChild(el('dt', { text: k }));
    dl.appendChild(el('dd', { text: v, cls: cls ?? '' }));
  }
  return dl;
}

/** The result arrives as untrusted JSON: every field is read defensively. */
function render(r: Record<string, unknown>): void {
  app.replaceChildren();
  const t = obj(r.target);
  app.appendChild(el('h1', { text: `TLS posture of ${str(t.host)}:${str(t.port)}` }));
  const findings = arr(r.findings).map(obj);
  const errors = findings.filter((f) => f.severity === 'error').length;
  app.appendChild(
    el('p', {
      cls: errors ? 'status error' : 'status',
      text: errors ? `${errors} error finding(s), ${findings.length} in all.` : `No error findings (${findings.length} in all).`,
    }),
  );

  app.appendChild(el('h2', { text: 'Findings' }));
  for (const f of findings) {
    const sev = f.severity === 'error' || f.severity === 'warning' ? f.severity : 'info';
    app.appendChild(
      el('section', { cls: `finding ${sev}` }, [
        el('div', { text: `${sev.toUpperCase()} ${str(f.code)}: ${str(f.title)}` }),
        el('div', { cls: 'detail', text: str(f.detail) }),
        f.fix ? el('div', { cls: 'fix', text: `Fix: ${str(f.fix)}` }) : null,
      ]),
    );
  }

  app.appendChild(el('h2', { text: 'Protocols' }));
  const p = obj(r.protocols);
  app.appendChild(
    fields(
      ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'].map((v): [string, string, string] => [
        v,
        p[v] === true ? 'accepted' : 'refused',
        p[v] === true ? 'yes' : 'no',
      ]),
    ),
  );

  app.appendChild(el('h2', { text: 'Cipher suites' }));
  const c = obj(r.ciphers);
  app.appendChild(fields([['TLS 1.3 suite chosen', str(c['TLSv1.3']) || '–']]));
  const suites = arr(c['TLSv1.2']).map(obj);
  if (suites.length) {
    const ul = el('ul', { cls: 'suites' });
    for (const s of suites)
      ul.appendChild(el('li', { text: `${str(s.name)}${s.weak ? ` — weak: ${arr(s.reasons).map(str).join(', ')}` : ''}` }));
    app.appendChild(el('div', { text: `TLS 1.2 suites accepted (${suites.length}):` }));
    app.appendChild(ul);
  }

  const res = obj(r.resumption);
  const cost = obj(r.cost);
  const chain = obj(r.chain);
  const leaf = obj(chain.leaf);
  const host = obj(chain.hostname);
  const plain = r.plaintextPort ? obj(r.plaintextPort) : undefined;
  app.appendChild(el('h2', { text: 'Clients, resumption, chain, cost' }));
  app.appendChild(
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
          ? `${str(leaf.subject)}; ${str(leaf.key)}; ${str(leaf.signatureAlgorithm)}; expires ${str(leaf.notAfter)} (${str(leaf.daysLeft)} days)`
          : '–',
      ],
      ['Host name', r.chain && chain.hostname ? `${str(host.name)}: ${str(host.explanation)}` : '–'],
      ['Plaintext port', plain ? `${str(plain.port)} ${plain.open ? 'OPEN: answers Redis in clear text' : 'closed'}` : 'not checked'],
      ['PING (median)', `TLS ${ms(cost.pingTlsMs)}, plaintext ${ms(cost.pingPlaintextMs)} (${str(cost.samples)} samples)`],
    ]),
  );
}

/** What the extension sends: the audit, or a status line. */
export type ToAuditPanel = { type: 'audit'; result: AuditResult } | { type: 'status'; text: string; error?: boolean };

window.addEventListener('message', (event) => {
  const msg = obj(event.data);
  if (msg.type === 'audit') render(obj(msg.result));
  else if (msg.type === 'status') app.replaceChildren(el('p', { cls: msg.error ? 'status error' : 'status', text: str(msg.text) }));
});
vscode.postMessage({ type: 'ready' });
