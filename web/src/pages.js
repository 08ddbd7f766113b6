// One function per page: each gets the route's arguments and returns the
// page's nodes (after fetching what it shows).
import { enc, find, get, post } from './api.js';
import { DomainList } from './domain_list.js';
import { day, h, link, svg, table, when } from './dom.js';

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const IPV6 = /^[0-9a-f:]*:[0-9a-f:.]*$/i;
const ALERT_ID = /^(.+)@(\d+)$/;

// What the search box holds: an address, an alert id (domain@alert_time_us)
// or a name, which may be a name server, a domain, or both.
export function classify(q) {
  q = q.trim().replace(/\.$/, '').toLowerCase();
  if (IPV4.test(q) || IPV6.test(q)) return { kind: 'ip', value: q };
  const m = ALERT_ID.exec(q);
  if (m) return { kind: 'alert', domain: m[1], us: m[2] };
  return { kind: 'name', value: q };
}

export async function searchPage(q) {
  const c = classify(q);
  if (c.kind === 'ip') return { redirect: '#/ip/' + enc(c.value) };
  if (c.kind === 'alert') return { redirect: '#/alert/' + enc(c.domain) + '/' + c.us };
  const [counts, domain, under] = await Promise.all([
    find('/v2/ns/' + enc(c.value) + '/counts'),
    find('/v2/domain/' + enc(c.value)),
    find('/v2/nameservers?suffix=' + enc(c.value) + '&limit=20'),
  ]);
  const hits = [];
  if (counts && counts.domain_count > 0) {
    hits.push(h('li', {}, 'Name server ', link.ns(c.value), ' — ', counts.domain_count, ' domains (', counts.active_count, ' active)'));
  }
  if (domain) hits.push(h('li', {}, 'Domain ', link.domain(c.value), ' — zone ', domain.zone || '(passive DNS)'));
  const more = (under ? under.name_servers : []).filter((n) => n.name !== c.value);
  return [
    h('h1', { tabindex: '-1' }, 'Search: ', c.value),
    hits.length ? h('ul', { class: 'hits' }, hits) : h('p', {}, 'Nothing in the index is named ', c.value, '.'),
    more.length
      ? table('Name servers under ' + c.value, [
          { label: 'Name server', cell: (n) => link.ns(n.name) },
          { label: 'Domains', cell: (n) => n.domain_count },
          { label: 'Active', cell: (n) => n.active_count },
        ], more)
      : null,
  ];
}

export async function homePage() {
  const s = await get('/v2/stats');
  return [
    h('h1', { tabindex: '-1' }, 'nsradar'),
    h('p', {}, 'Search a name server, a domain, an IP address or an alert id (domain@time) above, or open the ',
      h('a', { href: '#/alerts' }, 'alerts'), '.'),
    table('The index', [
      { label: 'Zone', cell: (z) => z.name || '.' },
      { label: 'Snapshots', cell: (z) => z.snapshots },
      { label: 'First', cell: (z) => day(z.first) },
      { label: 'Latest', cell: (z) => day(z.latest) },
    ], s.zone_list),
    h('p', {}, s.domains, ' domains, ', s.name_servers, ' name servers, ', s.edges, ' delegations (', s.active_edges, ' active).'),
  ];
}

// RFC 3339 date from an <input type=date>, as the API's fences take.
function fence(v) {
  return v ? v + 'T00:00:00Z' : '';
}

// The name server's domain count at each snapshot (a line), with the
// domains new (up) and gone (down) at each one as bars below it. Filled in
// when /v2/ns/{ns}/history answers (it reads every edge of the host), so
// the list paints first.
export function historyPlot(ns, points) {
  if (points.length === 0) return h('p', {}, 'No zone snapshot delegates to ', ns, '.');
  const W = 800;
  const L = 64;
  const R = 10;
  const TOP = 20;
  const LINE_H = 120;
  const BAR_H = 40;
  const H = TOP + LINE_H + 16 + 2 * BAR_H + 20;
  const t0 = points[0].time;
  const span = Math.max(1, points[points.length - 1].time - t0);
  const x = (t) => (points.length === 1 ? (L + W - R) / 2 : L + ((t - t0) / span) * (W - L - R));
  const top = Math.max(1, ...points.map((p) => p.domains));
  const y = (n) => TOP + LINE_H - (n / top) * LINE_H;
  const churn = Math.max(1, ...points.map((p) => Math.max(p.added, p.removed)));
  const mid = TOP + LINE_H + 16 + BAR_H;
  const bw = Math.max(2, Math.min(12, (W - L - R) / points.length / 2));
  const label = (p) => day(p.time) + ': ' + p.domains + ' domains, ' + p.added + ' new, ' + p.removed + ' removed';
  return h('figure', {},
    svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'nshist', role: 'img',
      'aria-label': `Domains on ${ns} at ${points.length} snapshots, from ${points[0].domains} on ${day(t0)} to ` +
        `${points[points.length - 1].domains} on ${day(points[points.length - 1].time)}` },
      svg('text', { x: L - 6, y: TOP + 4, class: 'gaxis', 'text-anchor': 'end' }, top),
      svg('text', { x: L - 6, y: TOP + LINE_H, class: 'gaxis', 'text-anchor': 'end' }, 0),
      svg('line', { x1: L, y1: TOP + LINE_H, x2: W - R, y2: TOP + LINE_H, class: 'edge' }),
      svg('polyline', { points: points.map((p) => `${x(p.time)},${y(p.domains)}`).join(' '), class: 'hline' }),
      points.map((p) => svg('circle', { cx: x(p.time), cy: y(p.domains), r: 3, class: 'hdot' }, svg('title', {}, label(p)))),
      svg('text', { x: L - 6, y: mid - BAR_H + 8, class: 'gaxis', 'text-anchor': 'end' }, '+' + churn),
      svg('text', { x: L - 6, y: mid + BAR_H, class: 'gaxis', 'text-anchor': 'end' }, '−' + churn),
      svg('line', { x1: L, y1: mid, x2: W - R, y2: mid, class: 'edge' }),
      points.map((p) => [
        p.added ? svg('rect', { x: x(p.time) - bw / 2, y: mid - (p.added / churn) * BAR_H, width: bw,
          height: Math.max(1, (p.added / churn) * BAR_H), class: 'hadd' }, svg('title', {}, label(p))) : null,
        p.removed ? svg('rect', { x: x(p.time) - bw / 2, y: mid, width: bw,
          height: Math.max(1, (p.removed / churn) * BAR_H), class: 'hdel' }, svg('title', {}, label(p))) : null,
      ]),
      svg('text', { x: L, y: H - 4, class: 'gaxis' }, day(t0)),
      svg('text', { x: W - R, y: H - 4, class: 'gaxis', 'text-anchor': 'end' }, day(points[points.length - 1].time)),
    ),
    h('figcaption', {}, 'Domains on ', ns, ' at each snapshot of the zones delegating to it (line), and the domains new (bars up) and removed (bars down) at each.'));
}

export async function nsPage(ns, params) {
  const filters = {
    active: params.get('active') === 'true' ? 'true' : '',
    kind: params.get('kind') || '',
    suffix: params.get('suffix') || '',
    first_seen_after: fence(params.get('after') || ''),
    first_seen_before: fence(params.get('before') || ''),
  };
  const total = h('span', {}, '…');
  const list = new DomainList(ns, filters, (n) => (total.textContent = String(n)));
  // The first rows with the counts and addresses, not after them: one
  // round trip to the first paint.
  const [counts, addrs] = await Promise.all([
    get('/v2/ns/' + enc(ns) + '/counts'),
    get('/v2/ns/' + enc(ns) + '/addresses'),
    list.start(),
  ]);
  // The server streams the export as a download (GET /v2/ns/{ns}/domains/export):
  // the browser writes it to disk as it arrives, whatever its size.
  const exportLink = (format) => {
    const q = new URLSearchParams(Object.entries(filters).filter(([, v]) => v !== ''));
    q.set('format', format);
    return h('a', { class: 'button', href: '/v2/ns/' + enc(ns) + '/domains/export?' + q, download: '' },
      'Export ' + format.toUpperCase());
  };
  const form = h(
    'form',
    { class: 'filters', 'aria-label': 'Filter the domains' },
    h('label', {}, h('input', { type: 'checkbox', name: 'active', checked: filters.active === 'true' }), ' active only'),
    h('label', {}, 'Kind ', h('select', { name: 'kind' },
      ['', 'registered', 'subdomain', 'suffix'].map((k) => h('option', { value: k, selected: k === filters.kind }, k || 'any')))),
    // Domains at or below a name (whole labels: example.com keeps
    // a.example.com, not badexample.com); the server checks the name, and
    // a refusal is the page's error, naming the parameter.
    h('label', {}, 'Name suffix ', h('input', { type: 'text', name: 'suffix', value: filters.suffix, placeholder: 'example.com',
      autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'suffix-help' })),
    h('span', { id: 'suffix-help', class: 'hint' }, 'domains at or below this name'),
    h('label', {}, 'First seen after ', h('input', { type: 'date', name: 'after', value: params.get('after') || '' })),
    h('label', {}, 'First seen before ', h('input', { type: 'date', name: 'before', value: params.get('before') || '' })),
    h('button', { type: 'submit' }, 'Apply'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const q = new URLSearchParams();
    const f = new FormData(form);
    if (f.get('active')) q.set('active', 'true');
    for (const k of ['kind', 'suffix', 'after', 'before']) if (String(f.get(k) || '').trim()) q.set(k, String(f.get(k)).trim());
    location.hash = '#/ns/' + enc(ns) + (q.size ? '?' + q : '');
  });
  const plot = h('section', { 'aria-label': 'Domain count over time', class: 'plot' }, h('p', { class: 'status' }, 'Loading the history…'));
  // After the first rows are painted: the history reads every edge of the
  // host, work the server would otherwise do while the browser draws.
  const history = () =>
    find('/v2/ns/' + enc(ns) + '/history').then((r) => plot.replaceChildren(historyPlot(ns, r ? r.snapshots : [])),
      (e) => plot.replaceChildren(h('p', { class: 'status' }, 'No history: ' + e.message)));
  return {
    nodes: [
      h('h1', { tabindex: '-1' }, 'Name server ', ns),
      h('p', { class: 'counts' }, counts.domain_count, ' domains ever, ', counts.active_count, ' active; ', total, ' match the filters.'),
      table('Addresses of ' + ns, [
        { label: 'Address', cell: (a) => link.ip(a.address) },
        { label: 'First seen', cell: (a) => day(a.first_seen) },
        { label: 'Last seen', cell: (a) => day(a.last_seen) },
      ], addrs.addresses),
      plot,
      form,
      h('div', { class: 'actions' },
        exportLink('csv'), exportLink('json')),
      list.element,
    ],
    // The first page's rows are drawn (detached, a margin's worth): the
    // rows for the real height follow in the next frame, so the first
    // paint needs no forced layout.
    after: () => {
      list.schedule();
      requestAnimationFrame(() => setTimeout(history, 0));
    },
  };
}

// The presence runs of each name server from the domain's history (events
// in time order); edges without history give one run each.
export function presenceRuns(info) {
  const runs = new Map();
  const open = new Map();
  const end = info.edges.reduce((m, e) => Math.max(m, e.last_seen), 0);
  for (const ev of info.history || []) {
    const names = ev.name_servers || [];
    if (ev.event === 'created' || ev.event === 'ns_added') {
      for (const n of names) if (!open.has(n)) open.set(n, ev.time);
    } else if (ev.event === 'ns_removed' || ev.event === 'dropped') {
      for (const n of ev.event === 'dropped' ? [...open.keys()] : names) {
        if (!open.has(n)) continue;
        if (!runs.has(n)) runs.set(n, []);
        runs.get(n).push([open.get(n), ev.time]);
        open.delete(n);
      }
    }
  }
  for (const [n, t] of open) {
    if (!runs.has(n)) runs.set(n, []);
    runs.get(n).push([t, end]);
  }
  for (const e of info.edges) {
    if (!runs.has(e.ns)) runs.set(e.ns, [[e.first_seen, e.last_seen]]);
  }
  return runs;
}

function timeline(info) {
  const runs = presenceRuns(info);
  const names = [...runs.keys()];
  if (!names.length) return null;
  let lo = Infinity;
  let hi = 0;
  for (const rs of runs.values()) for (const [a, b] of rs) (lo = Math.min(lo, a)), (hi = Math.max(hi, b));
  const W = 800;
  const L = 220;
  const RH = 22;
  const span = Math.max(1, hi - lo);
  const x = (t) => L + ((t - lo) / span) * (W - L - 10);
  const H = names.length * RH + 24;
  return h(
    'figure',
    {},
    svg(
      'svg',
      { viewBox: `0 0 ${W} ${H}`, class: 'gantt', role: 'group', 'aria-label': 'Name-server timeline of ' + info.domain },
      names.map((n, i) => [
        svg('a', { href: '#/ns/' + enc(n) }, svg('text', { x: 4, y: i * RH + 15, class: 'glabel' }, n)),
        runs.get(n).map(([a, b]) =>
          svg('rect', { x: x(a), y: i * RH + 4, width: Math.max(3, x(b) - x(a)), height: RH - 8, class: 'gbar' },
            svg('title', {}, n + ': ' + day(a) + ' – ' + day(b))),
        ),
      ]),
      svg('text', { x: L, y: H - 4, class: 'gaxis' }, day(lo)),
      svg('text', { x: W - 10, y: H - 4, class: 'gaxis', 'text-anchor': 'end' }, day(hi)),
    ),
    h('figcaption', {}, 'Each bar is a run of the name server on ', info.domain, ', from its first to its last snapshot.'),
  );
}

const marks = (x) => [x.alerted ? h('span', { class: 'badge bad' }, 'alerted') : null,
  (x.intel || []).length ? h('span', { class: 'badge bad' }, 'intel') : null];

export function checkSection(c) {
  if (!c) return null;
  return h(
    'section',
    { 'aria-label': 'Name-server check' },
    h('h2', {}, 'Name-server check: ', h('span', { class: 'verdict v-' + c.verdict }, c.verdict)),
    h('ul', { class: 'reasons' }, (c.reasons || []).map((r) => h('li', {}, typeof r === 'string' ? r : JSON.stringify(r)))),
    table('Its name servers', [
      { label: 'Name server', cell: (n) => [link.ns(n.name), ...marks(n)] },
      { label: 'Current', cell: (n) => (n.current ? 'yes' : 'no') },
      { label: 'Domains', cell: (n) => n.domain_count },
      { label: 'In bailiwick', cell: (n) => (n.in_bailiwick ? 'yes' : 'no') },
      { label: 'Addresses', cell: (n) => (n.addresses || []).map((a) => [link.ip(a.address), ' ']) },
    ], c.name_servers || []),
    table('Co-hosted domains', [
      { label: 'Domain', cell: (d) => [link.domain(d.domain || d.name), ...marks(d)] },
      { label: 'Shared name server', cell: (d) => (d.ns ? link.ns(d.ns) : '') },
    ], c.co_hosted || []),
  );
}

function alertsTable(caption, alerts) {
  return table(caption, [
    { label: 'Time', cell: (a) => link.alert(a.registered_domain, a.alert_time_us, a.alert_time) },
    { label: 'Domain', cell: (a) => link.domain(a.registered_domain) },
    { label: 'Category', cell: (a) => a.category },
    { label: 'Severity', cell: (a) => h('span', { class: 'sev-' + a.severity }, a.severity) },
    { label: 'Score', cell: (a) => (a.score ?? 0).toFixed(2) },
  ], alerts);
}

// Block: a domain indicator written with who and when (the audit record);
// the checks and the RPZ follow. Two steps, so a stray click blocks nothing.
function blockAction(d) {
  const status = h('span', { role: 'status', class: 'status' });
  const confirm = h('button', { type: 'button', hidden: true }, 'Confirm: block ' + d);
  const start = h('button', { type: 'button' }, 'Block ' + d + '…');
  start.addEventListener('click', () => {
    confirm.hidden = false;
    confirm.focus();
  });
  confirm.addEventListener('click', async () => {
    confirm.hidden = true;
    try {
      const r = await post('/v2/block/' + enc(d));
      status.textContent = 'Blocked by ' + r.source + ' at ' + when(r.added) + '; the RPZ follows.';
    } catch (e) {
      status.textContent = 'Not blocked: ' + e.message;
    }
  });
  return h('section', { 'aria-label': 'Actions', class: 'actions' }, start, confirm, status);
}

// Mark as false positive: the domain (and the names below it) goes to the
// store's allowlist with who, when, why and the alert: the audit trail. The
// RPZ drops it at the pipeline's next write; the detector honours it from
// its next start. Two steps, the second with the reason; a listed domain
// shows who listed it, and can be removed (audited as well).
async function falsePositiveAction(d, alertId) {
  const trail = await find('/v2/allowlist/' + enc(d));
  const box = h('section', { 'aria-label': 'False positive', class: 'actions' });
  const status = h('span', { role: 'status', class: 'status' });
  const act = async (method, query, done) => {
    try {
      const r = await post('/v2/allowlist/' + enc(d) + query, method);
      show(r.event);
      status.textContent = done(r.event);
    } catch (e) {
      status.textContent = 'Not changed: ' + e.message;
    }
  };
  const show = (e) => {
    if (e && e.listed) {
      const remove = h('button', { type: 'button' }, 'Remove ' + d + ' from the allowlist');
      remove.addEventListener('click', () =>
        act('DELETE', '', (x) => 'Removed by ' + x.by + ' at ' + when(x.time) + '; the RPZ follows.'));
      box.replaceChildren(h('span', {}, 'Allowlisted as a false positive by ', e.by, ' at ', when(e.time),
        e.reason ? ' (' + e.reason + ')' : '', '. '), remove, status);
      return;
    }
    const start = h('button', { type: 'button' }, 'Mark ' + d + ' as a false positive…');
    const reason = h('input', { id: 'fp-reason', type: 'text', maxlength: 500, size: 40 });
    const confirm = h('button', { type: 'button' }, 'Confirm: allowlist ' + d);
    const more = h('span', { class: 'fp-more', hidden: true }, h('label', { for: 'fp-reason' }, 'Reason'), reason, confirm);
    start.addEventListener('click', () => {
      more.hidden = false;
      reason.focus();
    });
    confirm.addEventListener('click', () => {
      const q = new URLSearchParams();
      if (reason.value.trim()) q.set('reason', reason.value.trim());
      if (alertId) q.set('alert', alertId);
      act('POST', q.size ? '?' + q : '', (x) => 'Allowlisted by ' + x.by + ' at ' + when(x.time) + '; the RPZ drops it.');
    });
    box.replaceChildren(start, more, status);
  };
  show(trail && trail.listed ? trail.history[trail.history.length - 1] : null);
  return box;
}

export async function domainPage(d) {
  const [info, check, alerts, fp] = await Promise.all([
    find('/v2/domain/' + enc(d)),
    find('/v2/check/' + enc(d)),
    get('/v2/alerts?domain=' + enc(d)),
    falsePositiveAction(d, ''),
  ]);
  return [
    h('h1', { tabindex: '-1' }, 'Domain ', d),
    blockAction(d),
    fp,
    info
      ? [
          h('p', {}, 'Zone ', info.zone || '(passive DNS only)', ', ', info.kind, '; name servers now: ',
            info.name_servers.length ? info.name_servers.map((n) => [link.ns(n), ' ']) : 'none'),
          timeline(info),
          table('History', [
            { label: 'Time', cell: (e) => when(e.time) },
            { label: 'Event', cell: (e) => e.event },
            { label: 'Name servers', cell: (e) => e.name_servers.map((n) => [link.ns(n), ' ']) },
          ], info.history),
          table('Name servers ever (passive DNS marked)', [
            { label: 'Name server', cell: (e) => link.ns(e.ns) },
            { label: 'First seen', cell: (e) => day(e.first_seen) },
            { label: 'Last seen', cell: (e) => day(e.last_seen) },
            { label: 'Active', cell: (e) => (e.active ? 'yes' : 'no') },
            { label: 'Seen in traffic', cell: (e) => (e.observed ? 'yes' : 'no') },
          ], info.edges),
        ]
      : h('p', {}, 'The index has no delegation of ', d, '.'),
    checkSection(check),
    alertsTable('Alerts on ' + d, alerts.alerts),
  ];
}

export async function ipPage(addr) {
  const r = await get('/v2/ip/' + enc(addr) + '/nameservers');
  return [
    h('h1', { tabindex: '-1' }, 'Address ', r.address),
    table('Name servers on ' + r.address, [
      { label: 'Name server', cell: (n) => link.ns(n.name) },
      { label: 'First seen', cell: (n) => day(n.first_seen) },
      { label: 'Last seen', cell: (n) => day(n.last_seen) },
    ], r.name_servers),
  ];
}

// The live list: the server's event stream (/v2/alerts/stream) says when
// an alert is kept, and the list is read again; where the stream cannot be
// had (a read-only server, a proxy that buffers), it is polled every 5 s.
// New alerts are added without a reload either way.
export async function alertsPage(params) {
  const severity = params.get('severity') || '';
  const category = params.get('category') || '';
  const body = h('div', {});
  const status = h('p', { role: 'status', class: 'status' });
  const seen = new Set();
  let live = false;
  let timer = 0;
  let source = null;
  let counts = '';
  const showStatus = () => {
    status.textContent = counts + (source ? ' (live)' : timer ? ' (polled every 5 s)' : '');
  };
  const refresh = async () => {
    const all = (await get('/v2/alerts')).alerts;
    const shown = all
      .filter((a) => (!severity || a.severity === severity) && (!category || a.category === category))
      .sort((a, b) => b.alert_time_us - a.alert_time_us);
    const fresh = shown.filter((a) => !seen.has(a.registered_domain + '@' + a.alert_time_us));
    for (const a of shown) seen.add(a.registered_domain + '@' + a.alert_time_us);
    body.replaceChildren(alertsTable('Alerts (newest first)', shown));
    counts = shown.length + ' alerts' + (fresh.length && live ? ', ' + fresh.length + ' new' : '');
    showStatus();
  };
  await refresh();
  live = true;
  const poll = () => {
    if (!timer) timer = setInterval(() => refresh().catch(() => {}), 5000);
    showStatus();
  };
  if (typeof EventSource === 'function') {
    source = new EventSource('/v2/alerts/stream');
    // A burst of alerts is one read of the list.
    let pending = false;
    const again = () => {
      if (pending) return;
      pending = true;
      setTimeout(() => { pending = false; refresh().catch(() => {}); }, 100);
    };
    source.addEventListener('alert', again);
    source.addEventListener('reset', again);
    // EventSource reconnects by itself (with Last-Event-ID) after a dropped
    // connection; it gives up (CLOSED) on an error answer: poll then.
    source.onerror = () => {
      if (source && source.readyState === EventSource.CLOSED) {
        source = null;
        poll();
        refresh().catch(() => {});
      }
    };
  } else {
    poll();
  }
  showStatus();
  const form = h('form', { class: 'filters', 'aria-label': 'Filter the alerts' },
    h('label', {}, 'Severity ', h('select', { name: 'severity' },
      ['', 'high', 'medium', 'info'].map((s) => h('option', { value: s, selected: s === severity }, s || 'any')))),
    h('label', {}, 'Category ', h('select', { name: 'category' },
      ['', 'tunneling', 'exfiltration', 'random-subdomain-attack', 'benign-data-over-dns'].map((s) =>
        h('option', { value: s, selected: s === category }, s || 'any')))),
    h('button', { type: 'submit' }, 'Apply'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const f = new FormData(form);
    const q = new URLSearchParams();
    for (const k of ['severity', 'category']) if (f.get(k)) q.set(k, f.get(k));
    location.hash = '#/alerts' + (q.size ? '?' + q : '');
  });
  const leave = () => {
    clearInterval(timer);
    if (source) source.close();
    source = null;
  };
  return { nodes: [h('h1', { tabindex: '-1' }, 'Alerts'), form, status, body], leave };
}

// The pivot graph: the domain, its name servers, their addresses, and the
// co-hosted domains, in four columns; every node links to its page.
function pivotGraph(domain, check) {
  const nss = (check?.name_servers || []).slice(0, 8);
  const addrs = [...new Set(nss.flatMap((n) => (n.addresses || []).map((a) => a.address)))].slice(0, 8);
  const cohosted = (check?.co_hosted || []).slice(0, 8);
  const cols = [[{ label: domain, href: '#/domain/' + enc(domain) }],
    nss.map((n) => ({ label: n.name, href: '#/ns/' + enc(n.name) })),
    addrs.map((a) => ({ label: a, href: '#/ip/' + enc(a) })),
    cohosted.map((c) => ({ label: c.domain || c.name, href: '#/domain/' + enc(c.domain || c.name) }))];
  const W = 960;
  const RH = 30;
  const rows = Math.max(1, ...cols.map((c) => c.length));
  const H = rows * RH + 10;
  const pos = (ci, i) => [10 + ci * (W / 4), 20 + i * RH];
  const lines = [];
  for (let ci = 0; ci < 3; ++ci) {
    for (let i = 0; i < cols[ci].length; ++i) {
      for (let j = 0; j < cols[ci + 1].length; ++j) {
        const [x1, y1] = pos(ci, i);
        const [x2, y2] = pos(ci + 1, j);
        lines.push(svg('line', { x1: x1 + W / 4 - 30, y1: y1 - 4, x2: x2 - 4, y2: y2 - 4, class: 'edge' }));
      }
    }
  }
  return h('figure', {},
    svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'pivot', role: 'group', 'aria-label': 'Domain, name servers, addresses and co-hosted domains' },
      lines,
      cols.map((c, ci) => c.map((n, i) => {
        const [x, y] = pos(ci, i);
        return svg('a', { href: n.href }, svg('text', { x, y, class: 'node' }, n.label.length > 34 ? n.label.slice(0, 33) + '…' : n.label));
      }))),
    h('figcaption', {}, 'Domain → name servers → addresses → co-hosted domains; each name opens its page.'));
}

export async function alertPage(domain, us) {
  const all = (await get('/v2/alerts?domain=' + enc(domain))).alerts;
  const a = all.find((x) => String(x.alert_time_us) === String(us));
  if (!a) return [h('h1', { tabindex: '-1' }, 'Alert'), h('p', {}, 'No alert ', domain, '@', us, ' is kept.')];
  const check = a.name_server_check || (await find('/v2/check/' + enc(domain)));
  const fp = await falsePositiveAction(domain, domain + '@' + us);
  return [
    h('h1', { tabindex: '-1' }, 'Alert on ', domain),
    h('p', {}, h('span', { class: 'sev-' + a.severity }, a.severity), ' ', a.category,
      a.benign_category ? ' (' + a.benign_category + ')' : '', ', score ', (a.score ?? 0).toFixed(2), ', at ', a.alert_time,
      '; traffic from ', a.first_seen, ' to ', a.last_seen, '. Id: ', h('code', {}, domain + '@' + us)),
    h('p', {}, 'Pivot: ', link.domain(domain)),
    blockAction(domain),
    fp,
    pivotGraph(domain, check),
    table('Reasons', [
      { label: 'Feature', cell: (r) => r.feature },
      { label: 'Value', cell: (r) => (typeof r.value === 'object' ? JSON.stringify(r.value) : r.value) },
      { label: 'Threshold', cell: (r) => r.threshold ?? '' },
      { label: 'Detail', cell: (r) => (r.detail === undefined ? '' : typeof r.detail === 'object' ? JSON.stringify(r.detail) : r.detail) },
    ], a.reasons || []),
    h('h2', {}, 'Samples'),
    h('ul', { class: 'samples' }, (a.samples || []).map((s) => h('li', {}, h('code', {}, s)))),
    table('Clients', [
      { label: 'Address', cell: (c) => c.address },
      { label: 'Queries', cell: (c) => c.queries },
      { label: 'First seen', cell: (c) => c.first_seen },
      { label: 'Earlier queries', cell: (c) => c.baseline?.queries_before ?? '' },
      { label: 'New behaviour', cell: (c) => (c.baseline?.new_behaviour === undefined ? '' : c.baseline.new_behaviour ? 'yes' : 'no') },
    ], a.clients || []),
    checkSection(check),
  ];
}

// Intel and RPZ: where the indicators come from, the zone the verdicts
// become (its serial and triggers), and the analysts' allowlist.
export async function intelPage() {
  const [src, rpz, allow] = await Promise.all([get('/v2/intel/sources'), get('/v2/rpz'), get('/v2/allowlist')]);
  const status = h('p', { role: 'status', class: 'status' });
  const triggers = (caption, names, cell) =>
    table(caption, [{ label: 'Trigger', cell }], names.map((n) => ({ n })));
  const remove = (e) => {
    const b = h('button', { type: 'button' }, 'Remove ' + e.domain);
    b.addEventListener('click', async () => {
      try {
        const r = await post('/v2/allowlist/' + enc(e.domain), 'DELETE');
        b.closest('tr').remove();
        status.textContent = e.domain + ' removed by ' + r.event.by + ' at ' + when(r.event.time) + '; the RPZ follows.';
      } catch (err) {
        status.textContent = 'Not removed: ' + err.message;
      }
    });
    return b;
  };
  const c = rpz.counts;
  return [
    h('h1', { tabindex: '-1' }, 'Intel and RPZ'),
    table('Threat intelligence sources', [
      { label: 'Source', cell: (x) => x.source },
      { label: 'Domains', cell: (x) => x.domains },
      { label: 'Name servers', cell: (x) => x.name_servers },
      { label: 'Addresses', cell: (x) => x.addresses },
      { label: 'Categories', cell: (x) => Object.entries(x.categories).map(([k, n]) => k + ' ' + n).join(', ') },
      { label: 'Last import', cell: (x) => when(x.last_added) },
    ], src.sources),
    h('h2', {}, 'Response Policy Zone ', rpz.origin),
    h('p', { class: 'rpz-file' }, rpz.file
      ? ['File ', h('code', {}, rpz.file), ', serial ', h('strong', { class: 'serial' }, rpz.serial), ', written ', when(rpz.written)]
      : 'This server writes no RPZ file: the triggers below are what `nsradar rpz export` would write.',
    '; action ', rpz.action, '. ', c.qname, ' QNAME, ', c.nsdname, ' NSDNAME, ', c.nsip, ' NSIP triggers; ',
    c.allowlisted, ' left out by the allowlists', rpz.truncated ? ' (lists cut at 1,000 each).' : '.'),
    h('div', { class: 'triggers' },
      triggers('QNAME triggers (the domain and every name below it)', rpz.qname, (x) => link.domain(x.n)),
      triggers('NSDNAME triggers (name servers)', rpz.nsdname, (x) => link.ns(x.n)),
      triggers('NSIP triggers (name-server addresses)', rpz.nsip, (x) => x.n)),
    table('Allowlist: false positives', [
      { label: 'Domain', cell: (e) => link.domain(e.domain) },
      { label: 'By', cell: (e) => e.by },
      { label: 'When', cell: (e) => when(e.time) },
      { label: 'Alert', cell: (e) => (e.alert ? link.alert(e.alert.split('@')[0], e.alert.split('@')[1], e.alert) : '') },
      { label: 'Reason', cell: (e) => e.reason },
      { label: 'Action', cell: (e) => remove(e) },
    ], allow.allowlist),
    status,
  ];
}
