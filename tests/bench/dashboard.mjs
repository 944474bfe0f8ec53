// Part of `make bench` (called by tests/bench/indicators.sh): the dashboard's
// first load as an elected official opens it, in headless Chromium (Debian's
// `chromium`, driven by playwright-core from build/tools, as tests/browser/):
// /tableau-de-bord?lien=SECRET in a fresh browser context each time (an empty
// cache: the page, its scripts and every API call), one warm-up load, then
// LOADS loads. From the Performance API of each load:
//   - the last API answer: the latest responseEnd of the /v1/ resources,
//     from the start of the navigation;
//   - the page drawn: the moment the page sets data-pret="oui" (every card,
//     chart, table and the map drawn), from the start of the navigation;
//   - the number of API calls (resources under /v1/) and the slowest one.
// Prints markdown rows for the table of indicators.sh:
//   | what | p50 | p95 | failed loads |
//   node tests/bench/dashboard.mjs ORIGIN SECRET [LOADS]
// Environment: NODE_PATH (build/tools/node_modules), CHROMIUM (/usr/bin/chromium).
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(join(process.env.NODE_PATH || '.', 'noop.js'));
const { chromium } = require('playwright-core');

const [origin, secret, loadsArg] = process.argv.slice(2);
if (!origin || !secret) {
  console.error('usage: node tests/bench/dashboard.mjs ORIGIN SECRET [LOADS]');
  process.exit(2);
}
const loads = Number(loadsArg || 5);
const STEP_TIMEOUT_MS = 60_000;

const args = ['--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'];
if (process.getuid && process.getuid() === 0) args.push('--no-sandbox');
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args,
  timeout: STEP_TIMEOUT_MS,
});
// Stopped on every path (a hung load must not leave a browser behind).
const watchdog = setTimeout(async () => {
  console.error('dashboard bench: over 10 minutes, stopped');
  await browser.close().catch(() => {});
  process.exit(1);
}, 600_000);

async function once() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  await context.addInitScript(() => {
    // When the page declares itself drawn (data-pret="oui", set after the
    // last chart, table and the map): performance.now() is from navigationStart.
    new MutationObserver((_, obs) => {
      if (document.body && document.body.getAttribute('data-pret') === 'oui') {
        window.__drawnAt = performance.now();
        obs.disconnect();
      }
    }).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-pret'] });
  });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console error: ${m.text().slice(0, 300)}`));
  page.on('pageerror', (e) => problems.push(`exception: ${e.message}`));
  page.on('response', (r) => r.status() >= 400 && problems.push(`${r.status()} for ${r.url().replace(/lien=[^&]*/, 'lien=…')}`));
  try {
    await page.goto(`${origin}/tableau-de-bord?lien=${secret}`, { waitUntil: 'load' });
    await page.waitForFunction(() => window.__drawnAt !== undefined, null, { timeout: STEP_TIMEOUT_MS });
    const m = await page.evaluate(() => {
      const api = performance.getEntriesByType('resource').filter((e) => new URL(e.name).pathname.startsWith('/v1/'));
      const slowest = api.reduce((a, e) => (!a || e.duration > a.duration ? e : a), null);
      const each = api.map((e) => ({ path: new URL(e.name).pathname, start: e.startTime, end: e.responseEnd }));
      return {
        each,
        calls: api.length,
        lastApi: Math.max(...api.map((e) => e.responseEnd)),
        drawn: window.__drawnAt,
        slowest: slowest ? { path: new URL(slowest.name).pathname, ms: slowest.duration } : null,
      };
    });
    return { ...m, problems };
  } catch (e) {
    problems.push(e.message.split('\n')[0]);
    return { problems };
  } finally {
    await context.close();
  }
}

const pct = (xs, p) => {
  const v = [...xs].sort((a, b) => a - b);
  return v[Math.min(v.length - 1, Math.max(0, Math.round(v.length * p + 0.5) - 1))];
};
const ms = (x) => (x === undefined ? '—' : `${Math.round(x)} ms`);

const warm = await once(); // the server's and the database's caches, Chromium's start
for (const p of warm.problems) console.error(`dashboard bench (warm-up): ${p}`);
const runs = [];
for (let i = 0; i < loads; i++) runs.push(await once());
clearTimeout(watchdog);
await browser.close();

const ok = runs.filter((r) => !r.problems.length && r.drawn !== undefined);
const failed = runs.length - ok.length;
for (const r of runs) for (const p of r.problems) console.error(`dashboard bench: ${p}`);
const calls = [...new Set(ok.map((r) => r.calls))].join(' or ') || '?';
const slow = {};
for (const r of ok) if (r.slowest) (slow[r.slowest.path] ??= []).push(r.slowest.ms);
const slowest = Object.entries(slow).sort((a, b) => b[1].length - a[1].length)[0];
const col = (k) => (ok.length ? `${ms(pct(ok.map((r) => r[k]), 0.5))} | ${ms(pct(ok.map((r) => r[k]), 0.95))}` : '— | —');
console.log(`| dashboard first load, share link, this year (${loads} loads, empty cache, ${calls} API calls): last API answer | ${col('lastApi')} | ${failed} |`);
console.log(`| the same loads: page drawn (cards, charts, routes, map) | ${col('drawn')} | ${failed} |`);
if (slowest)
  console.log(`| the same loads: the slowest call (most often ${slowest[0]}) | ${ms(pct(slowest[1], 0.5))} | ${ms(pct(slowest[1], 0.95))} | ${failed} |`);
// Where the time goes (stderr): each call's start and end in the median load.
const median = [...ok].sort((a, b) => a.drawn - b.drawn)[Math.floor((ok.length - 1) / 2)];
if (median)
  for (const e of median.each.sort((a, b) => a.start - b.start))
    console.error(`dashboard bench: ${e.path} ${Math.round(e.start)} → ${Math.round(e.end)} ms`);
process.exit(0);
