// ICE over TCP and ICE restart in real browsers (issue 17): a publisher and a viewer, each its own Chromium in its
// own network namespace whose UDP is dropped (the Go test makes them: tcp_netns_test.go). The unchanged
// mediasoup-client publishes camera + mic; the viewer consumes on the consumer slave, through the pipe; both must
// fall back to the slaves' passive TCP candidates. The viewer must decode >= 30 frames, and getStats() must show
// that both transports' selected candidate pairs are TCP. Prints `tcp first_frame_ms=<n>` (viewer's consume call
// to its first decoded frame). Then the viewer restarts ICE mid-call (POST /transports/:id/restart_ice, then
// transport.restartIce({iceParameters})) and must keep decoding: >= 30 more frames, still over TCP.
//
//   DEMO_URL=... PUBLISHER_CHROMIUM=... VIEWER_CHROMIUM=... RESULT_FILE=... node tcp.mjs
// Other env: ARTIFACTS_DIR (default ./artifacts), TIMEOUT_MS (media wait, default 60000).
import { writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRoomAndPublish, demoReady, launch, openPage, reportFailure, waitFor } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const DEMO_URL = process.env.DEMO_URL;
const ARTIFACTS_DIR = path.resolve(process.env.ARTIFACTS_DIR || path.join(here, 'artifacts'));
const TIMEOUT_MS = Number(process.env.TIMEOUT_MS || 60000);
const STEP_MS = 20000;
const MIN_FRAMES = 30;

const log = (line) => console.log(`${new Date().toISOString().slice(11, 23)} ${line}`);

// paths is the protocol of the selected candidate pair of the page's transports from getStats(), as the browser
// sees it (the demo's own media-path line reads the same).
async function paths(page) {
  return page.evaluate(() => window.demo.ice());
}

async function main() {
  if (!DEMO_URL || !process.env.PUBLISHER_CHROMIUM || !process.env.VIEWER_CHROMIUM) {
    throw new Error('DEMO_URL, PUBLISHER_CHROMIUM and VIEWER_CHROMIUM are required');
  }
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  const result = { ok: false, error: null };
  const problems = [];
  const browsers = [];
  const pages = [];
  try {
    const pubBrowser = await launch([], process.env.PUBLISHER_CHROMIUM);
    browsers.push(pubBrowser);
    const viewBrowser = await launch([], process.env.VIEWER_CHROMIUM);
    browsers.push(viewBrowser);

    const pub = await openPage(pubBrowser, 'publisher', problems);
    pages.push(pub);
    await pub.goto(DEMO_URL, { waitUntil: 'load' });
    await demoReady(pub);
    const { roomId, producers } = await createRoomAndPublish(pub, STEP_MS);
    log(`publisher: room ${roomId}, producing video ${producers.video}`);

    const viewer = await openPage(viewBrowser, 'viewer', problems);
    pages.push(viewer);
    const url = new URL(DEMO_URL);
    url.searchParams.set('room', roomId);
    await viewer.goto(url.toString(), { waitUntil: 'load' });
    await demoReady(viewer);
    await waitFor(viewer, 'join room', (id) => window.demo.state.joined && window.demo.state.roomId === id, roomId, STEP_MS);

    const started = Date.now();
    const video = await waitFor(viewer, `decode ${MIN_FRAMES} frames over TCP`, async (args) => {
      const s = (await window.demo.stats()).find((x) => x.producerId === args.id);
      return s && s.framesDecoded >= args.min && s.frameWidth > 0 ? s : null;
    }, { id: producers.video, min: MIN_FRAMES }, TIMEOUT_MS);
    log(`viewer: ${video.framesDecoded} frames ${video.frameWidth}x${video.frameHeight} after ${Date.now() - started} ms`);
    result.firstFrameMs = video.firstFrameMs;
    result.framesDecoded = video.framesDecoded;
    result.frameWidth = video.frameWidth;
    result.viewerPath = await paths(viewer);
    result.publisherPath = await paths(pub);
    log(`viewer: media path ${JSON.stringify(result.viewerPath)}, publisher: ${JSON.stringify(result.publisherPath)}`);
    if (result.viewerPath.recv !== 'tcp') throw new Error(`viewer's selected candidate pair is ${result.viewerPath.recv}, not tcp`);
    if (result.publisherPath.send !== 'tcp') throw new Error(`publisher's selected candidate pair is ${result.publisherPath.send}, not tcp`);
    console.log(`tcp first_frame_ms=${video.firstFrameMs}`);
    result.pathLine = await viewer.evaluate(() => document.getElementById('ice-path').textContent);

    // ICE restart mid-call: new credentials from the server, then transport.restartIce; decoding goes on.
    const before = video.framesDecoded;
    const restartAt = Date.now();
    await viewer.evaluate(() => window.demo.restartIce());
    const after = await waitFor(viewer, `decode ${MIN_FRAMES} more frames after restartIce()`, async (args) => {
      const s = (await window.demo.stats()).find((x) => x.producerId === args.id);
      return s && s.framesDecoded >= args.min ? s : null;
    }, { id: producers.video, min: before + MIN_FRAMES }, STEP_MS);
    result.restart = {
      framesBefore: before,
      framesAfter: after.framesDecoded,
      ms: Date.now() - restartAt,
      recvState: await viewer.evaluate(() => window.demo.state.recvTransportState),
      path: await paths(viewer),
    };
    log(`viewer: ICE restarted; frames ${before} -> ${after.framesDecoded} in ${result.restart.ms} ms, ` +
      `transport ${result.restart.recvState}, path ${JSON.stringify(result.restart.path)}`);
    if (result.restart.path.recv !== 'tcp') throw new Error(`after the restart the viewer's pair is ${result.restart.path.recv}`);
    console.log(`ice_restart frames_before=${before} frames_after=${after.framesDecoded} restart_to_30_frames_ms=${result.restart.ms}`);
    await viewer.screenshot({ path: path.join(ARTIFACTS_DIR, 'tcp-viewer.png') });
    for (const p of pages) await p.evaluate(() => window.demo.leave()).catch(() => undefined);
    result.ok = true;
  } catch (err) {
    result.error = String(err?.message ?? err);
    await reportFailure(result.error, pages, problems, ARTIFACTS_DIR, 'tcp');
  } finally {
    for (const b of browsers) await b.close().catch(() => undefined);
  }
  if (process.env.RESULT_FILE) await writeFile(process.env.RESULT_FILE, JSON.stringify(result, null, 2));
  process.exit(result.ok ? 0 : 1);
}

await main();
