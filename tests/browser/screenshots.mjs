// Screenshots of the rooms demo against a running cluster (issue 22's "Must show"): a publisher with two viewers
// (the publisher's page: its card, the people list with the viewer count, the room list) and each viewer's page,
// then a fresh page's room list. Files in ARTIFACTS_DIR: demo-publisher.png, demo-viewer1.png, demo-viewer2.png,
// demo-rooms.png.
//   DEMO_URL=https://localhost:4430/ node screenshots.mjs
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRoomAndPublish, demoReady, launch, openPage, runMain, waitFor } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const DEMO_URL = process.env.DEMO_URL;
const ARTIFACTS_DIR = path.resolve(process.env.ARTIFACTS_DIR || path.join(here, 'artifacts'));
const T = 30000;

async function frames(page, id, min) {
  return waitFor(page, `decode ${min} frames`, async (args) => {
    const s = (await window.demo.stats()).find((x) => x.producerId === args.id);
    return s && s.framesDecoded >= args.min ? s : null;
  }, { id, min }, T);
}

async function main() {
  if (!DEMO_URL) throw new Error('DEMO_URL is required');
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  const problems = [];
  const browser = await launch();
  try {
    const pub = await openPage(browser, 'publisher', problems);
    await pub.goto(DEMO_URL, { waitUntil: 'load' });
    await demoReady(pub);
    const { roomId, producers } = await createRoomAndPublish(pub, T);
    const viewers = [];
    for (const name of ['viewer1', 'viewer2']) {
      const v = await openPage(browser, name, problems);
      const url = new URL(DEMO_URL);
      url.searchParams.set('room', roomId);
      await v.goto(url.toString(), { waitUntil: 'load' });
      await demoReady(v);
      await frames(v, producers.video, 30);
      viewers.push(v);
    }
    // A second room, so the list has more than one row.
    const other = await openPage(browser, 'other', problems);
    await other.goto(DEMO_URL, { waitUntil: 'load' });
    await demoReady(other);
    await other.click('#create-room');
    await waitFor(other, 'create room', () => window.demo.state.joined, null, T);

    await pub.click('#refresh-rooms');
    await pub.locator('#watching', { hasText: /^2 viewers/ }).waitFor({ timeout: T });
    await pub.locator(`#room-list tr[data-room="${roomId}"]`, { hasText: '2 receiving' }).waitFor({ timeout: T });
    await pub.screenshot({ path: path.join(ARTIFACTS_DIR, 'demo-publisher.png'), fullPage: true });
    for (const v of viewers) {
      await v.locator('#people-list li', { hasText: 'publishing audio + video' }).waitFor({ timeout: T });
      await v.locator('#watching', { hasText: /^2 viewers/ }).waitFor({ timeout: T });
      await v.screenshot({ path: path.join(ARTIFACTS_DIR, `demo-${v.name}.png`), fullPage: true });
    }
    const lobby = await openPage(browser, 'lobby', problems);
    await lobby.goto(DEMO_URL, { waitUntil: 'load' });
    await demoReady(lobby);
    await lobby.locator(`#room-list tr[data-room="${roomId}"]`, { hasText: '1 publishing · 2 receiving' }).waitFor({ timeout: T });
    await lobby.screenshot({ path: path.join(ARTIFACTS_DIR, 'demo-rooms.png'), fullPage: true });
    console.log(`screenshots in ${ARTIFACTS_DIR}: demo-publisher.png demo-viewer1.png demo-viewer2.png demo-rooms.png`);
    for (const p of [...viewers, other, pub]) await p.evaluate(() => window.demo.leave()).catch(() => undefined);
  } catch (err) {
    for (const ctx of browser.contexts()) {
      for (const p of ctx.pages()) {
        const st = await p.evaluate(() => window.demo?.state).catch(() => null);
        if (st) console.error(`${p.name}: send ${st.sendTransportState} recv ${st.recvTransportState}; log tail: ${st.log.slice(-10).join(' | ')}`);
      }
    }
    for (const line of problems) console.error(line);
    throw err;
  } finally {
    await browser.close();
  }
  if (problems.length > 0) throw new Error(`problems: ${problems.join(' | ')}`);
}

runMain(main);
