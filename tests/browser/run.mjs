// End-to-end browser test of a running cluster through the rooms demo (unchanged mediasoup-client in Chromium):
// one publisher page creates a room and publishes its fake microphone, two viewer pages join (one by link, one by
// typing the id) and get the audio producer from the list fetched when their room events stream (SSE) opens; then
// the publisher adds its fake camera and the viewers must get that producer live (producer_added on the stream).
// Each viewer must decode the video (≥ 30 frames, real size), receive the audio (≥ 50 packets) and show a moving,
// non-black picture in its video tile (pixels read back through a canvas). Prints per viewer `first_frame_ms=<n>`
// (consume call → first decoded frame), saves a viewer screenshot, pauses the publisher's video (viewers' frames
// must stand, the tile shows "paused") and resumes it (frames must grow again), then checks leave and delete.
// Exit 0 on success, 1 with the reason otherwise.
//
//   DEMO_URL=https://127.0.0.1:4430/ node run.mjs       (API_URL=http://127.0.0.1:3010 if not served under /api)
// Other env: ARTIFACTS_DIR (default ./artifacts), TIMEOUT_MS (media wait, default 60000), VIEWERS (default 2),
// CONSUME_ON=room (viewers receive on the room's own router, POST /rooms/:id/consumer_transports: no pipe),
// SCREENSHOT (file name in ARTIFACTS_DIR, default viewer.png), RESULT_FILE (JSON of what was measured),
// PAUSE_CHECK=0, REPORT_RATE=0, CHROMIUM_PATH (default /usr/bin/chromium), HEADFUL=1, SKIP_CLEANUP_CHECKS=1,
// PUBLISH_RATE_AT_MS (6000), TIMELINE=1 (the publisher's send rate and bandwidth estimate every 500 ms for 10 s,
// before the viewers join).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkAnnounced, checkPauseResume, checkPixels } from './checks.mjs';
import { demoReady, launch, openPage, runMain, waitFor, writeResult } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const DEMO_URL = process.env.DEMO_URL;
const API_URL = process.env.API_URL || '';
const ARTIFACTS_DIR = path.resolve(process.env.ARTIFACTS_DIR || path.join(here, 'artifacts'));
const TIMEOUT_MS = Number(process.env.TIMEOUT_MS || 60000);
const VIEWERS = Number(process.env.VIEWERS || 2);
const CONSUME_ON = process.env.CONSUME_ON || '';
const SCREENSHOT = process.env.SCREENSHOT || 'viewer.png';
const STEP_MS = 20000;
const MIN_FRAMES = 30;
const MIN_AUDIO_PACKETS = 50;

function pageUrl(params = {}) {
  const url = new URL(DEMO_URL);
  if (API_URL) url.searchParams.set('api', API_URL);
  if (CONSUME_ON) url.searchParams.set('consume', CONSUME_ON);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

function log(line) {
  console.log(`${new Date().toISOString().slice(11, 23)} ${line}`);
}

// mediaOk tells whether a viewer's stats show the publisher's video decoding and audio arriving.
function judge(stats, producers) {
  const video = stats.find((s) => s.producerId === producers.video);
  const audio = stats.find((s) => s.producerId === producers.audio);
  const ok = !!video && video.framesDecoded >= MIN_FRAMES && video.frameWidth > 0 && !!audio && audio.packetsReceived >= MIN_AUDIO_PACKETS;
  const text = `video ${video ? `frames=${video.framesDecoded} ${video.frameWidth}x${video.frameHeight} packets=${video.packetsReceived}` : 'not consumed'}, ` +
    `audio ${audio ? `packets=${audio.packetsReceived}` : 'not consumed'}`;
  return { ok, text, video, audio };
}

// reportPublisherRate prints how fast the publisher's video goes out PUBLISH_RATE_AT_MS (default 6000) after
// publishing, over the following 2 s, with the encoder's target and the browser's bandwidth estimate (the server's
// transport-cc feedback lets it probe the path at once; without it the estimate creeps up on receiver reports).
// Informational: nothing is asserted.
async function reportPublisherRate(pub, publishedAt) {
  const at = Number(process.env.PUBLISH_RATE_AT_MS || 6000);
  const wait = publishedAt + at - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const a = await pub.evaluate(() => window.demo.publisherStats());
  await new Promise((r) => setTimeout(r, 2000));
  const b = await pub.evaluate(() => window.demo.publisherStats());
  if (!a || !b) return;
  const kbps = (8 * (b.videoBytesSent - a.videoBytesSent)) / (b.at - a.at);
  console.log(`publisher video_kbps=${kbps.toFixed(0)} target_kbps=${(b.targetBitrate / 1000).toFixed(0)} ` +
    `available_outgoing_kbps=${(b.availableOutgoingBitrate / 1000).toFixed(0)} size=${b.frameWidth}x${b.frameHeight} ` +
    `limited_by=${b.qualityLimitationReason || 'n/a'} resolution_changes=${b.qualityLimitationResolutionChanges} ` +
    `from_ms=${Math.round(at)} after publish`);
}

// publisherTimeline (TIMELINE=1) prints the publisher's send side every 500 ms for its first 10 s, before any
// viewer joins: how fast the bandwidth estimate and the encoder ramp up.
async function publisherTimeline(pub, publishedAt) {
  let prev = null;
  while (Date.now() - publishedAt < 10000) {
    const x = await pub.evaluate(() => window.demo.publisherStats());
    if (x && prev) {
      const kbps = (8 * (x.videoBytesSent - prev.videoBytesSent)) / (x.at - prev.at);
      console.log(`publisher t=${Date.now() - publishedAt}ms video_kbps=${kbps.toFixed(0)} target_kbps=${(x.targetBitrate / 1000).toFixed(0)} ` +
        `available_outgoing_kbps=${(x.availableOutgoingBitrate / 1000).toFixed(0)} size=${x.frameWidth}x${x.frameHeight} limited_by=${x.qualityLimitationReason}`);
    }
    prev = x;
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function main() {
  if (!DEMO_URL) throw new Error('set DEMO_URL to the demo app, e.g. DEMO_URL=https://127.0.0.1:4430/');
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  const problems = [];
  const browser = await launch();
  log(`chromium ${browser.version()}; demo ${pageUrl()}`);
  const pages = [];
  const result = { consumeOn: CONSUME_ON || 'consumer-router', viewers: [], pauseResume: null, ok: false };
  let failure = null;
  try {
    // Publisher: create a room, publish camera + mic.
    const pub = await openPage(browser, 'publisher', problems);
    pages.push(pub);
    await pub.goto(pageUrl(), { waitUntil: 'load' });
    await demoReady(pub);
    log(`publisher: mediasoup-client ${await pub.evaluate(() => window.demo.version)}, user ${await pub.evaluate(() => window.demo.state.userId)}`);
    await pub.click('#create-room');
    const roomId = await waitFor(pub, 'create room', () => window.demo.state.joined && window.demo.state.roomId, null, STEP_MS);
    log(`publisher: room ${roomId}`);
    // The microphone now; the camera once the viewers are in, so they must learn of it live.
    await pub.evaluate(() => window.demo.publish(['audio']));
    const audioId = await waitFor(pub, 'publish mic', () => window.demo.state.producers.audio, null, STEP_MS);
    log(`publisher: producing audio ${audioId}`);

    // Viewers: the first joins by link, the others by typing the id.
    const viewers = [];
    for (let i = 1; i <= VIEWERS; i++) {
      const v = await openPage(browser, `viewer${i}`, problems);
      pages.push(v);
      viewers.push(v);
      if (i === 1) {
        await v.goto(pageUrl({ room: roomId }), { waitUntil: 'load' });
        await demoReady(v);
      } else {
        await v.goto(pageUrl(), { waitUntil: 'load' });
        await demoReady(v);
        await v.fill('#room-id', roomId);
        await v.click('#join');
      }
      await waitFor(v, 'join room', (id) => window.demo.state.joined && window.demo.state.roomId === id, roomId, STEP_MS);
      // In the room and following it: the stream is open and the list it fetched on open has been consumed.
      await waitFor(v, 'audio from the producer list',
        (id) => window.demo.state.events === 'sse' && window.demo.state.consumers.some((c) => c.producerId === id && c.resumedAt !== null), audioId, STEP_MS);
      const vs = await v.evaluate(() => window.demo.state);
      log(`${v.name}: joined (${i === 1 ? 'by link' : 'by id'}), user ${vs.userId}, room events ${vs.events}, receiving on ${vs.consumeOn}`);
    }

    // The camera, published after every viewer joined: it reaches them only through producer_added.
    await pub.click('#publish');
    const producers = await waitFor(pub, 'publish camera',
      () => (window.demo.state.producers.audio && window.demo.state.producers.video ? window.demo.state.producers : null), null, STEP_MS);
    log(`publisher: producing video ${producers.video}`);
    const publishedAt = Date.now();
    if (process.env.TIMELINE === '1') await publisherTimeline(pub, publishedAt);

    // Media: every viewer must decode the video and receive the audio.
    const started = Date.now();
    const done = new Map();
    let lastReport = Date.now();
    while (done.size < viewers.length) {
      const report = Date.now() - lastReport >= 5000;
      if (report) lastReport = Date.now();
      for (const v of viewers) {
        if (done.has(v)) continue;
        const verdict = judge(await v.evaluate(() => window.demo.stats()), producers);
        if (verdict.ok) {
          done.set(v, verdict);
          log(`${v.name}: media ok after ${Date.now() - started} ms: ${verdict.text}`);
        } else if (report) {
          log(`${v.name}: waiting: ${verdict.text}; recv transport ${await v.evaluate(() => window.demo.state.recvTransportState)}`);
        }
      }
      for (const p of [pub, ...viewers]) {
        const errors = await p.evaluate((n) => window.demo.state.errors.slice(n), p.errorsSeen);
        if (errors.length) throw new Error(`${p.name}: the app reported: ${errors.join(' | ')}`);
      }
      if (done.size < viewers.length && Date.now() - started > TIMEOUT_MS) {
        const lines = [];
        for (const v of viewers.filter((x) => !done.has(x))) {
          const st = await v.evaluate(() => window.demo.state);
          const stats = await v.evaluate(() => window.demo.stats());
          const consumers = st.consumers.map((c) => `${c.kind} ${c.consumerId} ${c.resumedAt === null ? 'not resumed' : 'resumed'}`).join(', ');
          lines.push(`${v.name}: ${judge(stats, producers).text}; recv transport ${st.recvTransportState}; room events ${st.events}; ` +
            `consumers [${consumers}]; log tail: ${st.log.slice(-6).join(' | ')}`);
        }
        const pubState = await pub.evaluate(() => window.demo.state.sendTransportState);
        throw new Error(`media not flowing after ${TIMEOUT_MS} ms (publisher send transport ${pubState}; need video framesDecoded >= ${MIN_FRAMES}, ` +
          `frameWidth > 0, audio packetsReceived >= ${MIN_AUDIO_PACKETS}):\n  ${lines.join('\n  ')}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    for (const [i, v] of viewers.entries()) {
      const { video, audio } = done.get(v);
      const via = await checkAnnounced(v, { [producers.audio]: 'list', [producers.video]: 'event' });
      const px = await checkPixels(v, producers.video);
      console.log(`viewer=${i + 1} first_frame_ms=${video.firstFrameMs} audio_first_packet_ms=${audio.firstFrameMs} frames=${video.framesDecoded} ` +
        `width=${video.frameWidth} audio_via=${via.audio} video_via=${via.video} luma_mean=${px.mean} luma_stddev=${px.stddev} changed_pct=${px.changedPct}`);
      result.viewers.push({ name: v.name, firstFrameMs: video.firstFrameMs, audioFirstPacketMs: audio.firstFrameMs, framesDecoded: video.framesDecoded,
        frameWidth: video.frameWidth, frameHeight: video.frameHeight, audioPacketsReceived: audio.packetsReceived, via, pixels: px });
    }
    if (process.env.REPORT_RATE !== '0') await reportPublisherRate(pub, publishedAt);
    const shot = path.join(ARTIFACTS_DIR, SCREENSHOT);
    await viewers[0].screenshot({ path: shot, fullPage: true });
    log(`screenshot ${shot}`);

    if (process.env.PAUSE_CHECK !== '0') {
      const pr = await checkPauseResume(pub, viewers, producers.video);
      result.pauseResume = pr;
      for (const x of pr.viewers) {
        console.log(`${x.viewer} pause: frames_while_paused=${x.pausedFrames} (paused event after ${pr.eventMs} ms); ` +
          `resume: first_new_frame_ms=${x.resumeFirstFrameMs} 15_frames_ms=${x.resumeOkMs}`);
      }
    }

    if (process.env.SKIP_CLEANUP_CHECKS !== '1') {
      const before = problems.length;
      await cleanup(pub, viewers, roomId);
      // The refused delete is provoked on purpose; Chromium logs its 409 as a console error.
      problems.splice(before, problems.length - before, ...problems.slice(before).map((p) => `${p} (expected: provoked 409)`));
    }
  } catch (err) {
    failure = err;
    for (const p of pages) {
      const file = path.join(ARTIFACTS_DIR, `${p.name}-failure.png`);
      await p.screenshot({ path: file, fullPage: true }).then(() => log(`screenshot ${file}`), () => undefined);
    }
  } finally {
    if (problems.length) {
      console.log(`console errors and failed requests (${problems.length}):`);
      for (const p of problems) console.log(`  ${p}`);
    } else {
      console.log('console errors: none');
    }
    await browser.close().catch(() => undefined);
  }
  if (failure && API_URL && /network_error/.test(failure.message)) {
    failure.message += `\n  hint: with API_URL the page calls ${API_URL} cross-origin, which needs CORS on the master; ` +
      'without API_URL the page uses the demo server\'s same-origin /api proxy';
  }
  await writeResult(result, failure);
}

// cleanup checks the other half of the lifecycle: delete is refused (409) while peers remain, the message shows,
// and once everyone has left the room can be deleted.
async function cleanup(pub, viewers, roomId) {
  const refused = await viewers[0].evaluate((id) => window.demo.deleteRoom(id).then(() => 'deleted', (e) => e.message), roomId);
  if (!/room_not_empty/.test(refused)) throw new Error(`delete of an occupied room: expected 409 room_not_empty, got: ${refused}`);
  const shown = await viewers[0].locator('#errors').innerText();
  if (!shown.includes('room_not_empty')) throw new Error(`the 409 is not shown on the page: ${shown}`);
  log(`delete while occupied refused: ${refused}`);
  for (const p of [...viewers, pub]) {
    await p.evaluate(() => window.demo.leave());
    log(`${p.name}: left`);
  }
  await pub.evaluate((id) => window.demo.deleteRoom(id), roomId);
  log(`room ${roomId} deleted`);
}

runMain(main);
