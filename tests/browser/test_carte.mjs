// /carte in headless Chromium, with no token: every place and mobile-unit
// stop is a marker (at least the 27 France Services of the seed) and an item
// of the list beside the map; a filter reduces both alike; a place's details
// (its popup) give its opening hours; no console error, no request to another
// host, no CSP violation. Screenshot: build/screenshots/carte.png.
import { startHarness } from './harness.mjs';

const h = await startHarness('carte');
const page = h.page;
// Markers are Leaflet's circle markers: interactive SVG paths, as are the
// communes under them (their tooltips), which are filled white.
const MARKERS = '#carte path.leaflet-interactive:not([fill="#ffffff"])';
const counts = () =>
  page.evaluate((markers) => ({
    markers: document.querySelectorAll(markers).length,
    items: document.querySelectorAll('#lieux > li').length,
  }), MARKERS);
await h.load('/carte', {
  ready: () =>
    document.querySelectorAll('#carte path.leaflet-interactive:not([fill="#ffffff"])').length >= 27 &&
    document.querySelectorAll('#lieux > li').length >= 27,
});
const all = await counts();
if (all.markers !== all.items) h.problems.push(`${all.markers} markers but ${all.items} items in the list`);

// A service filter keeps fewer places, on the map and in the list alike.
const options = await page.locator('#service option').count();
if (options < 2) h.problems.push('no service to filter on');
else {
  await page.selectOption('#service', { index: 1 });
  await page.waitForFunction(
    (before) => document.querySelectorAll('#lieux > li').length < before, all.items);
  const some = await counts();
  if (some.markers !== some.items || some.items === 0 || some.items >= all.items)
    h.problems.push(`after a filter: ${some.markers} markers, ${some.items} items (before ${all.items})`);
  await page.selectOption('#service', { index: 0 });
  await page.waitForFunction(
    (before) => document.querySelectorAll('#lieux > li').length === before, all.items);
}

// A France Services of the list, opened from the keyboard: its popup and its
// details in the list both say its opening hours in words.
const first = page.locator('#lieux > li button', { hasText: 'France services' }).first();
await first.focus();
await page.keyboard.press('Enter');
await page.waitForSelector('.leaflet-popup-content .lieu-details');
const popup = await page.locator('.leaflet-popup-content').innerText();
if (!/Horaires : .*h/.test(popup)) h.problems.push(`the popup says no hours: ${popup.slice(0, 200)}`);
if ((await first.getAttribute('aria-expanded')) !== 'true')
  h.problems.push('the list item does not say it is expanded');
await h.finish();
