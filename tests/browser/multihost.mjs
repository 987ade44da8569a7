// The multi-host deployment of docs/OPERATIONS.md in real browsers (issue 22; the Go test multihost_test.go builds
// the hosts). A publisher (Chromium in its own namespace) creates a room through the load balancer and publishes
// camera + mic; a viewer (Chromium in another namespace) joins and must decode >= 30 frames through the pipe
// between the slaves. Then the script prints STOP_MASTER and waits for CONTINUE_FILE: meanwhile the Go test kills
// one master. The first viewer must keep decoding (>= 30 more frames), and a second viewer (a new page, another
// user) must join through the remaining master and decode >= 30 frames. Prints `multihost <viewer>
// first_frame_ms=<n>` (consume call -> first decoded frame) per viewer.
//
//   DEMO_URL=... PUBLISHER_CHROMIUM=... VIEWER_CHROMIUM=... CONTINUE_FILE=... RESULT_FILE=... node multihost.mjs
// Other env: ARTIFACTS_DIR (default ./artifacts), TIMEOUT_MS (media wait, default 60000).
import { access, mkdir, writeFile } from 'node:fs/promises';
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

// decoded is the viewer's stats of one producer once it decoded at least min frames.
async function decoded(page, what, producerId, min, timeoutMs) {
  return waitFor(page, what, async (args) => {
    const s = (await window.demo.stats()).find((x) => x.producerId === args.id);
    return s && s.framesDecoded >= args.min && s.frameWidth > 0 ? s : null;
  }, { id: producerId, min }, timeoutMs);
}

// joinAndDecode opens a viewer page on the room and waits for its first MIN_FRAMES frames.
async function joinAndDecode(browser, name, roomId, producers, problems, pages) {
  const page = await openPage(browser, name, problems);
  pages.push(page);
  const url = new URL(DEMO_URL);
  url.searchParams.set('room', roomId);
  await page.goto(url.toString(), { waitUntil: 'load' });
  await demoReady(page);
  await waitFor(page, 'join room', (id) => window.demo.state.joined && window.demo.state.roomId === id, roomId, STEP_MS);
  const video = await decoded(page, `decode ${MIN_FRAMES} frames through the pipe`, producers.video, MIN_FRAMES, TIMEOUT_MS);
  log(`${name}: ${video.framesDecoded} frames ${video.frameWidth}x${video.frameHeight}, first frame after ${video.firstFrameMs} ms`);
  console.log(`multihost ${name} first_frame_ms=${video.firstFrameMs}`);
  return { page, video };
}

async function waitForFile(file, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await access(file);
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`the test did not stop the master within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function main() {
  for (const name of ['DEMO_URL', 'PUBLISHER_CHROMIUM', 'VIEWER_CHROMIUM', 'CONTINUE_FILE']) {
    if (!process.env[name]) throw new Error(`${name} is required`);
  }
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  const result = { ok: false, error: null, viewers: [] };
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
    result.roomId = roomId;
    result.videoProducerId = producers.video;

    const first = await joinAndDecode(viewBrowser, 'viewer1', roomId, producers, problems, pages);
    result.viewers.push({ name: 'viewer1', firstFrameMs: first.video.firstFrameMs, framesDecoded: first.video.framesDecoded });

    // One master goes away. The page's event stream through it breaks (the app may say so): that is expected,
    // the media must not care.
    console.log('STOP_MASTER');
    await waitForFile(process.env.CONTINUE_FILE, STEP_MS * 3);
    for (const p of pages) p.errorsSeen = await p.evaluate(() => window.demo.state.errors.length);
    const before = (await first.page.evaluate(async (id) => (await window.demo.stats()).find((x) => x.producerId === id), producers.video)).framesDecoded;
    const stoppedAt = Date.now();
    const after = await waitFor(first.page, 'keep decoding after a master stopped', async (args) => {
      const s = (await window.demo.stats()).find((x) => x.producerId === args.id);
      return s && s.framesDecoded >= args.min ? s : null;
    }, { id: producers.video, min: before + MIN_FRAMES }, STEP_MS).catch(async (err) => {
      // Errors the app reports about the lost event stream are not the media's: poll frames only.
      if (!String(err.message).includes('the app reported')) throw err;
      const deadline = Date.now() + STEP_MS;
      for (;;) {
        const s = await first.page.evaluate(async (id) => (await window.demo.stats()).find((x) => x.producerId === id), producers.video);
        if (s && s.framesDecoded >= before + MIN_FRAMES) return s;
        if (Date.now() > deadline) throw new Error(`viewer1 stopped decoding after the master stopped (${s?.framesDecoded} frames)`);
        await new Promise((r) => setTimeout(r, 200));
      }
    });
    result.afterStop = { framesBefore: before, framesAfter: after.framesDecoded, ms: Date.now() - stoppedAt };
    log(`viewer1: frames ${before} -> ${after.framesDecoded} in ${result.afterStop.ms} ms after the master stopped`);
    console.log(`multihost after_master_stop frames_before=${before} frames_after=${after.framesDecoded}`);

    const second = await joinAndDecode(viewBrowser, 'viewer2', roomId, producers, problems, pages);
    result.viewers.push({ name: 'viewer2', firstFrameMs: second.video.firstFrameMs, framesDecoded: second.video.framesDecoded });
    await second.page.screenshot({ path: path.join(ARTIFACTS_DIR, 'multihost-viewer2.png') });
    result.ok = true;
  } catch (err) {
    result.error = String(err?.message ?? err);
    await reportFailure(result.error, pages, problems, ARTIFACTS_DIR, 'multihost');
  } finally {
    for (const b of browsers) await b.close().catch(() => undefined);
  }
  if (process.env.RESULT_FILE) await writeFile(process.env.RESULT_FILE, JSON.stringify(result, null, 2));
  process.exit(result.ok ? 0 : 1);
}

await main();
