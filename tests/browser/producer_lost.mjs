// The rooms demo re-publishes on its own when the room's producer slave dies: a page publishes camera and
// microphone into ROOM_ID (whose router is on the producer slave process VICTIM_PID), another page watches; the
// script SIGKILLs the process, then waits for the publishing page to publish again (new producer ids, same room,
// no reload) and for the viewing page, on the receive transport it has, to decode a frame of the new camera.
// Exit 0 on success, 1 with the reason otherwise.
//
//   DEMO_URL=https://127.0.0.1:4430/ ROOM_ID=... VICTIM_PID=... node producer_lost.mjs
import { demoReady, launch, openPage, runMain, waitFor, writeResult } from './lib.mjs';

const DEMO_URL = process.env.DEMO_URL;
const ROOM_ID = process.env.ROOM_ID;
const VICTIM_PID = Number(process.env.VICTIM_PID);
const STEP_MS = 30000;

function log(line) {
  console.log(`${new Date().toISOString().slice(11, 23)} ${line}`);
}

async function join(browser, name, problems) {
  const page = await openPage(browser, name, problems);
  const url = new URL(DEMO_URL);
  url.searchParams.set('room', ROOM_ID);
  await page.goto(url.toString(), { waitUntil: 'load' });
  await demoReady(page);
  await waitFor(page, 'join', () => window.demo.state.joined && window.demo.state.events === 'sse', null, STEP_MS);
  return page;
}

const frameOf = (id) => window.demo.state.consumers.find((c) => c.producerId === id && c.firstFrameAt) ?? null;

async function main() {
  if (!DEMO_URL || !ROOM_ID || !VICTIM_PID) throw new Error('set DEMO_URL, ROOM_ID and VICTIM_PID');
  const problems = [];
  const browser = await launch();
  const result = { ok: false };
  let failure = null;
  try {
    const pub = await join(browser, 'publisher', problems);
    await pub.evaluate(() => window.demo.publish());
    result.oldVideo = await waitFor(pub, 'publish camera + mic',
      () => (window.demo.state.producers.audio && window.demo.state.producers.video ? window.demo.state.producers.video : null), null, STEP_MS);
    const viewer = await join(browser, 'viewer', problems);
    await waitFor(viewer, 'first frame of the camera', frameOf, result.oldVideo, STEP_MS);
    log(`viewer sees ${result.oldVideo}; killing the producer slave ${VICTIM_PID}`);

    process.kill(VICTIM_PID, 'SIGKILL');
    const killed = Date.now();
    result.newVideo = await waitFor(pub, 'publish again on producer_slave_lost',
      (old) => { const v = window.demo.state.producers.video; return v && v !== old ? v : null; }, result.oldVideo, STEP_MS);
    result.republishedMs = Date.now() - killed;
    log(`publisher: new camera ${result.newVideo} ${result.republishedMs} ms after the kill`);
    await waitFor(viewer, 'first frame of the new camera', frameOf, result.newVideo, STEP_MS);
    result.viewerFrameMs = Date.now() - killed;
    log(`viewer: new camera's first frame ${result.viewerFrameMs} ms after the kill`);
    const unexpected = problems.filter((p) => !/producer slave|transport|ICE|DTLS|closed|failed|502|503|404/i.test(p));
    if (unexpected.length > 0) throw new Error(`problems: ${unexpected.join(' | ')}`);
    result.ok = true;
  } catch (err) {
    failure = err;
  } finally {
    await browser.close();
  }
  await writeResult(result, failure);
}

runMain(main);
