// The virtualised, keyset-paged list of a name server's domains. Only the
// rows in view (plus a margin) are in the DOM; pages are fetched in order
// with the API's cursor as the view nears the end of what is loaded, so a
// name server with a million domains costs what has been scrolled through,
// never a full load. The first page is small (300 rows) so the list paints
// at once; later pages are large.
import { enc, get } from './api.js';
import { day, h, link } from './dom.js';

export const ROW = 28; // px; rows have a fixed height so positions are arithmetic
const FIRST_PAGE = 300;
const PAGE = 2000;
const MARGIN = 40;

export class DomainList {
  // filters: the API's query parameters (active, kind, fences) as an object.
  constructor(ns, filters, onTotal) {
    this.ns = ns;
    this.query = new URLSearchParams(Object.entries(filters).filter(([, v]) => v !== '' && v !== false));
    this.onTotal = onTotal;
    this.rows = [];
    this.cursor = null;
    this.done = false;
    this.total = 0;
    this.loading = null;
    this.spacer = h('div', { class: 'spacer' });
    this.body = h('div', { class: 'vrows', role: 'rowgroup' });
    // The scrolling element is the table itself (focusable, so the keyboard
    // scrolls it), its header row sticky: nothing stands between the table
    // and its rows for assistive technology.
    this.head = h(
      'div',
      { role: 'rowgroup', class: 'vhead' },
      h(
        'div',
        { role: 'row', class: 'vrow', 'aria-rowindex': '1' },
        ['#', 'Domain', 'Kind', 'First seen', 'Last seen', 'State'].map((t) => h('span', { role: 'columnheader' }, t)),
      ),
    );
    this.viewport = h(
      'div',
      { class: 'viewport vtable', role: 'table', tabindex: '0', 'aria-label': 'Domains on ' + ns, 'aria-rowcount': '1' },
      this.head,
      this.spacer,
      this.body,
    );
    this.status = h('p', { class: 'status', role: 'status' });
    this.element = h('div', {}, this.viewport, this.status);
    this.viewport.addEventListener('scroll', () => this.schedule(), { passive: true });
  }

  // Loads the first page and draws it.
  async start() {
    await this.loadMore(FIRST_PAGE);
    this.draw();
  }

  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  // The next page after the cursor; one request at a time.
  loadMore(limit = PAGE) {
    if (this.done) return Promise.resolve();
    if (this.loading) return this.loading;
    const q = new URLSearchParams(this.query);
    q.set('limit', String(limit));
    if (this.cursor) q.set('cursor', this.cursor);
    this.loading = get('/v2/ns/' + enc(this.ns) + '/domains?' + q)
      .then((page) => {
        this.rows.push(...page.domains);
        this.cursor = page.next_cursor;
        this.done = !page.next_cursor;
        if (page.total !== this.total) {
          this.total = page.total;
          this.spacer.style.height = this.total * ROW + 'px';
          this.viewport.setAttribute('aria-rowcount', String(this.total + 1));
          if (this.onTotal) this.onTotal(this.total);
        }
      })
      .finally(() => {
        this.loading = null;
      });
    return this.loading;
  }

  draw() {
    const first = Math.max(0, Math.floor(this.viewport.scrollTop / ROW) - MARGIN);
    const last = Math.min(this.total, Math.ceil((this.viewport.scrollTop + this.viewport.clientHeight) / ROW) + MARGIN);
    if (last > this.rows.length && !this.done) {
      this.status.textContent = 'Loading rows ' + (this.rows.length + 1) + '…';
      this.loadMore().then(() => this.draw(), (e) => (this.status.textContent = 'Error: ' + e.message));
    } else {
      this.status.textContent = this.rows.length + ' of ' + this.total + ' rows loaded';
    }
    this.body.style.transform = 'translateY(' + first * ROW + 'px)';
    const nodes = [];
    for (let i = first; i < Math.min(last, this.rows.length); ++i) {
      const d = this.rows[i];
      nodes.push(
        h(
          'div',
          { role: 'row', class: 'vrow', 'aria-rowindex': String(i + 2), 'data-name': d.name },
          h('span', { role: 'cell', class: 'num' }, i + 1),
          h('span', { role: 'cell' }, link.domain(d.name)),
          h('span', { role: 'cell' }, d.kind + (d.observed ? ' · seen in traffic' : '')),
          h('span', { role: 'cell' }, day(d.first_seen)),
          h('span', { role: 'cell' }, day(d.last_seen)),
          h('span', { role: 'cell', class: d.active ? 'ok' : 'gone' }, d.active ? 'active' : 'removed'),
        ),
      );
    }
    this.body.replaceChildren(...nodes);
  }
}
