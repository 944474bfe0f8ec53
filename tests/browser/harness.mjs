// What every browser test shares (tests/browser/test_*.mjs):
//   const h = await startHarness('docs');
//   await h.load('/docs', { ready: () => document.querySelector('h1') });
//   await h.finish();            // screenshot, checks, server stopped; exit code
// The server is the real binary (INCLUSION_API_BIN) on a port it picks
// (PORT=0, read from its "listening" log line), against TEST_DATABASE_URL.
// A test fails on: a console error, an uncaught exception, a request to any
// host but the service (aborted too), a Content-Security-Policy violation, a
// page that does not get ready in time. The server is stopped on every path
// (exit, exception, signal, overall timeout).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const require = createRequire(join(process.env.NODE_PATH || '.', 'noop.js'));
const { chromium } = require('playwright-core');

const TEST_TIMEOUT_MS = 120_000;
const STEP_TIMEOUT_MS = 30_000;

function startServer() {
  const bin = process.env.INCLUSION_API_BIN || 'build/inclusion-api';
  const env = {
    PATH: process.env.PATH,
    DATABASE_URL: process.env.TEST_DATABASE_URL,
    JWT_SECRET: 'browser-test-secret-0123456789-abcdefghijkl',
    LISTEN_ADDR: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    HTTP_THREADS: '4',
    DB_POOL_SIZE: '2',
    RATE_LIMIT_IP_PER_S: '0',
    METRICS_LISTEN_ADDR: '127.0.0.1:0',
  };
  for (const k of Object.keys(process.env))
    if (/^(ASAN|UBSAN|LSAN)_/.test(k)) env[k] = process.env[k];
  const child = spawn(bin, ['serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = [];
  const port = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the server did not log "listening" in 15 s')), 15_000);
    const watch = (stream) =>
      createInterface({ input: stream }).on('line', (line) => {
        lines.push(line);
        if (lines.length > 200) lines.shift();
        if (line.includes('"msg":"listening"')) {
          const m = line.match(/"port":(\d+)/);
          if (m) {
            clearTimeout(timer);
            resolve(Number(m[1]));
          }
        }
      });
    watch(child.stdout);
    watch(child.stderr);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code ?? signal}) before listening`));
    });
  });
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
      const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.once('exit', (code) => {
        clearTimeout(kill);
        resolve(code);
      });
      child.kill('SIGTERM');
    });
  return { port, stop, lines };
}

export async function startHarness(name) {
  const problems = [];
  const server = startServer();
  let browser = null;
  let stopped = false;
  const cleanup = async () => {
    if (stopped) return;
    stopped = true;
    if (browser) await browser.close().catch(() => {});
    const code = await server.stop();
    if (code !== 0 && code !== null) problems.push(`the server exited ${code} on SIGTERM`);
  };
  const abort = async (why) => {
    console.error(`${name}: ${why}`);
    await cleanup();
    process.exit(1);
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => abort(`stopped by ${sig}`));
  process.on('uncaughtException', (e) => abort(`uncaught: ${e.stack || e}`));
  process.on('unhandledRejection', (e) => abort(`unhandled: ${e && e.stack ? e.stack : e}`));
  setTimeout(() => abort(`over ${TEST_TIMEOUT_MS / 1000} s`), TEST_TIMEOUT_MS).unref();

  let port;
  try {
    port = await server.port;
  } catch (e) {
    console.error(server.lines.join('\n'));
    await abort(e.message);
  }
  const origin = `http://127.0.0.1:${port}`;
  const args = ['--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'];
  if (process.getuid && process.getuid() === 0) args.push('--no-sandbox');
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args,
    timeout: STEP_TIMEOUT_MS,
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  // Every request to another host is a failure, and never leaves the machine.
  await context.route('**/*', (route) => {
    const u = route.request().url();
    if (u.startsWith(origin + '/') || u.startsWith('data:') || u.startsWith('blob:'))
      return route.continue();
    problems.push(`request to another host: ${u}`);
    return route.abort('blockedbyclient');
  });
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} ${e.sample || ''} ${e.sourceFile || ''}:${e.lineNumber}`));
  });
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error')
      problems.push(`console error: ${m.text().slice(0, 600)} (${m.location().url || 'no url'}:${m.location().lineNumber})`);
  });
  page.on('pageerror', (e) => problems.push(`uncaught exception in the page: ${e.message}`));
  page.on('requestfailed', (r) => {
    const u = r.url();
    if (u.startsWith(origin + '/')) problems.push(`request failed: ${u} (${r.failure()?.errorText})`);
  });
  page.on('response', (r) => {
    if (r.url().startsWith(origin + '/') && r.status() >= 400)
      problems.push(`${r.status()} for ${r.url()}`);
  });

  return {
    origin,
    page,
    problems,
    async load(path, { ready }) {
      const response = await page.goto(origin + path, { waitUntil: 'load', timeout: STEP_TIMEOUT_MS });
      if (!response || response.status() !== 200)
        problems.push(`GET ${path}: ${response ? response.status() : 'no response'}`);
      await page.waitForFunction(ready, null, { timeout: STEP_TIMEOUT_MS });
      await page.waitForLoadState('networkidle', { timeout: STEP_TIMEOUT_MS }).catch(() => {
        problems.push(`${path}: the network was still busy after ${STEP_TIMEOUT_MS / 1000} s`);
      });
      return response;
    },
    async finish() {
      try {
        const csp = await page.evaluate(() => window.__cspViolations || []);
        for (const v of csp) problems.push(`CSP violation: ${v}`);
        await page.screenshot({ path: join(process.env.SCREENSHOTS || 'build/screenshots', `${name}.png`), fullPage: false });
      } catch (e) {
        problems.push(`after the load: ${e.message}`);
      }
      await cleanup();
      if (problems.length) {
        for (const p of problems) console.error(`${name}: ${p}`);
        process.exit(1);
      }
      process.exit(0);
    },
  };
}
