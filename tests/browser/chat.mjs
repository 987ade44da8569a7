// The room chat on data channels through the rooms demo (unchanged mediasoup-client 3.24.1 in Chromium): a
// publisher page creates a room and starts its chat (its data producer, on a producer peer of its own); two viewer
// pages join by link and read it through their consumer router, across the pipe. The publisher sends a text message
// and then a 64 KiB binary one: both viewers must get both, in that order, intact. Then a viewer answers: it starts
// a chat data producer of its own (a second producer peer, on the room's router) and the publisher, which reads
// the room's writers through its own consumer router, must get the reply. Prints each delivery's latency.
// Exit 0 on success, 1 with the reason otherwise.
//
//   DEMO_URL=https://127.0.0.1:4430/ node chat.mjs
// Other env: RESULT_FILE (JSON of what was measured), CHROMIUM_PATH, HEADFUL=1.
import { demoReady, launch, openPage, runMain, waitFor, writeResult } from './lib.mjs';

const DEMO_URL = process.env.DEMO_URL;
const STEP_MS = 30000;
const BINARY_BYTES = 64 * 1024;

function log(line) {
  console.log(`${new Date().toISOString().slice(11, 23)} ${line}`);
}

function pageUrl(params = {}) {
  const url = new URL(DEMO_URL);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

// readerOpen waits until page reads the data producer id on an open data channel.
function readerOpen(page, what, dataProducerId) {
  return waitFor(page, what, (id) => window.demo.chat.readers().some((r) => r.dataProducerId === id && r.open), dataProducerId, STEP_MS);
}

// received waits until page has n messages from `from` and returns them.
function received(page, what, from, n) {
  return waitFor(page, what, ([f, count]) => {
    const got = window.demo.state.chat.messages.filter((m) => m.from === f && !m.own);
    return got.length >= count ? got : null;
  }, [from, n], STEP_MS);
}

async function main() {
  if (!DEMO_URL) throw new Error('set DEMO_URL to the demo app, e.g. DEMO_URL=https://127.0.0.1:4430/');
  const problems = [];
  const browser = await launch();
  const result = { ok: false, viewers: [] };
  let failure = null;
  try {
    const pub = await openPage(browser, 'publisher', problems);
    await pub.goto(pageUrl({ user: 'publisher' }), { waitUntil: 'load' });
    await demoReady(pub);
    await pub.evaluate(() => window.demo.createRoom());
    const roomId = await waitFor(pub, 'create room', () => window.demo.state.joined && window.demo.state.roomId, null, STEP_MS);
    const pubData = await pub.evaluate(() => window.demo.chat.start());
    result.roomId = roomId;
    result.publisherDataProducerId = pubData;
    log(`publisher: room ${roomId}, chat data producer ${pubData}`);

    const viewers = [];
    for (const name of ['viewer-1', 'viewer-2']) {
      const page = await openPage(browser, name, problems);
      await page.goto(pageUrl({ room: roomId, user: name }), { waitUntil: 'load' });
      await demoReady(page);
      await waitFor(page, 'join', () => window.demo.state.joined, null, STEP_MS);
      await readerOpen(page, "read the publisher's chat", pubData);
      log(`${name}: reading the publisher's chat`);
      viewers.push({ name, page });
    }

    await pub.evaluate(() => window.demo.chat.sendText('hello from the publisher'));
    await pub.evaluate((n) => window.demo.chat.sendBinary(n), BINARY_BYTES);
    for (const v of viewers) {
      const msgs = await received(v.page, 'the text and the binary message', 'publisher', 2);
      const [text, bin] = msgs;
      if (msgs.length !== 2) throw new Error(`${v.name}: ${msgs.length} messages, want 2`);
      if (text.kind !== 'text' || text.text !== 'hello from the publisher') throw new Error(`${v.name}: first message ${JSON.stringify(text)}`);
      if (bin.kind !== 'binary' || bin.bytes !== BINARY_BYTES || bin.text !== '') throw new Error(`${v.name}: second message ${JSON.stringify({ ...bin })}`);
      result.viewers.push({ name: v.name, textLatencyMs: text.latencyMs, binaryLatencyMs: bin.latencyMs });
      log(`${v.name}: text in ${text.latencyMs} ms, ${BINARY_BYTES} bytes binary in ${bin.latencyMs} ms`);
    }

    // The reply: the viewer writes on a data producer of its own; the publisher reads it through the pipe.
    const [v1] = viewers;
    const replyData = await v1.page.evaluate(() => window.demo.chat.start());
    result.replyDataProducerId = replyData;
    await readerOpen(pub, "read viewer-1's chat", replyData);
    await v1.page.evaluate(() => window.demo.chat.sendText('reply from viewer-1'));
    const [reply] = await received(pub, 'the reply', 'viewer-1', 1);
    if (reply.text !== 'reply from viewer-1') throw new Error(`publisher: reply ${JSON.stringify(reply)}`);
    result.replyLatencyMs = reply.latencyMs;
    log(`publisher: reply in ${reply.latencyMs} ms`);
    const others = await viewers[1].page.evaluate(() => window.demo.state.chat.messages.filter((m) => m.from === 'viewer-1').length);
    result.viewer2GotReply = others;
    if (problems.length > 0) throw new Error(`problems: ${problems.join(' | ')}`);
  } catch (err) {
    failure = err;
  } finally {
    await browser.close();
  }
  await writeResult(result, failure);
}

runMain(main);
