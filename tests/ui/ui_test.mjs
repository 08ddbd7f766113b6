// The web UI in a real browser: Debian's chromium, headless, driven by
// playwright-core, against the `nsradar serve` run.sh started. Each step
// checks what the page shows against the API asked directly (with the key
// in a header, as a script would).
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const URL_ = process.env.NSR_URL;
const KEY = process.env.NSR_KEY;
const OUT = process.env.NSR_ARTIFACTS;
const BIG_NS = 'ns1.bighost.example';
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const api = async (path) => {
  const r = await fetch(URL_ + path, { headers: { 'X-API-Key': KEY } });
  assert.equal(r.status, 200, path);
  return r.json();
};
const timings = {};
let failures = 0;
async function step(name, fn) {
  const t = performance.now();
  try {
    await fn();
    console.log(`ok   ${name} (${Math.round(performance.now() - t)} ms)`);
  } catch (e) {
    failures++;
    console.log(`FAIL ${name}: ${e.stack || e}`);
  }
}

const profile = mkdtempSync(join(tmpdir(), 'nsr-ui-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  acceptDownloads: true,
  viewport: { width: 1280, height: 900 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = context.pages()[0] || (await context.newPage());
const urls = [];
const consoleErrors = [];
page.on('framenavigated', (f) => urls.push(f.url()));
page.on('request', (r) => urls.push(r.url()));
page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
page.on('pageerror', (e) => consoleErrors.push(String(e)));

// Screenshots of the page at both widths, and an accessibility check.
const a11y = {};
async function capture(name) {
  await page.screenshot({ path: join(OUT, `${name}-1280.png`), fullPage: false });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(100);
  await page.screenshot({ path: join(OUT, `${name}-390.png`), fullPage: false });
  await page.setViewportSize({ width: 1280, height: 900 });
  // Runtime evaluation is not script-src, so the CSP lets axe in.
  await page.evaluate(axeSource);
  const r = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const serious = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  a11y[name] = r.violations.map((v) => `${v.id} (${v.impact}, ${v.nodes.length})`);
  assert.deepEqual(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`), [], `${name}: axe`);
}

// Opens `hash` and resolves once an element matching `ready` that was not on
// the page before has been painted: the time from the hash change to that
// paint, measured in the page (performance.now()). The element is looked
// for at each animation frame, and a task queued from the frame that finds
// it runs after that frame's paint.
async function go(hash, ready) {
  return page.evaluate(async ([h, sel]) => {
    const before = new Set(document.querySelectorAll(sel));
    performance.clearResourceTimings();
    const loafs = [];
    const observer = new PerformanceObserver((l) => loafs.push(...l.getEntries()));
    observer.observe({ type: 'long-animation-frame' });
    const t0 = performance.now();
    window.nsrGoStart = t0;
    location.hash = h;
    await new Promise((res, rej) => {
      const check = () => {
        if ([...document.querySelectorAll(sel)].some((e) => !before.has(e))) setTimeout(res, 0);
        else if (performance.now() - t0 > 30000) rej(new Error(`no new ${sel} after ${h}`));
        else requestAnimationFrame(check);
      };
      requestAnimationFrame(check);
    });
    const t1 = performance.now();
    loafs.push(...observer.takeRecords());
    observer.disconnect();
    // The main thread's long frames (over 50 ms) meanwhile: script, and style and layout.
    const sum = (xs) => +xs.reduce((a, b) => a + b, 0).toFixed(1);
    window.nsrGoFrames = {
      long_frames: loafs.length,
      duration_ms: sum(loafs.map((l) => l.duration)),
      script_ms: sum(loafs.flatMap((l) => l.scripts.map((x) => x.duration))),
      style_layout_ms: sum(loafs.map((l) => (l.styleAndLayoutStart ? l.startTime + l.duration - l.styleAndLayoutStart : 0))),
    };
    return t1 - t0;
  }, [hash, ready]);
}

// Where the last go()'s time went: each API request it made (from the
// Resource Timing API: start, time to the first byte, end, relative to the
// hash change, and the server's own time from its Server-Timing header).
const requestsOfLastGo = () => page.evaluate(() => ({
  requests: performance.getEntriesByType('resource').filter((e) => e.name.includes('/v2/')).map((e) => ({
    path: new URL(e.name).pathname + new URL(e.name).search,
    start_ms: +(e.startTime - window.nsrGoStart).toFixed(1),
    first_byte_ms: +(e.responseStart - window.nsrGoStart).toFixed(1),
    end_ms: +(e.responseEnd - window.nsrGoStart).toFixed(1),
    server_ms: e.serverTiming.length ? +e.serverTiming[0].duration.toFixed(2) : null,
  })),
  // main.js marks 'built:' + hash when the page's requests are answered and
  // its nodes built, 'page:' + hash once they are in the document (after a
  // layout the list's first draw forces).
  built_ms: +(performance.getEntriesByName('built:' + location.hash).pop().startTime - window.nsrGoStart).toFixed(1),
  dom_ms: +(performance.getEntriesByName('page:' + location.hash).pop().startTime - window.nsrGoStart).toFixed(1),
  main_thread: window.nsrGoFrames,
}));

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

// A list row as the export's CSV record (names need no quoting).
const csvLine = (d) => [d.name, d.kind, d.zone, d.first_seen, d.last_seen, d.active, d.observed].join(',');

// Clicks the name server page's export link; the downloaded file's text
// once the browser has it whole (it checks the file name the server gave).
async function exported(format, filename) {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Export ' + format }).click(),
  ]);
  assert.equal(download.suggestedFilename(), filename);
  assert.equal(await download.failure(), null);
  return readFileSync(await download.path(), 'utf8');
}

await step('sign in with the key; an HttpOnly SameSite=Strict session cookie', async () => {
  await page.goto(URL_ + '/');
  await page.getByLabel('API key').fill('at_0000000000000000000000000000x');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('That key was not accepted').waitFor();
  await capture('signin');
  await page.getByLabel('API key').fill(KEY);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'nsradar' }).waitFor();
  const cookies = await context.cookies();
  const s = cookies.find((c) => c.name === 'nsradar_session');
  assert.ok(s, 'session cookie set');
  assert.equal(s.httpOnly, true);
  assert.equal(s.sameSite, 'Strict');
  assert.ok(!s.value.includes(KEY));
  assert.equal(await page.evaluate(() => document.cookie.includes('nsradar_session')), false);
  await capture('home');
});

await step('the page is served with a CSP that forbids inline script and framing', async () => {
  const r = await page.request.get(URL_ + '/');
  const csp = r.headers()['content-security-policy'];
  assert.match(csp, /script-src 'self'/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.equal(r.headers()['x-content-type-options'], 'nosniff');
});

await step('search suggests name servers by suffix', async () => {
  await page.getByLabel(/Search a name server/).fill('bighost.example');
  await page.waitForFunction(() => document.querySelectorAll('#suggestions option').length > 0);
  const opts = await page.$$eval('#suggestions option', (o) => o.map((x) => x.value));
  assert.ok(opts.includes(BIG_NS), opts.join());
});

await step('search a name server, a domain, an address and an alert id', async () => {
  const search = async (q) => {
    await page.getByLabel(/Search a name server/).fill(q);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
  };
  await search('NS1.IODTXT.TEST.');
  await page.getByRole('link', { name: 'ns1.iodtxt.test' }).first().waitFor();
  await capture('search');
  await search('alpha.cohost');
  await page.getByRole('link', { name: 'alpha.cohost' }).click();
  await page.getByRole('heading', { name: 'Domain alpha.cohost' }).waitFor();
  await search('127.0.0.24');
  await page.getByRole('heading', { name: 'Address 127.0.0.24' }).waitFor();
  const hosts = await api('/v2/ip/127.0.0.24/nameservers');
  for (const n of hosts.name_servers) await page.getByRole('link', { name: n.name }).first().waitFor();
  await capture('ip');
  const alerts = (await api('/v2/alerts')).alerts;
  assert.ok(alerts.length >= 4, 'alerts kept: ' + alerts.length);
  const a = alerts[0];
  await search(`${a.registered_domain}@${a.alert_time_us}`);
  await page.getByRole('heading', { name: 'Alert on ' + a.registered_domain }).waitFor();
});

await step('first paint of each page, and where the name server page\'s time goes', async () => {
  const alert = (await api('/v2/alerts')).alerts[0];
  const pages = {
    home: ['#/', 'main h1'],
    search: ['#/search/ns1.iodtxt.test', 'main a[href="#/ns/ns1.iodtxt.test"]'],
    nameserver: [`#/ns/${BIG_NS}`, '.vrow[aria-rowindex="2"]'],
    domain: ['#/domain/alpha.cohost', 'svg.gantt'],
    ip: ['#/ip/127.0.0.24', 'main table a[href^="#/ns/"]'],
    alerts: ['#/alerts', 'table a[href^="#/alert/"]'],
    alert: [`#/alert/${alert.registered_domain}/${alert.alert_time_us}`, 'svg.pivot'],
    intel: ['#/intel', 'main table'],
  };
  timings.first_paint_ms = {};
  timings.ns_first_rows_requests = [];
  for (const [name, [hash, ready]] of Object.entries(pages)) {
    const ms = [];
    for (let i = 0; i < 5; ++i) {
      await go('#/nowhere-' + i, 'main h1'); // from another page each time: the error page, drawn without a request
      ms.push(await go(hash, ready));
      if (name !== 'nameserver') continue;
      timings.ns_first_rows_requests.push({ paint_ms: +ms[i].toFixed(1), ...(await requestsOfLastGo()) });
      await page.waitForSelector('svg.nshist', { timeout: 120000 }); // its history, read after the rows, done
    }
    timings.first_paint_ms[name] = { min: +Math.min(...ms).toFixed(1), median: +median(ms).toFixed(1), max: +Math.max(...ms).toFixed(1) };
  }
});

await step('name server page: first 300 rows, then 10,000 rows scrolled match the API', async () => {
  const counts = await api(`/v2/ns/${BIG_NS}/counts`);
  await page.evaluate(() => (location.hash = '#/'));
  await page.getByRole('heading', { name: 'nsradar' }).waitFor();
  const t = await go(`#/ns/${BIG_NS}`, '.vrow[aria-rowindex="2"]');
  timings.ns_first_rows_ms = t;
  const rowsInDom = await page.$$eval('.vrows .vrow', (r) => r.length);
  assert.ok(rowsInDom < 200, 'virtualised: ' + rowsInDom + ' rows in the DOM');
  assert.match(await page.locator('.counts').innerText(), new RegExp(String(counts.domain_count)));
  await capture('nameserver');
  // Walk the API for the first 10,000 rows.
  const want = (await api(`/v2/ns/${BIG_NS}/domains?limit=10000`)).domains.map((d) => d.name);
  assert.equal(want.length, 10000);
  // Scroll through them, collecting each row the list draws (waiting for
  // each page to load); a tall window draws more rows a step.
  await page.setViewportSize({ width: 1280, height: 2400 });
  const seen = await page.evaluate(async (n) => {
    const vp = document.querySelector('.viewport');
    const got = new Map();
    const frame = () => new Promise((res) => requestAnimationFrame(() => requestAnimationFrame(res)));
    const missing = () => { for (let i = 0; i < n; ++i) if (!got.has(i)) return i; return -1; };
    const start = performance.now();
    while (missing() >= 0 && performance.now() - start < 90000) {
      for (const r of document.querySelectorAll('.vrows .vrow')) {
        got.set(Number(r.getAttribute('aria-rowindex')) - 2, r.dataset.name);
      }
      const m = missing();
      if (m < 0) break;
      vp.scrollTop = Math.max(0, m - 30) * 28; // the first row not yet seen, near the top
      await frame();
      while (document.querySelector('.status').textContent.startsWith('Loading')) {
        await new Promise((res) => setTimeout(res, 20));
      }
      await frame();
    }
    return { names: [...got.entries()].filter(([i]) => i < n), ms: performance.now() - start };
  }, 10000);
  await page.setViewportSize({ width: 1280, height: 900 });
  timings.load_10000_rows_ms = Math.round(seen.ms);
  // Then scroll the loaded 10,000 rows at 40 rows a frame, timing frames:
  // one over two frame times (33 ms) is a dropped frame. A histogram of the
  // frame times, and the long animation frames (over 50 ms) the browser
  // reports meanwhile, split into script (the list's drawing), style and
  // layout, and the rest of the frame's main-thread work.
  timings.scroll_10000_rows_40_per_frame = await page.evaluate(async () => {
    const vp = document.querySelector('.viewport');
    vp.scrollTop = 0;
    await new Promise((res) => requestAnimationFrame(res));
    const loafs = [];
    const observer = new PerformanceObserver((l) => loafs.push(...l.getEntries()));
    observer.observe({ type: 'long-animation-frame' });
    const frames = [];
    let last = performance.now();
    while (vp.scrollTop < 10000 * 28 - vp.clientHeight) {
      vp.scrollTop += 40 * 28;
      await new Promise((res) => requestAnimationFrame(res));
      const t = performance.now();
      frames.push(t - last);
      last = t;
    }
    await new Promise((res) => setTimeout(res, 100));
    loafs.push(...observer.takeRecords());
    observer.disconnect();
    frames.sort((a, b) => a - b);
    const sum = (xs) => +xs.reduce((a, b) => a + b, 0).toFixed(1);
    const bounds = [16.7, 33.4, 50, 100, Infinity];
    const histogram = {};
    let lo = 0;
    for (const hi of bounds) {
      histogram[`${lo}-${hi}`] = frames.filter((f) => f > lo && f <= hi).length;
      lo = hi;
    }
    return {
      frames: frames.length,
      dropped: frames.filter((f) => f > 33.4).length,
      median_ms: +frames[frames.length >> 1].toFixed(1),
      p99_ms: +frames[Math.floor(frames.length * 0.99)].toFixed(1),
      total_ms: sum(frames),
      histogram_ms: histogram,
      long_animation_frames: {
        count: loafs.length,
        duration_ms: sum(loafs.map((l) => l.duration)),
        script_ms: sum(loafs.flatMap((l) => l.scripts.map((x) => x.duration))),
        style_layout_ms: sum(loafs.map((l) => (l.styleAndLayoutStart ? l.startTime + l.duration - l.styleAndLayoutStart : 0))),
        blocking_ms: sum(loafs.map((l) => l.blockingDuration)),
      },
    };
  });
  const byIndex = new Map(seen.names);
  for (let i = 0; i < 10000; ++i) assert.equal(byIndex.get(i), want[i], 'row ' + (i + 1));
});

await step('filters, and the CSV and JSON exports, match the API', async () => {
  await go('#/ns/ns1.iodtxt.test?active=true', '.vrow[aria-rowindex="2"]');
  const want = (await api('/v2/ns/ns1.iodtxt.test/domains?active=true&limit=10000')).domains;
  await page.waitForFunction((n) => document.querySelectorAll('.vrows .vrow').length === n, want.length);
  const shown = await page.$$eval('.vrows .vrow', (r) => r.map((x) => x.dataset.name));
  assert.deepEqual(shown, want.map((d) => d.name));
  const csv = await exported('CSV', 'ns1.iodtxt.test-domains.csv');
  assert.ok(csv.endsWith('\r\n'), 'RFC 4180 line ends');
  assert.deepEqual(csv.split('\r\n'), ['name,kind,zone,first_seen,last_seen,active,observed',
    ...want.map(csvLine), '']);
  const json = JSON.parse(await exported('JSON', 'ns1.iodtxt.test-domains.json'));
  assert.deepEqual(json, { ns: 'ns1.iodtxt.test', domains: want, count: want.length });
});

await step('name server plot: the domain count at each snapshot with new and removed, as the API has them', async () => {
  // Still on ns1.iodtxt.test: the cohost. zone's two snapshots moved bravo away and added delta.
  const want = (await api('/v2/ns/ns1.iodtxt.test/history')).snapshots;
  await page.waitForSelector('svg.nshist');
  assert.equal(await page.locator('svg.nshist circle').count(), want.length);
  const feb = want.find((p) => p.time === Date.parse('2026-02-01T00:00:00Z') / 1000);
  assert.deepEqual([feb.added, feb.removed], [1, 1]);
  assert.equal(await page.locator('svg.nshist rect.hdel').count(), want.filter((p) => p.removed).length);
  assert.equal(await page.locator('svg.nshist rect.hadd').count(), want.filter((p) => p.added).length);
  const titles = await page.locator('svg.nshist circle title').allTextContents();
  assert.ok(titles.includes(`2026-02-01: ${feb.domains} domains, 1 new, 1 removed`), titles.join(' | '));
  await capture('nameserver-history');
});

await step('the name suffix filter: typed from the keyboard, list, total and exports equal to the API', async () => {
  await go('#/ns/ns1.iodtxt.test', '.vrow[aria-rowindex="2"]');
  const all = (await api('/v2/ns/ns1.iodtxt.test/domains?limit=10000')).domains;
  const want = (await api('/v2/ns/ns1.iodtxt.test/domains?suffix=cohost&limit=10000')).domains;
  assert.ok(want.length > 0 && want.length < all.length, `${want.length} of ${all.length}`);
  assert.ok(want.every((d) => d.name.endsWith('.cohost')), want.map((d) => d.name).join(' '));
  // The labelled field, reached and submitted from the keyboard.
  await page.getByLabel('Name suffix').focus();
  await page.keyboard.type('COHOST.');
  await page.keyboard.press('Enter');
  await page.waitForFunction((n) => location.hash.includes('suffix=COHOST.') &&
    document.querySelectorAll('.vrows .vrow').length === n, want.length);
  const shown = await page.$$eval('.vrows .vrow', (r) => r.map((x) => x.dataset.name));
  assert.deepEqual(shown, want.map((d) => d.name));
  await page.waitForFunction((n) => document.querySelector('p.counts').textContent.includes(`; ${n} match the filters`), want.length);
  assert.equal(await page.getByLabel('Name suffix').inputValue(), 'COHOST.');
  const href = await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
  assert.ok(href.includes('suffix=COHOST.'), href);
  const csv = await exported('CSV', 'ns1.iodtxt.test-domains.csv');
  assert.deepEqual(csv.split('\r\n'), ['name,kind,zone,first_seen,last_seen,active,observed', ...want.map(csvLine), '']);
  const json = JSON.parse(await exported('JSON', 'ns1.iodtxt.test-domains.json'));
  assert.deepEqual(json, { ns: 'ns1.iodtxt.test', domains: want, count: want.length });
  await capture('nameserver-suffix');
  // A name the server refuses: its message, naming the parameter.
  await go('#/ns/ns1.iodtxt.test?suffix=a..cohost', '[role="alert"]');
  const message = await page.locator('main [role="alert"]').textContent();
  assert.ok(message.startsWith('suffix: '), message);
});

await step('the big name server exported as CSV from the server, equal to the API walked page by page', async () => {
  await go(`#/ns/${BIG_NS}`, '.vrow[aria-rowindex="2"]');
  const want = [];
  let cursor = '';
  do {
    const p = await api(`/v2/ns/${BIG_NS}/domains?limit=10000` + (cursor ? '&cursor=' + cursor : ''));
    want.push(...p.domains.map(csvLine));
    cursor = p.next_cursor;
  } while (cursor);
  const t = performance.now();
  const csv = await exported('CSV', `${BIG_NS}-domains.csv`);
  timings.export_big_csv_ms = Math.round(performance.now() - t);
  timings.export_big_csv_bytes = csv.length;
  const lines = csv.split('\r\n');
  assert.equal(lines.length, want.length + 2);
  for (let i = 0; i < want.length; ++i) assert.equal(lines[i + 1], want[i], 'row ' + (i + 1));
});

await step('alerts list; an alert pivots domain -> name server -> co-hosted domain -> its history', async () => {
  const t = await go('#/alerts', 'table a[href^="#/alert/"]');
  timings.alerts_first_paint_ms = t;
  await capture('alerts');
  await page.locator('table a[href^="#/alert/iodtxt.test/"]').first().click();
  await page.getByRole('heading', { name: 'Alert on iodtxt.test' }).waitFor();
  await page.getByRole('table', { name: 'Reasons' }).waitFor();
  assert.ok((await page.getByRole('table', { name: 'Reasons' }).locator('tbody tr').count()) > 1);
  await capture('alert');
  await page.locator('svg.pivot a[href="#/domain/iodtxt.test"]').click();
  await page.getByRole('heading', { name: 'Domain iodtxt.test' }).waitFor();
  await capture('domain');
  await page.locator('main a[href="#/ns/ns1.iodtxt.test"]').first().click();
  await page.getByRole('heading', { name: 'Name server ns1.iodtxt.test' }).waitFor();
  await page.locator('.vrow a[href="#/domain/delta.cohost"]').click();
  await page.getByRole('heading', { name: 'Domain delta.cohost' }).waitFor();
  const hist = (await api('/v2/domain/delta.cohost')).history;
  const rows = page.getByRole('table', { name: 'History' }).locator('tbody tr');
  assert.equal(await rows.count(), hist.length);
  // bravo.cohost moved away in the second snapshot: two name servers on its timeline.
  // (delta.cohost's page has a timeline too: wait for bravo's own.)
  await go('#/domain/bravo.cohost', 'svg.gantt[aria-label="Name-server timeline of bravo.cohost"]');
  assert.equal(await page.locator('svg.gantt rect').count(), 2);
});

await step('block a co-hosted domain: an audited indicator, the check and the RPZ follow', async () => {
  assert.doesNotMatch(readFileSync(process.env.NSR_RPZ, 'utf8'), /^charlie\.cohost /m);
  await go('#/domain/charlie.cohost', 'h1');
  await page.getByRole('button', { name: 'Block charlie.cohost…' }).click();
  await page.getByRole('button', { name: 'Confirm: block charlie.cohost' }).click();
  await page.getByText(/Blocked by analyst key:[0-9a-f]{8} at/).waitFor();
  const check = await api('/v2/check/charlie.cohost');
  assert.equal(check.verdict, 'malicious');
  assert.match(JSON.stringify(check.intel), /analyst key:[0-9a-f]{8}/);
  for (let i = 0; i < 100 && !/^charlie\.cohost /m.test(readFileSync(process.env.NSR_RPZ, 'utf8')); ++i) {
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.match(readFileSync(process.env.NSR_RPZ, 'utf8'), /^charlie\.cohost /m);
});

const rpzText = () => readFileSync(process.env.NSR_RPZ, 'utf8');
// Waits (up to 10 s: the pipeline rewrites within its 0.5 s interval) for
// the RPZ file to hold, or not, a match of `re`.
async function rpzWill(re, want) {
  for (let i = 0; i < 100 && re.test(rpzText()) !== want; ++i) await new Promise((r) => setTimeout(r, 100));
  assert.equal(re.test(rpzText()), want, `${re} in the RPZ`);
}

await step('mark the tunnel alert\'s domain as a false positive: the allowlist and the RPZ change', async () => {
  assert.match(rpzText(), /^iodtxt\.test CNAME /m);
  const alert = (await api('/v2/alerts?domain=iodtxt.test')).alerts[0];
  await go(`#/alert/iodtxt.test/${alert.alert_time_us}`, 'svg.pivot');
  await page.getByRole('heading', { name: 'Alert on iodtxt.test' }).waitFor();
  await page.getByRole('button', { name: 'Mark iodtxt.test as a false positive…' }).click();
  await page.getByLabel('Reason').fill('our lab\'s iodine test <b>rig</b>');
  await page.getByRole('button', { name: 'Confirm: allowlist iodtxt.test' }).click();
  await page.getByText(/Allowlisted by key:[0-9a-f]{8} at/).waitFor();
  await page.getByRole('button', { name: 'Remove iodtxt.test from the allowlist' }).waitFor();
  const listed = (await api('/v2/allowlist')).allowlist;
  assert.deepEqual(listed.map((e) => [e.domain, e.alert, e.reason]),
    [['iodtxt.test', `iodtxt.test@${alert.alert_time_us}`, 'our lab\'s iodine test <b>rig</b>']]);
  assert.match(listed[0].by, /^key:[0-9a-f]{8}$/);
  await rpzWill(/^iodtxt\.test CNAME /m, false);
  assert.match(rpzText(), /^charlie\.cohost CNAME /m);  // the block stays
});

await step('intel and RPZ page: sources, the serial and triggers of the file, the allowlist; a removal restores the trigger', async () => {
  await page.getByRole('link', { name: 'Intel & RPZ' }).click();
  const t = performance.now();
  await page.getByRole('heading', { name: 'Intel and RPZ' }).waitFor();
  timings.intel_first_paint_ms = performance.now() - t;
  const sources = page.getByRole('table', { name: 'Threat intelligence sources' });
  assert.equal(await sources.locator('tbody tr').count(), (await api('/v2/intel/sources')).sources.length);
  assert.match(await sources.innerText(), /analyst key:[0-9a-f]{8}/);
  const zone = rpzText();
  assert.equal(await page.locator('.serial').innerText(), zone.match(/ SOA \S+ \S+ (\d+) /)[1]);
  const inFile = [...zone.matchAll(/^([^*;$@\s]\S*) CNAME /gm)].map((m) => m[1]).filter((n) => !/\.rpz-ns(dname|ip)$/.test(n));
  const shown = await page.getByRole('table', { name: /^QNAME triggers/ }).locator('tbody td').allInnerTexts();
  assert.deepEqual(shown.map((x) => x.trim()).sort(), inFile.sort());
  assert.ok(shown.includes('charlie.cohost') && !shown.includes('iodtxt.test'), shown.join(' '));
  const allow = page.getByRole('table', { name: 'Allowlist: false positives' });
  assert.match(await allow.innerText(), /iodtxt\.test/);
  await capture('intel');
  await allow.getByRole('button', { name: 'Remove iodtxt.test' }).click();
  await page.getByText(/iodtxt\.test removed by key:[0-9a-f]{8}/).waitFor();
  await rpzWill(/^iodtxt\.test CNAME /m, true);
  assert.deepEqual((await api('/v2/allowlist/iodtxt.test')).history.map((e) => e.listed), [true, false]);
});

await step('a new alert appears in the open alert list without a reload (server-sent events)', async () => {
  await go('#/alerts', 'table a[href^="#/alert/"]');
  await page.getByText(/alerts \(live\)/).waitFor();
  const before = await page.locator('table a[href^="#/alert/"]').count();
  await page.evaluate(() => { window.nsrNoReload = true; });
  // A tunnel's encoded TXT queries from one host, into the followed log.
  const b32 = 'abcdefghijklmnopqrstuvwxyz234567';
  const now = Math.floor(Date.now() / 1000);
  let lines = '';
  for (let i = 0; i < 200; ++i) {
    let label = '';
    for (let j = 0; j < 50; ++j) label += b32[Math.floor(Math.random() * 32)];
    lines += `[${now}] unbound[7325:0] query: 127.0.0.9 ${label}.livetunnel.test. TXT IN\n` +
      `[${now}] unbound[7325:0] reply: 127.0.0.9 ${label}.livetunnel.test. TXT IN NOERROR 0.000000 0 120\n`;
  }
  const t = performance.now();
  appendFileSync(process.env.NSR_LIVE_LOG, lines);
  await page.locator('table a[href^="#/alert/livetunnel.test/"]').waitFor({ timeout: 15000 });
  timings.live_alert_shown_ms = performance.now() - t;
  assert.equal(await page.evaluate(() => window.nsrNoReload), true, 'the page was not reloaded');
  assert.equal(await page.locator('table a[href^="#/alert/"]').count(), before + 1);
  await page.getByText(/, 1 new \(live\)/).waitFor();
});

await step('the key is in no URL the browser visited or requested, nor in its history', async () => {
  for (const u of urls) assert.ok(!u.includes(KEY), u);
  assert.equal(await page.evaluate((k) => location.href.includes(k) || JSON.stringify(history.state).includes(k), KEY), false);
});

await step('sign out ends the session', async () => {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('API key').waitFor();
  const status = await page.evaluate(async () => (await fetch('/v2/stats')).status);
  assert.equal(status, 403);
});

await step('no CSP violation or script error on any page', async () => {
  // 404s are answers (a name that is no domain), 403 the signed-out probe,
  // 400 the refused name suffix.
  assert.deepEqual(consoleErrors.filter((e) => !/status of 40[0134]/.test(e)), []);
});

writeFileSync(join(OUT, 'timings.json'), JSON.stringify({ timings, a11y }, null, 2));
console.log(JSON.stringify(timings));
await context.close();
rmSync(profile, { recursive: true, force: true });
process.exit(failures ? 1 : 0);
