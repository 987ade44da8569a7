// Simulcast end to end through the rooms demo (unchanged mediasoup-client in Chromium): a publisher page sends its
// fake camera (640×480) as mediasoup-demo's three RID encodings (r0 1/4, r1 1/2, r2 full size, L1T3 each) and its
// microphone; three viewer pages receive through the pipe (the room's consumer router), one with the default
// layers, one preferring layer 0 (chosen in the tile's layer picker) and one layer 1 (window.demo.setPreferredLayers,
// the same POST /consumers/:id/preferred_layers). Each must decode ≥ 30 frames at its layer's width (640, 160, 320)
// and receive audio, and GET /consumers/:id must say what it sends; then the layer-0 viewer switches to 2 and the
// default viewer to 0, live, and each must reach the new width. Prints the time of each switch (ms from the
// preferred_layers call to the first decoded frame at the new width) and saves simulcast-viewers.png (the three
// viewers' video tiles side by side). Exit 0 on success, 1 with the reason otherwise.
//
//   DEMO_URL=https://127.0.0.1:4430/ node simulcast.mjs
// Other env: ARTIFACTS_DIR (default ./artifacts), TIMEOUT_MS (each media wait, default 60000), RESULT_FILE (JSON of
// what was measured), CHROMIUM_PATH, HEADFUL=1.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoReady, launch, openPage, runMain, SIMULCAST_ARGS, waitFor, writeResult } from './lib.mjs';
import { compositeShot, layerState, publisherLayers, sentTop, switchLayer, waitForWidth } from './simulcast_checks.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const DEMO_URL = process.env.DEMO_URL;
const ARTIFACTS_DIR = path.resolve(process.env.ARTIFACTS_DIR || path.join(here, 'artifacts'));
const TIMEOUT_MS = Number(process.env.TIMEOUT_MS || 60000);
const STEP_MS = 20000;
const MIN_FRAMES = 30;
const MIN_AUDIO_PACKETS = 50;
// The fake camera is 640×480; r0 is a quarter of it, r1 a half.
const WIDTHS = [160, 320, 640];
const VIEWERS = [
  { name: 'viewer-default', layer: null, want: 2 },
  { name: 'viewer-low', layer: 0, want: 0, how: 'picker' },
  { name: 'viewer-medium', layer: 1, want: 1, how: 'api' },
];

function log(line) {
  console.log(`${new Date().toISOString().slice(11, 23)} ${line}`);
}

function pageUrl(params = {}) {
  const url = new URL(DEMO_URL);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

async function main() {
  if (!DEMO_URL) throw new Error('set DEMO_URL to the demo app, e.g. DEMO_URL=https://127.0.0.1:4430/');
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  const problems = [];
  const browser = await launch(SIMULCAST_ARGS);
  log(`chromium ${browser.version()} (${SIMULCAST_ARGS.join(' ')}); demo ${pageUrl()}`);
  const pages = [];
  const result = { viewers: [], switches: [], publisher: null, ok: false };
  let failure = null;
  try {
    const pub = await openPage(browser, 'publisher', problems);
    pages.push(pub);
    await pub.goto(pageUrl(), { waitUntil: 'load' });
    await demoReady(pub);
    await pub.click('#create-room');
    const roomId = await waitFor(pub, 'create room', () => window.demo.state.joined && window.demo.state.roomId, null, STEP_MS);
    if (!(await pub.isChecked('#simulcast'))) throw new Error('the simulcast box is not ticked by default');
    await pub.click('#publish');
    const producers = await waitFor(pub, 'publish camera + mic',
      () => (window.demo.state.producers.audio && window.demo.state.producers.video ? window.demo.state.producers : null), null, STEP_MS);
    const encodings = await pub.evaluate(() => window.demo.state.videoEncodings);
    if (encodings !== 3) throw new Error(`the camera went out as ${encodings} encoding(s), want 3: ${(await pub.evaluate(() => window.demo.state.log)).slice(-5).join(' | ')}`);
    log(`publisher: room ${roomId}, audio ${producers.audio}, video ${producers.video} (3 encodings)`);

    // Viewers, all through the pipe (the room's consumer router on the consumer slave).
    const viewers = [];
    for (const spec of VIEWERS) {
      const v = await openPage(browser, spec.name, problems);
      pages.push(v);
      await v.goto(pageUrl({ room: roomId }), { waitUntil: 'load' });
      await demoReady(v);
      const types = await waitFor(v, 'consume audio + video', (ids) => {
        const cs = window.demo.state.consumers.filter((c) => ids.includes(c.producerId) && c.resumedAt !== null);
        return cs.length === 2 ? Object.fromEntries(cs.map((c) => [c.kind, c.type])) : null;
      }, [producers.audio, producers.video], STEP_MS);
      if (types.video !== 'simulcast') throw new Error(`${spec.name}: the video consumer is "${types.video}", want "simulcast"`);
      if (spec.how === 'picker') {
        await v.locator(`[data-tile="${producers.video}"] .layer-picker`).selectOption(String(spec.layer));
        await waitFor(v, 'picker accepted', (a) => window.demo.state.consumers.find((c) => c.producerId === a.id)?.preferredLayers?.spatialLayer === a.layer,
          { id: producers.video, layer: spec.layer }, STEP_MS);
      } else if (spec.how === 'api') {
        await v.evaluate((a) => window.demo.setPreferredLayers(a.id, a.layer), { id: producers.video, layer: spec.layer });
      }
      log(`${spec.name}: consuming (video ${types.video}), preferred layer ${spec.layer ?? 'default'}${spec.how ? ` set by ${spec.how}` : ''}`);
      viewers.push({ page: v, spec });
    }

    // The default viewer gets the highest layer the publisher sends. That is r2 unless the publisher's own browser
    // dropped it (Chromium stops its top encoding when its send estimate falls, as it does on a starved machine):
    // then the highest it does send, which the test reports. It must send at least two layers.
    let pubNow = await publisherLayers(pub);
    for (const until = Date.now() + STEP_MS; sentTop(pubNow) < 2 && Date.now() < until; pubNow = await publisherLayers(pub)) {
      await new Promise((r) => setTimeout(r, 250));
    }
    result.publisherTop = sentTop(pubNow);
    if (result.publisherTop < 1) throw new Error(`the publisher sends fewer than two layers: ${pubNow.text}`);
    if (result.publisherTop < 2) log(`publisher does not send r2 (${pubNow.text}): the default viewer must get layer ${result.publisherTop}`);
    VIEWERS[0].want = result.publisherTop;

    // Each viewer decodes ≥ 30 frames at its layer's width and receives audio.
    const started = Date.now();
    await Promise.all(viewers.map(async ({ page, spec }) => {
      const got = await waitForWidth(page, producers, WIDTHS[spec.want], MIN_FRAMES, MIN_AUDIO_PACKETS, TIMEOUT_MS,
        (text) => log(`${spec.name}: waiting for ${WIDTHS[spec.want]} wide: ${text}`), () => publisherLayers(pub));
      log(`${spec.name}: ${got.framesAtWidth} frames at ${got.video.frameWidth}x${got.video.frameHeight} after ${Date.now() - started} ms; ` +
        `audio packets ${got.audio.packetsReceived}; ${got.video.kbps} kbit/s`);
      const server = await layerState(page, got.video.consumerId, spec.want, STEP_MS);
      result.viewers.push({ name: spec.name, preferredLayer: spec.layer, setBy: spec.how ?? 'default', frameWidth: got.video.frameWidth,
        frameHeight: got.video.frameHeight, framesAtWidth: got.framesAtWidth, audioPacketsReceived: got.audio.packetsReceived,
        kbps: got.video.kbps, firstFrameMs: got.video.firstFrameMs, consumerType: server.type, preferredLayers: server.preferredLayers,
        currentLayers: server.currentLayers });
    }));
    result.publisher = await publisherLayers(pub);
    log(`publisher layers: ${result.publisher.text}`);
    for (const v of result.viewers) {
      console.log(`${v.name} layer=${v.currentLayers.spatialLayer} size=${v.frameWidth}x${v.frameHeight} frames_at_size=${v.framesAtWidth} ` +
        `kbps=${v.kbps} audio_packets=${v.audioPacketsReceived} preferred=${JSON.stringify(v.preferredLayers)} current=${JSON.stringify(v.currentLayers)}`);
    }
    const shot = path.join(ARTIFACTS_DIR, 'simulcast-viewers.png');
    await compositeShot(browser, viewers.map(({ page, spec }) => ({ page, label: spec.name })), producers.video, shot);
    log(`screenshot ${shot}`);

    // Live switches: the low viewer up to the top layer, the default viewer down to the lowest.
    const top = result.publisherTop;
    for (const [v, from, to] of [[viewers[1], 0, top], [viewers[0], top, 0]]) {
      const before = await publisherLayers(pub);
      log(`${v.spec.name}: switching ${from}->${to}; publisher sends ${before.text}`);
      const sw = await switchLayer(v.page, producers.video, to, WIDTHS[to], TIMEOUT_MS);
      console.log(`switch ${v.spec.name} layer ${from}->${to}: width ${WIDTHS[from]}->${sw.frameWidth} in ${sw.ms} ms ` +
        `(preferred_layers call ${sw.apiMs} ms)`);
      log(`${v.spec.name}: switched; publisher sends ${(await publisherLayers(pub)).text}`);
      result.switches.push({ viewer: v.spec.name, from, to, frameWidth: sw.frameWidth, ms: sw.ms, apiMs: sw.apiMs });
      await layerState(v.page, sw.consumerId, to, STEP_MS);
    }
    for (const p of [...viewers.map((v) => v.page), pub]) await p.evaluate(() => window.demo.leave());
    await pub.evaluate((id) => window.demo.deleteRoom(id), roomId);
    log(`everyone left; room ${roomId} deleted`);
  } catch (err) {
    failure = err;
    for (const p of pages) {
      const file = path.join(ARTIFACTS_DIR, `simulcast-${p.name}-failure.png`);
      await p.screenshot({ path: file, fullPage: true }).then(() => log(`screenshot ${file}`), () => undefined);
    }
  } finally {
    console.log(problems.length ? `console errors and failed requests (${problems.length}):\n  ${problems.join('\n  ')}` : 'console errors: none');
    await browser.close().catch(() => undefined);
  }
  await writeResult(result, failure);
}

runMain(main);
