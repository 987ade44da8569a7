// Shared by run.mjs, simulcast.mjs (the end-to-end tests) and selftest.mjs: launch the system Chromium with a fake
// camera, open pages that collect their console errors, poll a page until a condition holds, and end a test script.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

// Flags for headless Chromium as root in a container, with a fake camera and microphone that need no prompt.
// Playwright's launch() always starts from a fresh temporary profile (it refuses --user-data-dir in args).
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
];

// SIMULCAST_ARGS let Chromium send three simulcast layers of a 640×480 camera. By default libwebrtc limits the
// layer count by resolution (WebRTC-LegacySimulcastLayerLimit: 2 layers below 960×540, 3 from there): of the fake
// camera's r0/r1/r2 it would send r0 (160 wide) and r1 (320) and leave r2 (640) off for good, whatever the bandwidth.
// A real camera at 1280×720 gets three layers without this.
export const SIMULCAST_ARGS = ['--force-fieldtrials=WebRTC-LegacySimulcastLayerLimit/Disabled/'];

// launch starts Chromium; executablePath may be a wrapper that runs it elsewhere (tcp.mjs: in a network namespace).
export async function launch(extraArgs = [], executablePath = CHROMIUM_PATH) {
  try {
    return await chromium.launch({ executablePath, headless: process.env.HEADFUL !== '1', args: [...CHROMIUM_ARGS, ...extraArgs] });
  } catch (err) {
    throw new Error(`cannot start Chromium at ${executablePath} (apt-get install -y chromium, or set CHROMIUM_PATH): ${err.message}`);
  }
}

// openPage opens a page in its own browser context (its own cookies, storage and permissions: another user) and
// records console errors, uncaught exceptions, the app's own error reports and failed requests into `problems`.
export async function openPage(browser, name, problems) {
  const context = await browser.newContext({
    ignoreHTTPSErrors: true, // the dev cluster serves a self-signed certificate
    permissions: ['camera', 'microphone'],
    viewport: { width: 1100, height: 800 },
  });
  const page = await context.newPage();
  page.on('console', (msg) => {
    const text = msg.text();
    if (msg.type() === 'error' || text.startsWith('[demo]')) problems.push(`[${name}] console.${msg.type()}: ${text}`);
  });
  page.on('pageerror', (err) => problems.push(`[${name}] uncaught: ${err.message}`));
  page.on('requestfailed', (req) => {
    const failure = req.failure()?.errorText ?? 'failed';
    // An EventSource or a fetch aborted by leaving the page is not a failure of the app.
    if (failure !== 'net::ERR_ABORTED') problems.push(`[${name}] request failed: ${req.method()} ${req.url()}: ${failure}`);
  });
  page.name = name;
  page.errorsSeen = 0; // app errors before this index are accepted (see acceptErrors)
  return page;
}

// acceptErrors marks the app errors reported so far as expected (a test that provokes one calls it).
export async function acceptErrors(page) {
  page.errorsSeen = await page.evaluate(() => window.demo.state.errors.length);
}

// waitFor polls fn in the page until it returns a truthy value, failing early when the app reports an error
// (any not accepted by acceptErrors).
export async function waitFor(page, what, fn, arg, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await page.evaluate(fn, arg);
    if (value) return value;
    const errors = await page.evaluate((n) => window.demo.state.errors.slice(n), page.errorsSeen);
    if (errors.length > 0) throw new Error(`${page.name}: ${what}: the app reported: ${errors.join(' | ')}`);
    if (Date.now() > deadline) throw new Error(`${page.name}: ${what}: not done after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

// demoReady waits for the bundle to run (window.demo is its test hook).
export async function demoReady(page, timeoutMs = 15000) {
  await page.waitForFunction(() => typeof window.demo === 'object' && window.demo !== null, null, { timeout: timeoutMs });
}

// writeResult writes what a test script measured to RESULT_FILE (read by the Go test), with ok and, on failure,
// the reason; then rethrows the failure.
export async function writeResult(result, failure) {
  result.ok = !failure;
  if (failure) result.error = failure.message;
  if (process.env.RESULT_FILE) await writeFile(process.env.RESULT_FILE, JSON.stringify(result, null, 2));
  if (failure) throw failure;
}

// runMain runs a test script's main: PASS and exit 0, or FAIL with the reason and exit 1.
export function runMain(main) {
  main().then(
    () => {
      console.log('PASS');
      process.exit(0);
    },
    (err) => {
      console.error(`FAIL: ${err.message}`);
      process.exit(1);
    },
  );
}

// createRoomAndPublish clicks the demo's Create room and Publish on pub and waits for both producers: the room id
// and {audio, video} producer ids.
export async function createRoomAndPublish(pub, timeoutMs) {
  await pub.click('#create-room');
  const roomId = await waitFor(pub, 'create room', () => window.demo.state.joined && window.demo.state.roomId, null, timeoutMs);
  await pub.click('#publish');
  const producers = await waitFor(pub, 'publish camera + mic',
    () => (window.demo.state.producers.audio && window.demo.state.producers.video ? window.demo.state.producers : null), null, timeoutMs);
  return { roomId, producers };
}

// reportFailure prints FAIL with the reason, saves a screenshot of each page as <prefix>-<page>-failure.png in dir,
// and prints each page's transport states and log tail and the problems collected.
export async function reportFailure(message, pages, problems, dir, prefix) {
  console.error(`FAIL: ${message}`);
  for (const p of pages) {
    await p.screenshot({ path: path.join(dir, `${prefix}-${p.name}-failure.png`) }).catch(() => undefined);
    const st = await p.evaluate(() => window.demo.state).catch(() => null);
    if (st) console.error(`${p.name}: send ${st.sendTransportState} recv ${st.recvTransportState}; log tail: ${st.log.slice(-8).join(' | ')}`);
  }
  for (const line of problems) console.error(line);
}
