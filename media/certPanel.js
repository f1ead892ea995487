// Certificate panel script. Every server-derived string is inserted with textContent (never
// innerHTML); messages from the extension are shape-checked before use. No remote resources.
// @ts-check
(function () {
  'use strict';
  // eslint-disable-next-line no-undef
  const vscode = acquireVsCodeApi();
  const app = /** @type {HTMLElement} */ (document.getElementById('app'));

  /** @param {unknown} v */
  const str = (v) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
  /** @param {unknown} v */
  const arr = (v) => (Array.isArray(v) ? v : []);
  /** @param {unknown} v */
  const obj = (v) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? /** @type {Record<string, unknown>} */ (v) : undefined);

  /**
   * @param {string} tag
   * @param {{ cls?: string, text?: string, attrs?: Record<string, string> }} [o]
   * @param {Array<Node | null | undefined>} [kids]
   */
  function el(tag, o, kids) {
    const e = document.createElement(tag);
    if (o && o.cls) e.className = o.cls;
    if (o && o.text !== undefined) e.textContent = o.text;
    if (o && o.attrs) for (const [k, v] of Object.entries(o.attrs)) e.setAttribute(k, v);
    for (const k of kids || []) if (k) e.appendChild(k);
    return e;
  }

  /** @param {string} label @param {() => void} onClick @param {string} [title] */
  function button(label, onClick, title) {
    const b = el('button', { text: label, attrs: { type: 'button' } });
    if (title) b.title = title;
    b.addEventListener('click', onClick);
    return b;
  }

  /** @param {unknown} msg */
  function send(msg) {
    vscode.postMessage(msg);
  }

  const VERDICT_TEXT = { ok: 'OK', warning: 'Warning', error: 'Error' };
  const VERDICT_ICON = { ok: '✔', warning: '⚠', error: '✖' };

  /** @param {unknown} v */
  function verdictOf(v) {
    return v === 'ok' || v === 'warning' || v === 'error' ? v : 'error';
  }

  /** @param {HTMLElement} dl @param {string} term @param {string | Node} value */
  function row(dl, term, value) {
    if (value === '' || value === undefined) return;
    dl.appendChild(el('dt', { text: term }));
    const dd = el('dd');
    if (typeof value === 'string') dd.textContent = value;
    else dd.appendChild(value);
    dl.appendChild(dd);
  }

  function setStatus(text, isError) {
    let s = document.getElementById('status');
    if (!s) {
      s = el('p', { cls: 'status', attrs: { id: 'status', role: 'status' } });
      app.appendChild(s);
    }
    s.textContent = text;
    s.classList.toggle('error', Boolean(isError));
  }

  /** @param {Record<string, unknown>} cert @param {string} validity */
  function certDetails(cert, validity) {
    const dl = el('dl', { cls: 'fields' });
    row(dl, 'Subject', str(cert.subject));
    row(dl, 'Issuer', str(cert.issuer));
    const sans = arr(cert.sans).map((n) => { const o = obj(n) || {}; return `${str(o.type).toUpperCase()}: ${str(o.value)}`; });
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

  /** @param {Record<string, unknown>} cert */
  function extensionsTable(cert) {
    const exts = arr(cert.extensions).map((x) => obj(x)).filter(Boolean);
    const details = el('details', { cls: 'extensions' });
    details.appendChild(el('summary', { text: `Extensions (${exts.length})` }));
    const table = el('table');
    const head = el('tr', undefined, [el('th', { text: 'Extension', attrs: { scope: 'col' } }), el('th', { text: 'Critical', attrs: { scope: 'col' } }), el('th', { text: 'Value', attrs: { scope: 'col' } })]);
    table.appendChild(el('thead', undefined, [head]));
    const body = el('tbody');
    for (const x of exts) {
      const e = /** @type {Record<string, unknown>} */ (x);
      body.appendChild(el('tr', undefined, [
        el('td', { text: `${str(e.name)}${str(e.name) !== str(e.oid) ? ` (${str(e.oid)})` : ''}` }),
        el('td', { text: e.critical === true ? 'yes' : 'no' }),
        el('td', { text: str(e.value) }),
      ]));
    }
    table.appendChild(body);
    details.appendChild(table);
    return details;
  }

  /** @param {Record<string, unknown>} link @param {boolean} canUseCa */
  function linkCard(link, canUseCa) {
    const cert = obj(link.cert) || {};
    const verdict = verdictOf(link.verdict);
    const position = typeof link.position === 'number' ? link.position : 0;
    const role = str(link.role);
    const name = str(cert.commonName) || str(cert.subject) || '(no subject)';
    const li = el('li', { cls: `link ${verdict}`, attrs: { id: `link-${position}`, tabindex: '-1', 'aria-label': `${role} ${name}: ${VERDICT_TEXT[verdict]}` } });
    const header = el('div', { cls: 'link-header' }, [
      el('span', { cls: `badge ${verdict}`, text: `${VERDICT_ICON[verdict]} ${VERDICT_TEXT[verdict]}` }),
      el('span', { cls: 'role', text: role }),
      el('h2', { cls: 'name', text: name }),
      el('span', { cls: 'source', text: str(link.source) }),
    ]);
    li.appendChild(header);
    // The checks below list every verdict; a problem link also gets its explanation in one paragraph.
    if (verdict !== 'ok') li.appendChild(el('p', { cls: 'explanation', text: str(link.explanation) }));
    const checks = el('ul', { cls: 'checks', attrs: { 'aria-label': 'Checks' } });
    for (const c of arr(link.checks)) {
      const o = obj(c) || {};
      const v = verdictOf(o.verdict);
      checks.appendChild(el('li', { cls: v }, [el('span', { cls: 'icon', text: VERDICT_ICON[v], attrs: { 'aria-hidden': 'true' } }), el('span', { text: ` ${str(o.text)}` })]));
    }
    li.appendChild(checks);
    const findings = arr(link.findings).map((f) => obj(f)).filter(Boolean);
    if (findings.length) {
      const ul = el('ul', { cls: 'findings', attrs: { 'aria-label': 'Findings' } });
      for (const f of findings) {
        const o = /** @type {Record<string, unknown>} */ (f);
        const sev = str(o.severity) === 'info' ? 'info' : verdictOf(str(o.severity));
        ul.appendChild(el('li', { cls: sev }, [
          el('strong', { text: str(o.title) }),
          el('span', { text: ` ${str(o.detail)}` }),
          str(o.fix) ? el('span', { cls: 'fix', text: ` Fix: ${str(o.fix)}` }) : null,
        ]));
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
      actions.appendChild(button('Use This CA in a Profile', () => send({ type: 'useCa', position }), 'Trust this certificate as the CA of a connection profile'));
    }
    li.appendChild(actions);
    return li;
  }

  /** @param {Record<string, unknown>} model */
  function render(model) {
    app.replaceChildren();
    app.appendChild(el('h1', { text: str(model.title) }));
    const trusted = model.trusted === true;
    const banner = el('section', { cls: `banner ${trusted ? 'trusted' : 'untrusted'}`, attrs: { role: 'status', 'aria-label': 'Verification result' } }, [
      el('strong', { cls: 'headline', text: trusted ? '✔ Trusted' : '✖ Not trusted' }),
      el('span', { text: ` ${str(model.verdict).replace(/^(Not trusted|Trusted): /, '')}` }),
      str(model.code) ? el('code', { cls: 'code', text: str(model.code) }) : null,
    ]);
    app.appendChild(banner);
    app.appendChild(el('p', { cls: 'trust-source', text: `Trust judged against: ${str(model.trustSource)}` }));

    const conn = obj(model.connection);
    if (conn) {
      const dl = el('dl', { cls: 'fields connection' });
      row(dl, 'Server', `${str(conn.host)}:${str(conn.port)}`);
      row(dl, 'Server name (SNI)', str(conn.servername) || '(none)');
      row(dl, 'Protocol', str(conn.protocol) || '—');
      row(dl, 'Cipher', str(conn.cipher) || '—');
      if (typeof conn.sessionReused === 'boolean') row(dl, 'Session reused', conn.sessionReused ? 'yes' : 'no');
      if (typeof conn.authorized === 'boolean') {
        row(dl, 'Connection verification', `${conn.authorized ? 'authorized' : 'NOT authorized'}${str(conn.verification) ? ` (${str(conn.verification)})` : ''}${str(conn.authorizationError) ? `: ${str(conn.authorizationError)}` : ''}`);
      }
      app.appendChild(el('section', { attrs: { 'aria-label': 'Connection' } }, [el('h2', { text: 'Connection' }), dl]));
    }
    const notes = arr(model.notes).map(str).filter(Boolean);
    if (notes.length) app.appendChild(el('ul', { cls: 'notes' }, notes.map((n) => el('li', { text: n }))));

    const global = el('div', { cls: 'actions global' }, [
      button('Save Chain…', () => send({ type: 'saveChain' })),
      button('Refresh', () => send({ type: 'refresh' })),
    ]);
    app.appendChild(global);

    app.appendChild(el('h2', { text: 'Certification path (leaf → root)' }));
    // The path at a glance; each step moves focus to its card (keyboard and mouse alike).
    const overview = el('ol', { cls: 'path', attrs: { 'aria-label': 'Path overview' } });
    for (const l of arr(model.links)) {
      const o = obj(l);
      if (!o) continue;
      const c = obj(o.cert) || {};
      const v = verdictOf(o.verdict);
      const pos = typeof o.position === 'number' ? o.position : 0;
      const step = button(`${VERDICT_ICON[v]} ${str(c.commonName) || str(c.subject) || '(no subject)'}`, () => {
        const card = document.getElementById(`link-${pos}`);
        if (card) { card.scrollIntoView({ block: 'start' }); card.focus(); }
      }, `${str(o.role)}: ${VERDICT_TEXT[v]}`);
      step.className = `step ${v}`;
      overview.appendChild(el('li', undefined, [step]));
    }
    app.appendChild(overview);
    const list = el('ol', { cls: 'chain' });
    for (const l of arr(model.links)) {
      const o = obj(l);
      if (o) list.appendChild(linkCard(o, model.canUseCa === true));
    }
    app.appendChild(list);

    const unused = arr(model.unused).map((u) => obj(u)).filter(Boolean);
    if (unused.length) {
      app.appendChild(el('h2', { text: 'Presented but not on the path' }));
      app.appendChild(el('ul', { cls: 'unused' }, unused.map((u) => el('li', { text: `${str(/** @type {Record<string, unknown>} */ (u).subject)} (issuer ${str(/** @type {Record<string, unknown>} */ (u).issuer)})` }))));
    }
    setStatus('');
  }

  window.addEventListener('message', (event) => {
    const msg = obj(event.data);
    if (!msg) return;
    if (msg.type === 'show') {
      const model = obj(msg.model);
      if (model && Array.isArray(model.links)) render(model);
    } else if (msg.type === 'status') {
      setStatus(str(msg.text), msg.error === true);
    }
  });

  send({ type: 'ready' });
})();
