// Building DOM nodes without innerHTML: every value from the store is set as
// text, so a hostile name or alert field cannot become markup.

// h('a', {href: '#/x', class: 'c'}, 'text', child, ...): attributes starting
// with "on" are listeners; null/undefined/false children are skipped.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const SVG = 'http://www.w3.org/2000/svg';
export function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== null && v !== undefined) el.setAttribute(k, String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c !== null && c !== undefined) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// UNIX seconds as a UTC date, or date and time.
export function day(s) {
  return s ? new Date(s * 1000).toISOString().slice(0, 10) : '';
}
export function when(s) {
  return s ? new Date(s * 1000).toISOString().slice(0, 19).replace('T', ' ') + 'Z' : '';
}

// Links to the pages of things; names are URI-encoded into the hash.
export const link = {
  ns: (n) => h('a', { href: '#/ns/' + encodeURIComponent(n) }, n),
  domain: (d) => h('a', { href: '#/domain/' + encodeURIComponent(d) }, d),
  ip: (a) => h('a', { href: '#/ip/' + encodeURIComponent(a) }, a),
  alert: (domain, us, text) =>
    h('a', { href: '#/alert/' + encodeURIComponent(domain) + '/' + encodeURIComponent(us) }, text),
};

// A plain table: columns [{label, cell(row) -> node|text}].
export function table(caption, columns, rows) {
  return h(
    'table',
    {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col' }, c.label)))),
    h(
      'tbody',
      {},
      rows.length
        ? rows.map((r) => h('tr', {}, columns.map((c) => h('td', {}, c.cell(r)))))
        : h('tr', {}, h('td', { colspan: columns.length }, 'none')),
    ),
  );
}
