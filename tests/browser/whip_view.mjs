// A room published by a WHIP client (whip_test.go runs simple-whip-client), watched in the rooms demo (unchanged
// mediasoup-client in Chromium) through the pipe: the viewer opens ?room=ROOM_ID, consumes what the room lists, and
// must decode ≥ 30 video frames with a width and receive ≥ 50 audio packets. Exit 0 on success, 1 with the reason.
//
//   DEMO_URL=https://127.0.0.1:4430/ ROOM_ID=<id> node whip_view.mjs
// Other env: ARTIFACTS_DIR (default ./artifacts), TIMEOUT_MS (default 60000), RESULT_FILE, CHROMIUM_PATH, HEADFUL=1.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoReady, launch, openPage, runMain, waitFor, writeResult } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const { DEMO_URL, ROOM_ID } = process.env;
const ARTIFACTS_DIR = path.resolve(process.env.ARTIFACTS_DIR || path.join(here, 'artifacts'));
const TIMEOUT_MS = Number(process.env.TIMEOUT_MS || 60000);
const MIN_FRAMES = 30;
const MIN_AUDIO_PACKETS = 50;

function log(line) {
  console.log(`${new Date().toISOString().slice(11, 23)} ${line}`);
}

async function main() {
  if (!DEMO_URL || !ROOM_ID) throw new Error('set DEMO_URL (the demo app) and ROOM_ID (the room the WHIP client publishes to)');
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  const problems = [];
  const browser = await launch();
  const result = { ok: false };
  let failure = null;
  let page = null;
  try {
    page = await openPage(browser, 'viewer', problems);
    const url = new URL(DEMO_URL);
    url.searchParams.set('room', ROOM_ID);
    await page.goto(url.toString(), { waitUntil: 'load' });
    await demoReady(page);
    const consumers = await waitFor(page, 'consume the WHIP audio + video', () => {
      const cs = window.demo.state.consumers.filter((c) => c.resumedAt !== null);
      const kinds = Object.fromEntries(cs.map((c) => [c.kind, c.producerId]));
      return kinds.audio && kinds.video ? kinds : null;
    }, null, TIMEOUT_MS);
    log(`viewer: consuming audio ${consumers.audio}, video ${consumers.video}`);
    const got = await waitFor(page, `${MIN_FRAMES} frames and ${MIN_AUDIO_PACKETS} audio packets`, (want) => {
      return window.demo.stats().then((stats) => {
        const video = stats.find((s) => s.kind === 'video');
        const audio = stats.find((s) => s.kind === 'audio');
        if ((video?.framesDecoded ?? 0) >= want.frames && video.frameWidth > 0 && (audio?.packetsReceived ?? 0) >= want.audio) {
          return { video, audio };
        }
        return null;
      });
    }, { frames: MIN_FRAMES, audio: MIN_AUDIO_PACKETS }, TIMEOUT_MS);
    Object.assign(result, {
      framesDecoded: got.video.framesDecoded, frameWidth: got.video.frameWidth, frameHeight: got.video.frameHeight,
      audioPacketsReceived: got.audio.packetsReceived, firstFrameMs: got.video.firstFrameMs ?? null,
      videoProducerId: consumers.video, audioProducerId: consumers.audio,
    });
    console.log(`whip viewer frames=${result.framesDecoded} size=${result.frameWidth}x${result.frameHeight} audio_packets=${result.audioPacketsReceived}`);
    const shot = path.join(ARTIFACTS_DIR, 'whip-viewer.png');
    await page.screenshot({ path: shot });
    log(`screenshot ${shot}`);
    await page.evaluate(() => window.demo.leave());
  } catch (err) {
    failure = err;
    if (page) await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'whip-viewer-failure.png'), fullPage: true }).catch(() => undefined);
  } finally {
    console.log(problems.length ? `console errors and failed requests (${problems.length}):\n  ${problems.join('\n  ')}` : 'console errors: none');
    await browser.close().catch(() => undefined);
  }
  await writeResult(result, failure);
}

runMain(main);
