// The certificate panel's script, running in the webview (bundled by esbuild into
// dist/webview/certPanel.js). Typed by the message protocol in webviews/certProtocol.ts. Every
// server-derived string is inserted with textContent (never innerHTML); messages from the extension
// are shape-checked before use. No remote resources.
import type { AuditView, ConnectionFacts, FromPanel, LinkModel, PanelModel, ToPanel } from '../certProtocol';
import { renderAudit } from './auditSection';

// The webview's globals, declared here (module scope) rather than by adding the DOM library to the
// extension's compilation, where it would change the types of the Node code. Only what this script uses.
interface Element {
  className: string;
  textContent: string | null;
  title: string;
  readonly classList: { toggle(token: string, force?: boolean): boolean };
  setAttribute(name: string, value: string): void;
  appendChild(node: Element): Element;
  replaceChildren(...nodes: Element[]): void;
  addEventListener(type: 'click', listener: () => void): void;
  scrollIntoView(options?: { block?: 'start' | 'center' | 'end' | 'nearest' }): void;
  focus(): void;
}
type Node = Element;
type HTMLElement = Element;
declare const document: { getElementById(id: string): Element | null; createElement(tag: string): Element };
declare const window: { addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void };
declare function acquireVsCodeApi(): { postMessage(message: FromPanel): void };

type Verdict = LinkModel['verdict'];
type Cert = LinkModel['cert'];

const vscode = acquireVsCodeApi();
const app = document.getElementById('app') as HTMLElement;

/** Text of a value that should be a string (numbers allowed); anything else renders as ''. */
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const arr = <T>(v: readonly T[] | undefined | null): readonly T[] => (Array.isArray(v) ? v : []);
const obj = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

function el(
  tag: string,
  o?: { cls?: string; text?: string; attrs?: Record<string, string> },
  kids?: Array<Node | null | undefined>,
): HTMLElement {
  const e = document.createElement(tag);
  if (o?.cls) e.className = o.cls;
  if (o?.text !== undefined) e.textContent = o.text;
  if (o?.attrs) for (const [k, v] of Object.entries(o.attrs)) e.setAttribute(k, v);
  for (const k of kids ?? []) if (k) e.appendChild(k);
  return e;
}

function button(label: string, onClick: () => void, title?: string): HTMLElement {
  const b = el('button', { text: label, attrs: { type: 'button' } });
  if (title) b.title = title;
  b.addEventListener('click', onClick);
  return b;
}

function send(message: FromPanel): void {
  vscode.postMessage(message);
}

const VERDICT_TEXT: Record<Verdict, string> = { ok: 'OK', warning: 'Warning', error: 'Error' };
const VERDICT_ICON: Record<Verdict, string> = { ok: '✔', warning: '⚠', error: '✖' };

function verdictOf(v: unknown): Verdict {
  return v === 'ok' || v === 'warning' || v === 'error' ? v : 'error';
}

function row(dl: HTMLElement, term: string, value: string | Node): void {
  if (value === '') return;
  dl.appendChild(el('dt', { text: term }));
  const dd = el('dd');
  if (typeof value === 'string') dd.textContent = value;
  else dd.appendChild(value);
  dl.appendChild(dd);
}

function setStatus(text: string, isError: boolean): void {
  let s = document.getElementById('status');
  if (!s) {
    s = el('p', { cls: 'status', attrs: { id: 'status', role: 'status' } });
    app.appendChild(s);
  }
  s.textContent = text;
  s.classList.toggle('error', isError);
}

function certDetails(cert: Cert, validity: string): HTMLElement {
  const dl = el('dl', { cls: 'fields' });
  row(dl, 'Subject', str(cert.subject));
  row(dl, 'Issuer', str(cert.issuer));
  const sans = arr(cert.sans).map((n) => `${str(n.type).toUpperCase()}: ${str(n.value)}`);
  row(dl, 'Subject alternative names', sans.length ? sans.join(', ') : 'none');
  row(dl, 'Validity', `${str(cert.notBefore)} → ${str(cert.notAfter)}`);
  row(dl, 'Time left', validity);
  row(dl, 'Public key', str(cert.publicKey));
  row(dl, 'Signature', str(cert.signatureAlgorithm));
  row(dl, 'Serial number', str(cert.serialNumber));
  row(dl, 'CA', cert.isCA === true ? `yes${typeof cert.pathLength === 'number' ? `, path length ≤ ${cert.pathLength}` : ''}` : 'no');
  row(dl, 'Key usage', arr(cert.keyUsage).map(str).join(', ') || '(not restricted)');
  row(dl, 'Extended key usage', arr(cert.extendedKeyUsage).map(str).join(', ') || '(not restricted)');
  row(dl, 'SHA-256 fingerprint', el('code', { text: str(cert.sha256) }));
  row(dl, 'SHA-1 fingerprint', el('code', { text: str(cert.sha1) }));
  return dl;
}

function extensionsTable(cert: Cert): HTMLElement {
  const exts = arr(cert.extensions).filter((x) => obj(x) !== undefined);
  const details = el('details', { cls: 'extensions' });
  details.appendChild(el('summary', { text: `Extensions (${exts.length})` }));
  const table = el('table');
  const head = el('tr', undefined, [
    el('th', { text: 'Extension', attrs: { scope: 'col' } }),
    el('th', { text: 'Critical', attrs: { scope: 'col' } }),
    el('th', { text: 'Value', attrs: { scope: 'col' } }),
  ]);
  table.appendChild(el('thead', undefined, [head]));
  const body = el('tbody');
  for (const e of exts) {
    body.appendChild(
      el('tr', undefined, [
        el('td', { text: `${str(e.name)}${str(e.name) !== str(e.oid) ? ` (${str(e.oid)})` : ''}` }),
        el('td', { text: e.critical === true ? 'yes' : 'no' }),
        el('td', { text: str(e.value) }),
      ]),
    );
  }
  table.appendChild(body);
  details.appendChild(table);
  return details;
}

function linkCard(link: LinkModel, canUseCa: boolean): HTMLElement {
  const cert = (obj(link.cert) ?? {}) as unknown as Cert;
  const verdict = verdictOf(link.verdict);
  const position = typeof link.position === 'number' ? link.position : 0;
  const role = str(link.role);
  const name = str(cert.commonName) || str(cert.subject) || '(no subject)';
  const li = el('li', {
    cls: `link ${verdict}`,
    attrs: { id: `link-${position}`, tabindex: '-1', 'aria-label': `${role} ${name}: ${VERDICT_TEXT[verdict]}` },
  });
  li.appendChild(
    el('div', { cls: 'link-header' }, [
      el('span', { cls: `badge ${verdict}`, text: `${VERDICT_ICON[verdict]} ${VERDICT_TEXT[verdict]}` }),
      el('span', { cls: 'role', text: role }),
      el('h2', { cls: 'name', text: name }),
      el('span', { cls: 'source', text: str(link.source) }),
    ]),
  );
  // The checks below list every verdict; a problem link also gets its explanation in one paragraph.
  if (verdict !== 'ok') li.appendChild(el('p', { cls: 'explanation', text: str(link.explanation) }));
  const checks = el('ul', { cls: 'checks', attrs: { 'aria-label': 'Checks' } });
  for (const c of arr(link.checks)) {
    const v = verdictOf(c.verdict);
    checks.appendChild(
      el('li', { cls: v }, [
        el('span', { cls: 'icon', text: VERDICT_ICON[v], attrs: { 'aria-hidden': 'true' } }),
        el('span', { text: ` ${str(c.text)}` }),
      ]),
    );
  }
  li.appendChild(checks);
  const findings = arr(link.findings).filter((f) => obj(f) !== undefined);
  if (findings.length) {
    const ul = el('ul', { cls: 'findings', attrs: { 'aria-label': 'Findings' } });
    for (const f of findings) {
      const sev = str(f.severity) === 'info' ? 'info' : verdictOf(str(f.severity));
      ul.appendChild(
        el('li', { cls: sev }, [
          el('strong', { text: str(f.title) }),
          el('span', { text: ` ${str(f.detail)}` }),
          str(f.fix) ? el('span', { cls: 'fix', text: ` Fix: ${str(f.fix)}` }) : null,
        ]),
      );
    }
    li.appendChild(ul);
  }
  li.appendChild(certDetails(cert, str(link.validity)));
  li.appendChild(extensionsTable(cert));
  const hasPem = str(cert.pem) !== '';
  const actions = el('div', { cls: 'actions' }, [
    hasPem ? button('Copy PEM', () => send({ type: 'copyPem', position })) : null,
    button('Copy SHA-256', () => send({ type: 'copyFingerprint', position })),
  ]);
  if (hasPem && canUseCa && (cert.isCA === true || cert.selfIssued === true)) {
    actions.appendChild(
      button(
        'Use This CA in a Profile',
        () => send({ type: 'useCa', position }),
        'Trust this certificate as the CA of a connection profile',
      ),
    );
  }
  li.appendChild(actions);
  return li;
}

function connectionSection(conn: ConnectionFacts): HTMLElement {
  const dl = el('dl', { cls: 'fields connection' });
  row(dl, 'Server', `${str(conn.host)}:${str(conn.port)}`);
  row(dl, 'Server name (SNI)', str(conn.servername) || '(none)');
  row(dl, 'Protocol', str(conn.protocol) || '—');
  row(dl, 'Cipher', str(conn.cipher) || '—');
  if (typeof conn.sessionReused === 'boolean') row(dl, 'Session reused', conn.sessionReused ? 'yes' : 'no');
  if (typeof conn.authorized === 'boolean') {
    row(
      dl,
      'Connection verification',
      `${conn.authorized ? 'authorized' : 'NOT authorized'}${str(conn.verification) ? ` (${str(conn.verification)})` : ''}${str(conn.authorizationError) ? `: ${str(conn.authorizationError)}` : ''}`,
    );
  }
  return el('section', { attrs: { 'aria-label': 'Connection' } }, [el('h2', { text: 'Connection' }), dl]);
}

function render(model: PanelModel): void {
  app.replaceChildren();
  app.appendChild(el('h1', { text: str(model.title) }));
  const trusted = model.trusted === true;
  app.appendChild(
    el('section', { cls: `banner ${trusted ? 'trusted' : 'untrusted'}`, attrs: { role: 'status', 'aria-label': 'Verification result' } }, [
      el('strong', { cls: 'headline', text: trusted ? '✔ Trusted' : '✖ Not trusted' }),
      el('span', { text: ` ${str(model.verdict).replace(/^(Not trusted|Trusted): /, '')}` }),
      str(model.code) ? el('code', { cls: 'code', text: str(model.code) }) : null,
    ]),
  );
  app.appendChild(el('p', { cls: 'trust-source', text: `Trust judged against: ${str(model.trustSource)}` }));

  const conn = obj(model.connection) as ConnectionFacts | undefined;
  if (conn) app.appendChild(connectionSection(conn));
  const notes = arr(model.notes).map(str).filter(Boolean);
  if (notes.length)
    app.appendChild(
      el(
        'ul',
        { cls: 'notes' },
        notes.map((n) => el('li', { text: n })),
      ),
    );

  app.appendChild(
    el('div', { cls: 'actions global' }, [
      button('Save Chain…', () => send({ type: 'saveChain' })),
      button('Refresh', () => send({ type: 'refresh' })),
      // A connection's panel tells the whole story: its chain here, its server's TLS posture below.
      obj(model.subject)?.kind === 'connection'
        ? button(
            'Audit TLS Posture',
            () => send({ type: 'audit' }),
            'Probe the protocols, cipher suites, client certificates, resumption and plaintext port of this server',
          )
        : null,
    ]),
  );

  app.appendChild(el('h2', { text: 'Certification path (leaf → root)' }));
  const links = arr(model.links).filter((l) => obj(l) !== undefined);
  // The path at a glance; each step moves focus to its card (keyboard and mouse alike).
  const overview = el('ol', { cls: 'path', attrs: { 'aria-label': 'Path overview' } });
  for (const l of links) {
    const c = (obj(l.cert) ?? {}) as Partial<Cert>;
    const v = verdictOf(l.verdict);
    const pos = typeof l.position === 'number' ? l.position : 0;
    const step = button(
      `${VERDICT_ICON[v]} ${str(c.commonName) || str(c.subject) || '(no subject)'}`,
      () => {
        const card = document.getElementById(`link-${pos}`);
        if (card) {
          card.scrollIntoView({ block: 'start' });
          card.focus();
        }
      },
      `${str(l.role)}: ${VERDICT_TEXT[v]}`,
    );
    step.className = `step ${v}`;
    overview.appendChild(el('li', undefined, [step]));
  }
  app.appendChild(overview);
  app.appendChild(
    el(
      'ol',
      { cls: 'chain' },
      links.map((l) => linkCard(l, model.canUseCa === true)),
    ),
  );

  const unused = arr(model.unused).filter((u) => obj(u) !== undefined);
  if (unused.length) {
    app.appendChild(el('h2', { text: 'Presented but not on the path' }));
    app.appendChild(
      el(
        'ul',
        { cls: 'unused' },
        unused.map((u) => el('li', { text: `${str(u.subject)} (issuer ${str(u.issuer)})` })),
      ),
    );
  }
  setStatus('', false);
  showAudit(false);
}

/** The last audit of this connection (kept across re-renders of the chain). */
let audit: AuditView | undefined;

/** The "TLS posture" section at the end of the panel: running, failed, or the audit. */
function showAudit(reveal: boolean): void {
  const a = obj(audit);
  if (!a) return;
  let section = document.getElementById('audit');
  if (section) section.replaceChildren();
  else {
    section = el('section', { cls: 'audit', attrs: { id: 'audit', tabindex: '-1', 'aria-label': 'TLS posture audit' } });
    app.appendChild(section);
  }
  if (a.state === 'done' && obj(a.result)) renderAudit(document, section, obj(a.result) as Record<string, unknown>);
  else {
    section.appendChild(el('h2', { text: 'TLS posture' }));
    section.appendChild(el('p', { cls: a.state === 'failed' ? 'status error' : 'status', text: str(a.text) }));
  }
  if (reveal) section.scrollIntoView({ block: 'start' });
}

window.addEventListener('message', (event) => {
  const msg = obj(event.data) as ToPanel | undefined;
  if (!msg) return;
  if (msg.type === 'show') {
    const model = obj(msg.model) as PanelModel | undefined;
    if (model && Array.isArray(model.links)) render(model);
  } else if (msg.type === 'status') {
    setStatus(str(msg.text), msg.error === true);
  } else if (msg.type === 'audit') {
    audit = obj(msg.audit) as AuditView | undefined;
    showAudit(true);
  }
});

send({ type: 'ready' });
