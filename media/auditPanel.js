// TLS posture panel script. Every value (server-derived names included) goes in with textContent;
// messages are shape-checked before use. No remote resources.
// @ts-check
(function () {
  'use strict';
  // eslint-disable-next-line no-undef
  const vscode = acquireVsCodeApi();
  const app = /** @type {HTMLElement} */ (document.getElementById('app'));
  /** @param {unknown} v */
  const str = (v) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : typeof v === 'boolean' ? (v ? 'yes' : 'no') : '');
  /** @param {unknown} v */
  const arr = (v) => (Array.isArray(v) ? v : []);
  /** @param {unknown} v */
  const obj = (v) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? /** @type {Record<string, unknown>} */ (v) : {});
  /** @param {string} tag @param {{ cls?: string, text?: string }} [o] @param {Array<Node | null>} [kids] */
  function el(tag, o, kids) {
    const e = document.createElement(tag);
    if (o && o.cls) e.className = o.cls;
    if (o && o.text !== undefined) e.textContent = o.text;
    for (const k of kids || []) if (k) e.appendChild(k);
    return e;
  }
  /** @param {Array<[string, string, string?]>} rows */
  function fields(rows) {
    const dl = el('dl', { cls: 'fields' });
    for (const [k, v, cls] of rows) {
      dl.appendChild(el('dt', { text: k }));
      dl.appendChild(el('dd', { text: v, cls: cls || '' }));
    }
    return dl;
  }
  /** @param {unknown} v */
  const ms = (v) => (typeof v === 'number' ? `${v.toFixed(2)} ms` : '–');

  /** @param {Record<string, unknown>} r */
  function render(r) {
    app.replaceChildren();
    const t = obj(r.target);
    app.appendChild(el('h1', { text: `TLS posture of ${str(t.host)}:${str(t.port)}` }));
    const findings = arr(r.findings).map(obj);
    const errors = findings.filter((f) => f.severity === 'error').length;
    app.appendChild(el('p', { cls: errors ? 'status error' : 'status', text: errors ? `${errors} error finding(s), ${findings.length} in all.` : `No error findings (${findings.length} in all).`, }));

    app.appendChild(el('h2', { text: 'Findings' }));
    for (const f of findings) {
      const sev = f.severity === 'error' || f.severity === 'warning' ? f.severity : 'info';
      app.appendChild(el('section', { cls: `finding ${sev}` }, [
        el('div', { text: `${sev.toUpperCase()} ${str(f.code)}: ${str(f.title)}` }),
        el('div', { cls: 'detail', text: str(f.detail) }),
        f.fix ? el('div', { cls: 'fix', text: `Fix: ${str(f.fix)}` }) : null,
      ]));
    }

    app.appendChild(el('h2', { text: 'Protocols' }));
    const p = obj(r.protocols);
    app.appendChild(fields(['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'].map((v) => [v, p[v] === true ? 'accepted' : 'refused', p[v] === true ? 'yes' : 'no'])));

    app.appendChild(el('h2', { text: 'Cipher suites' }));
    const c = obj(r.ciphers);
    app.appendChild(fields([['TLS 1.3 suite chosen', str(c['TLSv1.3']) || '–']]));
    const suites = arr(c['TLSv1.2']).map(obj);
    if (suites.length) {
      const ul = el('ul', { cls: 'suites' });
      for (const s of suites) ul.appendChild(el('li', { text: `${str(s.name)}${s.weak ? ` — weak: ${arr(s.reasons).map(str).join(', ')}` : ''}` }));
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
    app.appendChild(fields([
      ['Client certificate', str(r.clientCert)],
      ['Session resumption', `${res.supported ? 'supported' : 'not supported'} (fresh ${ms(res.freshMs)}, resumed ${ms(res.resumedMs)})`],
      ['Chain', r.chain ? `${str(chain.presented)} presented, ${chain.complete ? 'complete' : 'missing an intermediate'}, ${chain.trusted ? 'trusted' : 'not trusted'} (against ${str(chain.trustSource)})` : '–'],
      ['Leaf', r.chain ? `${str(leaf.subject)}; ${str(leaf.key)}; ${str(leaf.signatureAlgorithm)}; expires ${str(leaf.notAfter)} (${str(leaf.daysLeft)} days)` : '–'],
      ['Host name', r.chain && chain.hostname ? `${str(host.name)}: ${str(host.explanation)}` : '–'],
      ['Plaintext port', plain ? `${str(plain.port)} ${plain.open ? 'OPEN: answers Redis in clear text' : 'closed'}` : 'not checked'],
      ['PING (median)', `TLS ${ms(cost.pingTlsMs)}, plaintext ${ms(cost.pingPlaintextMs)} (${str(cost.samples)} samples)`],
    ]));
  }

  window.addEventListener('message', (event) => {
    const msg = obj(event.data);
    if (msg.type === 'audit') render(obj(msg.result));
    else if (msg.type === 'status') {
      app.replaceChildren(el('p', { cls: msg.error ? 'status error' : 'status', text: str(msg.text) }));
    }
  });
  vscode.postMessage({ type: 'ready' });
})();
