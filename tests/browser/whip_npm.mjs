// A third-party WHIP client from npm as the publisher: the demo's /whip.html?room=ROOM_ID (whip-whep's WHIPClient,
// pinned in examples/rooms, unchanged) publishes Chromium's fake camera + mic through the demo's
// POST /api/rooms/:id/whip. The script prints PUBLISHING once the page's connection is up and it has sent ≥ 30 video
// frames, keeps publishing until its stdin closes (whip_test.go watches the room with whip_view.mjs meanwhile), then
// stops the client (WHIPClient.stop: close the RTCPeerConnection, DELETE the session's Location). RESULT_FILE gets
// the page's WHIP HTTP exchange (method, path, status) and what it sent.
//
//   DEMO_URL=https://127.0.0.1:4430/ ROOM_ID=<id> node whip_npm.mjs < /dev/null
// Other env: ARTIFACTS_DIR (default ./artifacts), TIMEOUT_MS (default 60000), RESULT_FILE, CHROMIUM_PATH, HEADFUL=1.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, openPage, runMain, writeResult } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const { DEMO_URL, ROOM_ID } = process.env;
const ARTIFACTS_DIR = path.resolve(process.env.ARTIFACTS_DIR || path.join(here, 'artifacts'));
const TIMEOUT_MS = Number(process.env.TIMEOUT_MS || 60000);

function log(line) {
  console.log(`${new Date().toISOString().slice(11, 23)} ${line}`);
}

// waitWhip polls the WHIP page's hook until it connected and sent frames and audio, failing on the page's error.
async function waitWhip(page, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await page.evaluate(async () => {
      const st = window.whip.state;
      if (st.error) return { error: st.error };
      const s = await window.whip.stats();
      const v = s.video ?? {}, a = s.audio ?? {};
      return st.status === 'connection connected' && (v.framesEncoded ?? 0) >= 30 && (a.packetsSent ?? 0) >= 50
        ? { video: v, audio: a } : { last: s, status: st.status };
    });
    if (got.error) throw new Error(`whip page: ${got.error}`);
    if (got.video) return got;
    if (Date.now() > deadline) throw new Error(`whip page: not publishing after ${timeoutMs} ms (${got.status}; ${JSON.stringify(got.last)})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

// stdinClosed resolves when the test closes the script's stdin (its signal to stop publishing).
function stdinClosed() {
  return new Promise((resolve) => {
    process.stdin.on('end', resolve);
    process.stdin.on('close', resolve);
    process.stdin.resume();
  });
}

async function main() {
  if (!DEMO_URL || !ROOM_ID) throw new Error('set DEMO_URL (the demo app) and ROOM_ID (the room to publish into)');
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  const stop = stdinClosed();
  const problems = [];
  const browser = await launch();
  const result = { ok: false, exchange: [] };
  let failure = null;
  let page = null;
  try {
    page = await openPage(browser, 'whip-publisher', problems);
    page.on('response', (res) => {
      const u = new URL(res.url());
      if (!/\/whip(\/|$)/.test(u.pathname)) return; // the WHIP resource, not whip.html or whip.js
      const entry = { method: res.request().method(), path: u.pathname, status: res.status(), location: res.headers().location ?? null };
      result.exchange.push(entry);
      log(`whip-publisher: ${entry.method} ${entry.path} -> ${entry.status}${entry.location ? ` Location: ${entry.location}` : ''}`);
    });
    const url = new URL('whip.html', DEMO_URL);
    url.searchParams.set('room', ROOM_ID);
    await page.goto(url.toString(), { waitUntil: 'load' });
    await page.waitForFunction(() => typeof window.whip === 'object', null, { timeout: 15000 });
    const got = await waitWhip(page, TIMEOUT_MS);
    Object.assign(result, { framesEncoded: got.video.framesEncoded, audioPacketsSent: got.audio.packetsSent });
    console.log(`PUBLISHING frames_encoded=${got.video.framesEncoded} audio_packets_sent=${got.audio.packetsSent}`);
    await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'whip-npm-publisher.png') });
    await stop;
    await page.evaluate(() => window.whip.stop());
    // stop() resolves after its DELETE answered; the response event may land a tick later.
    const deadline = Date.now() + 5000;
    while (!result.exchange.some((e) => e.method === 'DELETE') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    result.status = await page.evaluate(() => window.whip.state.status);
    log(`whip-publisher: stopped (${result.status})`);
  } catch (err) {
    failure = err;
    if (page) await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'whip-npm-publisher-failure.png'), fullPage: true }).catch(() => undefined);
  } finally {
    console.log(problems.length ? `console errors and failed requests (${problems.length}):\n  ${problems.join('\n  ')}` : 'console errors: none');
    await browser.close().catch(() => undefined);
  }
  await writeResult(result, failure);
}

runMain(main);
