// Active speaker and volumes end to end through the rooms demo (unchanged mediasoup-client in Chromium): two pages
// publish a microphone each into one room, one a 440 Hz tone and one silence (WebAudio oscillators in place of
// Chromium's fake microphone, whose beep is on and off), and a viewer page follows the room's event stream. The
// viewer must be told that the tone's producer is the active speaker within 2 s of its publication, get volumes
// that list the tone above the silent one, highlight the tone's tile, and show the tile's server stats on demand.
// Exit 0 on success, 1 with the reason otherwise.
//
//   DEMO_URL=https://127.0.0.1:4430/ node speaker.mjs
// Other env: RESULT_FILE (JSON of what was measured), CHROMIUM_PATH, HEADFUL=1.
import { demoReady, launch, openPage, runMain, waitFor, writeResult } from './lib.mjs';

const DEMO_URL = process.env.DEMO_URL;
const STEP_MS = 20000;
const SPEAKER_WITHIN_MS = 2000;

function log(line) {
  console.log(`${new Date().toISOString().slice(11, 23)} ${line}`);
}

function pageUrl(params = {}) {
  const url = new URL(DEMO_URL);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

// fakeMicrophone makes getUserMedia({audio}) answer a WebAudio oscillator at the given gain (0: digital silence).
function fakeMicrophone(gain) {
  return `(() => {
    const real = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = async (c) => {
      if (!c || !c.audio || c.video) return real(c);
      const ctx = new AudioContext();
      const osc = ctx.createOscillator();
      osc.frequency.value = 440;
      const g = ctx.createGain();
      g.gain.value = ${gain};
      const dst = ctx.createMediaStreamDestination();
      osc.connect(g).connect(dst);
      osc.start();
      await ctx.resume();
      window.fakeMicrophone = { ctx, osc };
      return dst.stream;
    };
  })();`;
}

async function publisher(browser, name, gain, problems, roomId) {
  const page = await openPage(browser, name, problems);
  await page.addInitScript(fakeMicrophone(gain));
  await page.goto(roomId ? pageUrl({ room: roomId }) : pageUrl(), { waitUntil: 'load' });
  await demoReady(page);
  if (!roomId) {
    await page.evaluate(() => window.demo.createRoom());
    roomId = await waitFor(page, 'create room', () => window.demo.state.joined && window.demo.state.roomId, null, STEP_MS);
  } else {
    await waitFor(page, 'join', () => window.demo.state.joined, null, STEP_MS);
  }
  await page.evaluate(() => window.demo.publish(['audio']));
  const producerId = await waitFor(page, 'publish the microphone', () => window.demo.state.producers.audio, null, STEP_MS);
  return { page, roomId, producerId, publishedAt: Date.now() };
}

async function main() {
  if (!DEMO_URL) throw new Error('set DEMO_URL to the demo app, e.g. DEMO_URL=https://127.0.0.1:4430/');
  const problems = [];
  const browser = await launch();
  const result = { ok: false };
  let failure = null;
  try {
    const silent = await publisher(browser, 'silent', 0, problems, null);
    log(`silent microphone: room ${silent.roomId}, producer ${silent.producerId}`);
    const viewer = await openPage(browser, 'viewer', problems);
    await viewer.goto(pageUrl({ room: silent.roomId }), { waitUntil: 'load' });
    await demoReady(viewer);
    await waitFor(viewer, 'room events', () => window.demo.state.events === 'sse', null, STEP_MS);
    const tone = await publisher(browser, 'tone', 0.5, problems, silent.roomId);
    log(`tone: producer ${tone.producerId}`);
    result.toneProducerId = tone.producerId;
    result.silentProducerId = silent.producerId;

    const event = await waitFor(viewer, 'active_speaker names the tone',
      (id) => window.demo.state.speakerEvents.find((e) => e.producerId === id) ?? null, tone.producerId, STEP_MS);
    result.speakerMs = event.at - tone.publishedAt;
    result.speakerEvents = await viewer.evaluate(() => window.demo.state.speakerEvents.map((e) => e.producerId));
    log(`viewer: active_speaker ${event.producerId} ${result.speakerMs} ms after the tone was published`);

    result.volumes = await waitFor(viewer, 'volumes list the tone',
      (id) => {
        const v = window.demo.state.volumes;
        return v.length > 0 && v[0].producerId === id ? v : null;
      }, tone.producerId, STEP_MS);
    log(`viewer: volumes ${JSON.stringify(result.volumes)}`);

    result.highlighted = await waitFor(viewer, 'the tone tile is highlighted', (id) => {
      const t = document.querySelector(`[data-tile="${CSS.escape(id)}"]`);
      return t && t.classList.contains('speaking') ? [...document.querySelectorAll('.tile.speaking')].map((e) => e.dataset.tile) : null;
    }, tone.producerId, STEP_MS);

    await viewer.click(`[data-tile="${tone.producerId}"] .stats-button`);
    result.statsText = await waitFor(viewer, 'the tile shows its server stats', (id) => {
      const text = document.querySelector(`[data-tile="${CSS.escape(id)}"] .server-stats`)?.textContent ?? '';
      return text.includes('score') ? text : null;
    }, tone.producerId, STEP_MS);
    log(`viewer: tone tile stats: ${result.statsText}`);

    if (result.speakerMs > SPEAKER_WITHIN_MS) throw new Error(`active_speaker came ${result.speakerMs} ms after the tone, want ≤ ${SPEAKER_WITHIN_MS}`);
    if (result.speakerEvents.includes(silent.producerId)) throw new Error('the silent microphone was named active speaker');
    const silentVolume = result.volumes.find((v) => v.producerId === silent.producerId);
    if (silentVolume && silentVolume.volume >= result.volumes[0].volume) throw new Error(`silence is as loud as the tone: ${JSON.stringify(result.volumes)}`);
    if (problems.length > 0) throw new Error(`problems: ${problems.join(' | ')}`);
  } catch (err) {
    failure = err;
  } finally {
    await browser.close();
  }
  await writeResult(result, failure);
}

runMain(main);
