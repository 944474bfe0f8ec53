// /tableau-de-bord in headless Chromium: a coordinator's token pasted in the
// form, then a share link created through the API (POST /v1/dashboard-links)
// opened in a fresh tab: the four headline cards (each with a status word),
// every indicator's chart (SVG) with its table, the labels and definitions
// in French, the communes' map; no console
// error, no CSP violation. Screenshot build/screenshots/tableau-de-bord.png
// and the print rendering as build/screenshots/tableau-de-bord.pdf (A4).
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { startHarness } from './harness.mjs';

const SECRET = 'browser-test-secret-0123456789-abcdefghijkl'; // the harness's JWT_SECRET
const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
function token(org, scope) {
  const now = Math.floor(Date.now() / 1000);
  const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: 'browser-test', org, scope, iat: now, exp: now + 600 })}`;
  return `${body}.${createHmac('sha256', SECRET).update(body).digest('base64url')}`;
}

const h = await startHarness('tableau-de-bord');
const page = h.page;
const ready = () => document.body.getAttribute('data-pret') === 'oui';

async function check(how) {
  const seen = await page.evaluate(() => ({
    cards: [...document.querySelectorAll('#cartes > li')].map((li) => ({
      code: li.dataset.code,
      status: li.querySelector('.etat')?.textContent || '',
    })),
    indicators: document.querySelectorAll('#indicateurs tbody tr').length,
    charts: document.querySelectorAll('#series figure svg.barres').length,
    tables: document.querySelectorAll('#series figure table tbody tr').length,
    communes: document.querySelectorAll('#carte path.leaflet-interactive').length,
    first: [...(document.querySelector('#indicateurs tbody tr')?.children || [])].map((c) => c.textContent),
  }));
  // French whatever the browser's language (Chromium asks en-US): the page
  // sends Accept-Language: fr for the labels and definitions.
  if (seen.first[0] !== 'Autonomie après les ateliers' || !/^Participants dont /.test(seen.first[1] || ''))
    h.problems.push(`${how}: the first indicator is not in French: ${JSON.stringify(seen.first.slice(0, 2))}`);
  const want = ['autonomy_rate', 'orientation_time_median_hours', 'devices_distributed', 'satisfaction_mean'];
  if (seen.cards.map((c) => c.code).join() !== want.join())
    h.problems.push(`${how}: headline cards ${JSON.stringify(seen.cards)}`);
  for (const c of seen.cards)
    if (!/^(En bonne voie|En retard|Pas de donnée|Sans référence)$/.test(c.status))
      h.problems.push(`${how}: card ${c.code} says no status word (${c.status})`);
  if (seen.indicators < 11) h.problems.push(`${how}: ${seen.indicators} indicators in the table`);
  if (seen.charts !== seen.indicators) h.problems.push(`${how}: ${seen.charts} charts for ${seen.indicators} indicators`);
  if (seen.tables < seen.charts) h.problems.push(`${how}: the charts' tables have ${seen.tables} rows`);
  if (seen.communes < 400) h.problems.push(`${how}: ${seen.communes} communes on the map`);
  return seen;
}

// 1. A coordinator pastes a token once.
await h.load('/tableau-de-bord', { ready: () => !document.getElementById('acces').hidden });
const coordinator = token('caf-gers', 'indicators:read');
await page.fill('#jeton', coordinator);
await page.click('#acces button[type=submit]');
await page.waitForFunction(ready);
await page.waitForLoadState('networkidle');
await check('token');

// 2. A share link, created through the API, opened in the same browser.
const created = await page.evaluate(async () => {
  const r = await fetch('/v1/dashboard-links', {
    method: 'POST',
    headers: { Authorization: 'Bearer ' + sessionStorage.getItem('jeton'), 'Content-Type': 'application/json' },
    body: JSON.stringify({ label: 'Comité de pilotage' }),
  });
  return { status: r.status, body: await r.json() };
});
if (created.status !== 201 || !created.body.secret) {
  h.problems.push(`POST /v1/dashboard-links: ${created.status} ${JSON.stringify(created.body)}`);
} else {
  await page.evaluate(() => sessionStorage.clear());
  await h.load(`/tableau-de-bord?lien=${created.body.secret}`, { ready });
  if (page.url().includes('lien=')) h.problems.push('the secret stays in the address bar');
  await check('share link');
  // Revoked (an organisation holds 100 links at most, and the test database stays).
  const revoked = await page.evaluate(async ([id, t]) =>
    (await fetch('/v1/dashboard-links/' + id, { method: 'DELETE', headers: { Authorization: 'Bearer ' + t } })).status,
    [created.body.id, coordinator]);
  if (revoked !== 204) h.problems.push(`DELETE /v1/dashboard-links/{id}: ${revoked}`);
}

await page.emulateMedia({ media: 'print' });
await page.pdf({ path: join(process.env.SCREENSHOTS || 'build/screenshots', 'tableau-de-bord.pdf'), format: 'A4', printBackground: true });
await page.emulateMedia({ media: 'screen' });
await h.finish();
