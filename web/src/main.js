// The nsradar forensics UI: a hash router over the pages, the sign-in form,
// and search suggestions from the name-server suffix search.
import { SignedOut, enc, get, signIn, signOut, signedIn } from './api.js';
import { h } from './dom.js';
import { alertPage, alertsPage, domainPage, homePage, intelPage, ipPage, nsPage, searchPage } from './pages.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
let leave = null;

function showSignIn(message) {
  nav.hidden = true;
  const input = h('input', { id: 'key', type: 'password', autocomplete: 'current-password', required: true, spellcheck: 'false' });
  const error = h('p', { role: 'alert', class: 'error' }, message || '');
  // method=post: should the script ever not run, the key still never goes
  // into a URL.
  const form = h('form', { method: 'post', action: '/ui/session', class: 'signin', 'aria-label': 'Sign in' },
    h('label', { for: 'key' }, 'API key'), input, h('button', { type: 'submit' }, 'Sign in'), error);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const key = input.value.trim();
    input.value = '';
    if (await signIn(key)) route();
    else error.textContent = 'That key was not accepted.';
  });
  main.replaceChildren(h('h1', { tabindex: '-1' }, 'Sign in to nsradar'), form);
  input.focus();
}

const routes = [
  [/^#\/?$/, () => homePage()],
  [/^#\/search\/(.+)$/, (m) => searchPage(decodeURIComponent(m[1]))],
  [/^#\/ns\/([^/?]+)(?:\?(.*))?$/, (m) => nsPage(decodeURIComponent(m[1]), new URLSearchParams(m[2] || ''))],
  [/^#\/domain\/([^/?]+)$/, (m) => domainPage(decodeURIComponent(m[1]))],
  [/^#\/ip\/([^/?]+)$/, (m) => ipPage(decodeURIComponent(m[1]))],
  [/^#\/alerts(?:\?(.*))?$/, (m) => alertsPage(new URLSearchParams(m[1] || ''))],
  [/^#\/alert\/([^/]+)\/(\d+)$/, (m) => alertPage(decodeURIComponent(m[1]), m[2])],
  [/^#\/intel$/, () => intelPage()],
];

async function route() {
  if (leave) leave();
  leave = null;
  const hash = location.hash || '#/';
  const found = routes.find(([re]) => re.test(hash));
  main.setAttribute('aria-busy', 'true');
  try {
    if (!found) throw new Error('No page here: ' + hash);
    const out = await found[1](found[0].exec(hash));
    performance.mark('built:' + hash); // fetched and built, not yet in the page (the browser test's timings)
    if (out && out.redirect) {
      location.replace(out.redirect);
      return;
    }
    nav.hidden = false;
    const nodes = out && out.nodes ? out.nodes : out;
    main.replaceChildren(...[nodes].flat(Infinity).filter(Boolean));
    if (out && out.after) out.after();
    if (out && out.leave) leave = out.leave;
    const h1 = main.querySelector('h1');
    if (h1) {
      document.title = h1.textContent + ' · nsradar';
      h1.focus({ preventScroll: true });
    }
    performance.mark('page:' + hash);
  } catch (e) {
    if (e instanceof SignedOut) return showSignIn();
    main.replaceChildren(h('h1', { tabindex: '-1' }, 'Error'), h('p', { role: 'alert' }, e.message));
  } finally {
    main.removeAttribute('aria-busy');
  }
}

// Search box with suggestions: name servers under what is typed.
const search = document.getElementById('search');
const q = document.getElementById('q');
const suggestions = document.getElementById('suggestions');
let suggestTimer = 0;
q.addEventListener('input', () => {
  clearTimeout(suggestTimer);
  const v = q.value.trim().toLowerCase();
  if (v.length < 3 || /[^a-z0-9._-]/.test(v)) return;
  suggestTimer = setTimeout(async () => {
    try {
      const r = await get('/v2/nameservers?suffix=' + enc(v) + '&limit=10');
      suggestions.replaceChildren(...r.name_servers.map((n) => h('option', { value: n.name }, n.domain_count + ' domains')));
    } catch {
      /* no suggestions for a partial name */
    }
  }, 150);
});
search.addEventListener('submit', (e) => {
  e.preventDefault();
  if (q.value.trim()) location.hash = '#/search/' + enc(q.value.trim());
});
document.getElementById('signout').addEventListener('click', async () => {
  await signOut();
  showSignIn('Signed out.');
});

window.addEventListener('hashchange', route);
signedIn().then((ok) => (ok ? route() : showSignIn()));
