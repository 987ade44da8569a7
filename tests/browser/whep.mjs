// WHEP playback end to end: the rooms demo publishes camera + mic with mediasoup-client (unchanged), and the demo's
// WHEP page (/whep.html?room=<id>: whip-whep's WHEPClient from npm, unchanged) plays the room through the pipe: ≥ 30
// video frames decoded with a width and ≥ 50 audio packets. Then the player stops (whip-whep closes its
// RTCPeerConnection, whose DTLS close ends the session on the slave, then DELETEs it: 404 by then, or 200),
// everyone leaves and the room can be deleted (409 while any peer, the WHEP session's too, remained).
//
//   DEMO_URL=https://127.0.0.1:4430/ node whep.mjs
// Other env: ARTIFACTS_DIR, TIMEOUT_MS (default 60000), RESULT_FILE, CHROMIUM_PATH, HEADFUL=1.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoReady, launch, openPage, runMain, waitFor, writeResult } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const DEMO_URL = process.env.DEMO_URL;
const ARTIFACTS_DIR = path.resolve(process.env.ARTIFACTS_DIR || path.join(here, 'artifacts'));
const TIMEOUT_MS = Number(process.env.TIMEOUT_MS || 60000);

function log(line) {
  console.log(`${new Date().toISOString().slice(11, 23)} ${line}`);
}

// waitWhep polls the WHEP page's hook (it has no window.demo) until fn(stats, state) returns a truthy value.
async function waitWhep(page, what, want, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await page.evaluate(async (w) => {
      const st = window.whep.state;
      if (st.error) return { error: st.error };
      const s = await window.whep.stats();
      const v = s.video ?? {}, a = s.audio ?? {};
      return (v.framesDecoded ?? 0) >= w.frames && v.frameWidth > 0 && (a.packetsReceived ?? 0) >= w.audio ? { video: v, audio: a } : { last: s, status: st.status };
    }, want);
    if (got.error) throw new Error(`whep page: ${what}: ${got.error}`);
    if (got.video) return got;
    if (Date.now() > deadline) throw new Error(`whep page: ${what}: not done after ${timeoutMs} ms (${got.status}; ${JSON.stringify(got.last)})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function main() {
  if (!DEMO_URL) throw new Error('set DEMO_URL to the demo app, e.g. DEMO_URL=https://127.0.0.1:4430/');
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  const problems = [];
  const browser = await launch();
  const result = { ok: false };
  let failure = null;
  const pages = [];
  try {
    const pub = await openPage(browser, 'publisher', problems);
    pages.push(pub);
    await pub.goto(DEMO_URL, { waitUntil: 'load' });
    await demoReady(pub);
    await pub.click('#create-room');
    const roomId = await waitFor(pub, 'create room', () => window.demo.state.joined && window.demo.state.roomId, null, 20000);
    await pub.click('#publish');
    const producers = await waitFor(pub, 'publish camera + mic',
      () => (window.demo.state.producers.audio && window.demo.state.producers.video ? window.demo.state.producers : null), null, 20000);
    log(`publisher: room ${roomId}, audio ${producers.audio}, video ${producers.video}`);

    const player = await openPage(browser, 'whep-player', problems);
    pages.push(player);
    player.on('response', (res) => { if (res.status() >= 400) log(`whep-player: ${res.request().method()} ${new URL(res.url()).pathname} -> ${res.status()}`); });
    await player.goto(new URL(`whep.html?room=${roomId}`, DEMO_URL).toString(), { waitUntil: 'load' });
    const started = Date.now();
    const got = await waitWhep(player, '30 frames and 50 audio packets', { frames: 30, audio: 50 }, TIMEOUT_MS);
    Object.assign(result, { roomId, framesDecoded: got.video.framesDecoded, frameWidth: got.video.frameWidth,
      audioPacketsReceived: got.audio.packetsReceived, ms: Date.now() - started });
    console.log(`whep player: ${got.video.framesDecoded} frames ${got.video.frameWidth} wide, ${got.audio.packetsReceived} audio packets after ${result.ms} ms`);
    await player.screenshot({ path: path.join(ARTIFACTS_DIR, 'whep-player.png') });

    await player.evaluate(() => window.whep.stop());
    await pub.evaluate(() => window.demo.leave());
    await pub.evaluate((id) => window.demo.deleteRoom(id), roomId);
    result.roomDeleted = true;
    log(`player stopped, publisher left, room ${roomId} deleted`);
  } catch (err) {
    failure = err;
    for (const p of pages) await p.screenshot({ path: path.join(ARTIFACTS_DIR, `whep-${p.name}-failure.png`), fullPage: true }).catch(() => undefined);
  } finally {
    console.log(problems.length ? `console errors and failed requests (${problems.length}):\n  ${problems.join('\n  ')}` : 'console errors: none');
    await browser.close().catch(() => undefined);
  }
  await writeResult(result, failure);
}

runMain(main);
