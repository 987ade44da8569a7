// Chromium's own WebRTC stack as a WHIP publisher, with simulcast: a page POSTs an RTCPeerConnection offer (sendonly
// microphone + camera as three RID encodings q/h/f at 1/4, 1/2 and full size) to the demo's /api/rooms/:id/whip and
// applies the answer; a viewer (the rooms demo, unchanged mediasoup-client) consumes through the pipe and must get a
// simulcast consumer and decode ≥ 30 frames at the full width (640) with audio; then the publisher DELETEs its
// session (the Location, which the demo's proxy prefixes with /api) and the room has no producer left.
//
//   DEMO_URL=https://127.0.0.1:4430/ node whip_chromium.mjs
// Other env: ARTIFACTS_DIR, TIMEOUT_MS (default 60000), RESULT_FILE, CHROMIUM_PATH, HEADFUL=1.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoReady, launch, openPage, runMain, SIMULCAST_ARGS, waitFor, writeResult } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const DEMO_URL = process.env.DEMO_URL;
const ARTIFACTS_DIR = path.resolve(process.env.ARTIFACTS_DIR || path.join(here, 'artifacts'));
const TIMEOUT_MS = Number(process.env.TIMEOUT_MS || 60000);

function log(line) {
  console.log(`${new Date().toISOString().slice(11, 23)} ${line}`);
}

// publish runs in the publisher page: the WHIP exchange of RFC 9725 §4.2 with fetch.
async function publish() {
  const res = await fetch('/api/rooms', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
  const { id: roomId } = await res.json();
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 480 } });
  const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
  pc.addTransceiver(stream.getAudioTracks()[0], { direction: 'sendonly' });
  pc.addTransceiver(stream.getVideoTracks()[0], {
    direction: 'sendonly',
    sendEncodings: [
      { rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150000 },
      { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500000 },
      { rid: 'f', maxBitrate: 1500000 },
    ],
  });
  await pc.setLocalDescription(await pc.createOffer());
  const answer = await fetch(`/api/rooms/${roomId}/whip`, { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: pc.localDescription.sdp });
  if (answer.status !== 201) throw new Error(`POST whip: ${answer.status} ${await answer.text()}`);
  const location = answer.headers.get('Location');
  await pc.setRemoteDescription({ type: 'answer', sdp: await answer.text() });
  window.whip = { pc, location };
  return { roomId, location };
}

async function main() {
  if (!DEMO_URL) throw new Error('set DEMO_URL to the demo app, e.g. DEMO_URL=https://127.0.0.1:4430/');
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  const problems = [];
  const browser = await launch(SIMULCAST_ARGS);
  const result = { ok: false };
  let failure = null;
  const pages = [];
  try {
    const pub = await openPage(browser, 'whip-publisher', problems);
    pages.push(pub);
    await pub.goto(DEMO_URL, { waitUntil: 'load' });
    const { roomId, location } = await pub.evaluate(publish);
    log(`publisher: room ${roomId}, session ${location}`);
    const viewer = await openPage(browser, 'viewer', problems);
    pages.push(viewer);
    const url = new URL(DEMO_URL);
    url.searchParams.set('room', roomId);
    await viewer.goto(url.toString(), { waitUntil: 'load' });
    await demoReady(viewer);
    const types = await waitFor(viewer, 'consume audio + video', () => {
      const cs = window.demo.state.consumers.filter((c) => c.resumedAt !== null);
      return cs.length === 2 ? Object.fromEntries(cs.map((c) => [c.kind, c.type])) : null;
    }, null, TIMEOUT_MS);
    if (types.video !== 'simulcast') throw new Error(`the video consumer is "${types.video}", want "simulcast"`);
    const got = await waitFor(viewer, '30 frames at 640 wide and 50 audio packets', () => window.demo.stats().then((stats) => {
      const video = stats.find((s) => s.kind === 'video');
      const audio = stats.find((s) => s.kind === 'audio');
      if (video?.frameWidth !== 640) window.whipBase = null;
      else window.whipBase ??= video.framesDecoded;
      const frames = window.whipBase == null ? 0 : video.framesDecoded - window.whipBase;
      return frames >= 30 && (audio?.packetsReceived ?? 0) >= 50 ? { frames, width: video.frameWidth, height: video.frameHeight, audio: audio.packetsReceived } : null;
    }), null, TIMEOUT_MS);
    Object.assign(result, { roomId, videoType: types.video, framesAtWidth: got.frames, frameWidth: got.width, frameHeight: got.height, audioPacketsReceived: got.audio });
    console.log(`whip chromium simulcast: viewer ${got.frames} frames at ${got.width}x${got.height}, audio packets ${got.audio}`);

    await viewer.evaluate(() => window.demo.leave());
    const status = await pub.evaluate(async () => (await fetch(window.whip.location, { method: 'DELETE' })).status);
    if (status !== 200) throw new Error(`DELETE ${location}: ${status}`);
    const left = await pub.evaluate(async (id) => (await (await fetch(`/api/rooms/${id}/producer_peers`)).json()).length, roomId);
    if (left !== 0) throw new Error(`${left} producers left after DELETE`);
    result.deleted = true;
    log('publisher: session deleted, no producer left');
  } catch (err) {
    failure = err;
    for (const p of pages) await p.screenshot({ path: path.join(ARTIFACTS_DIR, `whip-${p.name}-failure.png`), fullPage: true }).catch(() => undefined);
  } finally {
    console.log(problems.length ? `console errors and failed requests (${problems.length}):\n  ${problems.join('\n  ')}` : 'console errors: none');
    await browser.close().catch(() => undefined);
  }
  await writeResult(result, failure);
}

runMain(main);
