// /docs in headless Chromium: the contract rendered (the title and the
// operations listed), with no console error, no request to another host
// (no CDN: Redoc's logo included) and no CSP violation; the page's CSP is
// the one the service sends. Screenshot: build/screenshots/docs.png.
import { startHarness } from './harness.mjs';

const h = await startHarness('docs');
const response = await h.load('/docs', {
  ready: () =>
    document.body.innerText.includes('inclusion-api') &&
    document.body.innerText.includes('/v1/reference/{list}') &&
    document.querySelectorAll('[data-section-id], [id^="operation"], [id*="tag"]').length > 0,
});
const csp = response ? (await response.allHeaders())['content-security-policy'] : undefined;
if (!csp || !csp.startsWith("default-src 'self'") || csp.includes('script-src') || /https?:/.test(csp))
  h.problems.push(`unexpected Content-Security-Policy: ${csp}`);
// A click works: the search box takes input (the page is live, not only prerendered).
const search = h.page.locator('input[type="text"], input[type="search"]').first();
if ((await search.count()) > 0) await search.fill('referral');
await h.finish();
