// Self-test of the demo app and this harness without a cluster: serves examples/rooms/dist with a mock API
// (mock_cluster.mjs) and drives the real bundle (mediasoup-client 3.24.1) in headless Chromium through every flow
// whose signalling can be checked without media: create, publish (device.load with the router capabilities of
// testdata/, send transport, connect, produce), join by link and by id, consume, live events, pause, 409 on
// delete, polling fallback, leave, delete; simulcast: the camera's three encodings, the layer picker of a simulcast
// consumer (POST /consumers/:id/preferred_layers), the checkbox that turns it off, and one encoding on a router
// without RID. ICE never connects (the candidates are fake), so no frame is decoded.
//   node selftest.mjs        (needs examples/rooms/dist: cd examples/rooms && npm ci && npm run build)
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { acceptErrors, demoReady, launch, openPage, waitFor } from './lib.mjs';
import { MockCluster } from './mock_cluster.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const fixture = JSON.parse(await readFile(path.join(repo, 'testdata/mediasoup-client-3.24.1-chromium-156.json'), 'utf8'));
const mock = new MockCluster({ distDir: path.join(repo, 'examples/rooms/dist'), routerCaps: fixture.recvRtpCapabilities });
const base = await mock.listen();
const problems = [];
const browser = await launch();
let passed = 0;

function ok(what) {
  passed++;
  console.log(`ok ${passed} - ${what}`);
}

const T = 10000;
// Chromium logs every non-2xx fetch as a console error; the ones this test provokes on purpose are expected.
const expected = [/status of 409/, /status of 404/, /status of 400/, /request failed: GET .*\/events/];

try {
  // 1. The page loads clean and exposes the hook.
  const pub = await openPage(browser, 'publisher', problems);
  await pub.goto(base, { waitUntil: 'load' });
  await demoReady(pub);
  assert.equal(await pub.evaluate(() => window.demo.version), '3.24.1');
  assert.equal(await pub.evaluate(() => window.demo.state.apiBase), '/api');
  await pub.waitForTimeout(300);
  assert.deepEqual(problems, [], 'no console errors on load');
  ok(`page loads without console errors; window.demo present; mediasoup-client ${await pub.evaluate(() => window.demo.version)}`);

  // 2. Create a room: device.load with the fixture's capabilities as router capabilities.
  await pub.click('#create-room');
  const roomId = await waitFor(pub, 'create room', () => window.demo.state.joined && window.demo.state.roomId, null, T);
  const loaded = await pub.evaluate(() => window.demo.state.log.find((l) => l.includes('device loaded')));
  assert.match(loaded, /device loaded \(Chrome111\); can send audio=true video=true/);
  await waitFor(pub, 'event stream open', () => window.demo.state.events === 'sse', null, T);
  assert.match(await pub.locator('#share-link').innerText(), new RegExp(`\\?room=${roomId}$`));
  ok(`create room ${roomId}: ${loaded.slice(13)}; SSE open; share link shown`);

  // 3. Publish: send transport from fake ICE/DTLS, connect and produce bodies as the API wants them.
  await pub.click('#publish');
  const producers = await waitFor(pub, 'publish', () => (window.demo.state.producers.audio && window.demo.state.producers.video ? window.demo.state.producers : null), null, T);
  const [peerCall] = mock.calls('POST', /\/producer_peers$/);
  assert.match(peerCall.body.userId, /^user-[0-9a-f]{8}$/);
  const connects = mock.calls('POST', /^\/producer_peers\/[^/]+\/connect$/);
  assert.equal(connects.length, 1);
  assert.ok(['client', 'server'].includes(connects[0].body.dtlsParameters.role));
  assert.equal(connects[0].body.dtlsParameters.fingerprints[0].algorithm, 'sha-256');
  const produces = mock.calls('POST', /^\/producer_peers\/[^/]+\/produce$/);
  assert.deepEqual(produces.map((c) => c.body.kind), ['audio', 'video']);
  assert.equal(produces[0].body.rtpParameters.codecs[0].mimeType.toLowerCase(), 'audio/opus');
  assert.equal(produces[1].body.rtpParameters.codecs[0].mimeType, 'video/VP8');
  const sent = produces[1].body.rtpParameters.encodings;
  assert.deepEqual(sent.map((e) => [e.rid, e.maxBitrate, e.scalabilityMode]),
    [['r0', 150000, 'L1T3'], ['r1', 500000, 'L1T3'], ['r2', 1500000, 'L1T3']], `simulcast encodings: ${JSON.stringify(sent)}`);
  assert.deepEqual(sent.map((e) => e.scaleResolutionDownBy ?? 1), [4, 2, 1]);
  assert.equal(await pub.evaluate(() => window.demo.state.videoEncodings), 3);
  assert.equal(await pub.locator('#simulcast').isDisabled(), true, 'the simulcast box is fixed once the camera is out');
  assert.deepEqual(produces.map((c) => c.body.appData.source), ['mic', 'camera']);
  assert.equal(await pub.locator('[data-tile="local"] video').count(), 1);
  const sendStats = await pub.evaluate(() => window.demo.publisherStats());
  assert.ok(sendStats && ['videoBytesSent', 'targetBitrate', 'availableOutgoingBitrate', 'qualityLimitationReason'].every((k) => k in sendStats),
    `publisherStats: ${JSON.stringify(sendStats)}`);
  ok(`publish: camera as 3 RID encodings (${sent.map((e) => `${e.rid} /${e.scaleResolutionDownBy ?? 1} ${e.maxBitrate / 1000}k ${e.scalabilityMode}`).join(', ')})`);
  ok(`publish: producer peer, 1 connect (dtls role ${connects[0].body.dtlsParameters.role}), produce audio ${producers.audio} + video ${producers.video} (${produces[1].body.rtpParameters.codecs.map((c) => c.mimeType).join(',')})`);

  // 4. Viewer 1 joins by link and consumes both producers.
  const v1 = await openPage(browser, 'viewer1', problems);
  await v1.goto(`${base}?room=${roomId}`, { waitUntil: 'load' });
  await demoReady(v1);
  await waitFor(v1, 'consume both', () => window.demo.state.consumerIds.length === 2, null, T);
  const v1user = await v1.evaluate(() => window.demo.state.userId);
  assert.deepEqual(mock.calls('POST', /\/consumer_routers$/).map((c) => c.body.userId), [v1user]);
  assert.equal(mock.calls('POST', /^\/consumer_peers\/[^/]+\/connect$/).length, 1);
  const consumes = mock.calls('POST', /^\/consumer_peers\/[^/]+\/consume$/);
  assert.deepEqual(new Set(consumes.map((c) => c.body.producerId)), new Set([producers.audio, producers.video]));
  assert.ok(consumes[0].body.rtpCapabilities.codecs.some((c) => c.mimeType === 'video/VP8' && c.preferredPayloadType === 101));
  await waitFor(v1, 'resume both', () => window.demo.state.consumers.every((c) => c.resumedAt !== null), null, T);
  assert.equal(mock.calls('POST', /^\/consumer_peers\/[^/]+\/resume$/).length, 2);
  assert.equal(await v1.locator('#tiles video').count(), 1);
  assert.equal(await v1.locator('#tiles audio').count(), 1);
  const st = await v1.evaluate(() => window.demo.stats());
  assert.deepEqual(st.map((s) => s.kind).sort(), ['audio', 'video']);
  assert.ok(st.every((s) => 'framesDecoded' in s && 'frameWidth' in s && 'packetsReceived' in s && 'firstFrameMs' in s));
  assert.deepEqual(await v1.evaluate(() => window.demo.state.consumers.map((c) => c.via)), ['list', 'list'], 'announced by the list fetched on open');
  assert.deepEqual(Object.fromEntries(st.map((s) => [s.kind, s.type])), { audio: 'simple', video: 'simulcast' });
  const videoTile = `[data-tile="${producers.video}"]`;
  assert.equal(await v1.locator(`${videoTile} .layer-picker`).count(), 1, 'the simulcast video tile has a layer picker');
  assert.equal(await v1.locator(`[data-tile="${producers.audio}"] .layer-picker`).count(), 0, 'no picker on audio');
  assert.deepEqual(await v1.locator(`${videoTile} .layer-picker option`).allInnerTexts(), ['low', 'medium', 'high']);
  assert.equal(await v1.locator(`${videoTile} .layer-picker`).inputValue(), '2', 'the default is the highest layer');
  await v1.locator(`${videoTile} .media-info`, { hasText: /no picture yet · \d+ kbit\/s/ }).waitFor({ timeout: T });
  await v1.locator(`[data-tile="${producers.audio}"] .media-info`, { hasText: /^\d+ kbit\/s$/ }).waitFor({ timeout: T });
  ok(`viewer1 joins by link: consumer router, consumer peer, 1 connect, 2 consume (device recvRtpCapabilities) + 2 resume, 2 tiles; stats() rows ${JSON.stringify(st[0])}`);

  // 5b. The polish of issue 22: one card per person (video and audio together), who is in the room and how many
  // watch, the room list with peer counts, the copy-link button, and disabled buttons that say why.
  const card = v1.locator('#tiles .person', { has: v1.locator(`[data-tile="${producers.video}"]`) });
  assert.equal(await card.count(), 1, 'one card per person');
  assert.equal(await card.locator(`[data-tile="${producers.audio}"]`).count(), 1, 'the audio is in the same card as the video');
  assert.equal(await v1.locator('#tiles .person').count(), 1, 'viewer1 sees one person (the publisher)');
  const pubUser = await pub.evaluate(() => window.demo.state.userId);
  await v1.locator('#people-list li', { hasText: `${pubUser} · publishing audio + video` }).waitFor({ timeout: T });
  await v1.locator('#people-list li', { hasText: 'watching' }).waitFor({ timeout: T });
  await v1.locator('#watching', { hasText: /^1 viewer receiving/ }).waitFor({ timeout: T });
  await pub.click('#refresh-rooms');
  await pub.locator(`#room-list tr[data-room="${roomId}"]`, { hasText: '1 publishing · 1 receiving' }).waitFor({ timeout: T });
  assert.match(await pub.locator(`#room-list tr[data-room="${roomId}"]`).innerText(), /just now/);
  assert.equal(await pub.locator(`#room-list tr[data-room="${roomId}"] .you`).count(), 1);
  assert.equal(await pub.locator('#copy-link').isVisible(), true, 'copy link shown once in a room');
  assert.equal(await pub.locator('#create-room').getAttribute('title'), `already in room ${roomId.slice(0, 8)}: leave it first`);
  assert.equal(await pub.locator('#publish').getAttribute('title'), 'already publishing camera and mic');
  const lobby = await openPage(browser, 'lobby', problems);
  await lobby.goto(base, { waitUntil: 'load' });
  await demoReady(lobby);
  assert.equal(await lobby.locator('#publish').getAttribute('title'), 'join or create a room first');
  assert.equal(await lobby.locator('#join').getAttribute('title'), 'type a room id, or pick a room in the list');
  assert.equal(await lobby.locator('#copy-link').isVisible(), false, 'no room link outside a room');
  assert.equal(await lobby.locator('#delete-room').getAttribute('title'), 'type the id of the room to delete');
  await lobby.locator(`#room-list tr[data-room="${roomId}"] button.join-room`).waitFor({ timeout: T });
  await lobby.close();
  ok('one card per person (video + audio); people list and viewer count; room list with counts and age; copy link; disabled buttons say why');

  // 4b. The layer picker: low through the page's select, medium through the hook; a refused layer is reported.
  const videoConsumer = st.find((s) => s.kind === 'video').consumerId;
  await v1.locator(`${videoTile} .layer-picker`).selectOption('0');
  await waitFor(v1, 'preferred layer low', (id) => window.demo.state.consumers.find((c) => c.producerId === id)?.preferredLayers?.spatialLayer === 0, producers.video, T);
  assert.deepEqual(mock.calls('POST', /^\/consumers\/[^/]+\/preferred_layers$/).map((c) => [c.path, c.body]),
    [[`/consumers/${videoConsumer}/preferred_layers`, { spatialLayer: 0 }]]);
  assert.deepEqual((await v1.evaluate((id) => window.demo.consumerInfo(id), videoConsumer)).preferredLayers, { spatialLayer: 0 });
  await v1.evaluate((id) => window.demo.setPreferredLayers(id, 1), producers.video);
  assert.equal(await v1.locator(`${videoTile} .layer-picker`).inputValue(), '1', 'the picker follows the hook');
  assert.deepEqual((await v1.evaluate(() => window.demo.stats())).find((s) => s.kind === 'video').preferredLayers, { spatialLayer: 1 });
  const refused = await v1.evaluate((id) => window.demo.setPreferredLayers(id, 3).then(() => 'accepted', (e) => e.message), producers.video);
  assert.match(refused, /POST \/consumers\/[^/]+\/preferred_layers failed: 400 invalid_input: .*spatialLayer must be in \[0, 2\]/);
  assert.equal(await v1.locator(`${videoTile} .layer-picker`).inputValue(), '1', 'a refused layer leaves the picker alone');
  await acceptErrors(v1);
  ok(`layer picker: low → POST /consumers/${videoConsumer}/preferred_layers {spatialLayer:0}; hook → medium; layer 3 refused: "${refused}"`);

  // 5. Live events: another user's producer appears, pauses, and goes.
  const foreign = mock.addForeignProducer(roomId, 'user-foreign', 'video');
  await waitFor(v1, 'consume the live producer', (id) => window.demo.state.consumers.some((c) => c.producerId === id && c.resumedAt), foreign, T);
  assert.equal(await v1.evaluate((id) => window.demo.state.consumers.find((c) => c.producerId === id).via, foreign), 'event');
  mock.emit(roomId, { type: 'producer_paused', producerId: foreign, kind: 'video' });
  await v1.locator(`[data-tile="${foreign}"] .badge`, { hasText: 'paused' }).waitFor({ timeout: T });
  const room = mock.rooms.get(roomId);
  room.peers.delete(room.producers.get(foreign).peerId);
  room.producers.delete(foreign);
  mock.emit(roomId, { type: 'producer_removed', producerId: foreign, kind: 'video' });
  await v1.locator(`[data-tile="${foreign}"]`).waitFor({ state: 'detached', timeout: T });
  assert.equal(await v1.evaluate(() => window.demo.state.consumerIds.length), 2);
  ok('live events: producer_added consumed, producer_paused badge shown, producer_removed closes the consumer and its tile');

  // 6. The publisher pauses and resumes its video; viewers see it through the events.
  await pub.click('#pause-video');
  await waitFor(pub, 'pause video', () => window.demo.state.paused.video, null, T);
  assert.equal(mock.calls('POST', /^\/producers\/[^/]+\/pause$/)[0].path, `/producers/${producers.video}/pause`);
  await v1.locator(`[data-tile="${producers.video}"] .badge`, { hasText: 'paused' }).waitFor({ timeout: T });
  await pub.click('#pause-video');
  await waitFor(pub, 'resume video', () => !window.demo.state.paused.video, null, T);
  await v1.waitForFunction((id) => document.querySelector(`[data-tile="${id}"] .badge`)?.textContent === '', producers.video, { timeout: T });
  ok('pause/resume own video: POST /producers/:id/pause|resume, badge follows on the viewer');

  // 7. Delete while occupied: the 409's message is shown.
  await v1.click('#delete-room');
  await v1.locator('#errors li', { hasText: 'room_not_empty' }).waitFor({ timeout: T });
  const shown = await v1.locator('#errors li').first().innerText();
  assert.match(shown, /409 room_not_empty: room .* still has \d+ peers .* must leave it first/);
  await acceptErrors(v1);
  ok(`delete while occupied shows: "${shown.replace(/\s*×$/, '')}"`);

  // 8. Viewer 2 joins by typing the id, against a master without the event stream: polling fallback.
  mock.sse = false;
  const v2 = await openPage(browser, 'viewer2', problems);
  await v2.goto(base, { waitUntil: 'load' });
  await demoReady(v2);
  await v2.fill('#room-id', roomId);
  await v2.click('#join');
  await waitFor(v2, 'consume both by polling', () => window.demo.state.events === 'polling' && window.demo.state.consumers.filter((c) => c.resumedAt).length === 2, null, T);
  mock.sse = true;
  ok('viewer2 joins by id; without an event stream it falls back to polling and consumes both');

  // 9. Leave (logout with the room id), then everyone leaves and the room is deleted.
  await pub.click('#leave');
  await waitFor(pub, 'leave', () => !window.demo.state.joined, null, T);
  const logout = mock.calls('POST', /^\/user\/[^/]+\/logout$/).at(-1);
  assert.deepEqual(logout.body, { roomId });
  await waitFor(v1, 'producers gone', () => window.demo.state.consumerIds.length === 0, null, T);
  await waitFor(v2, 'producers gone (polling)', () => window.demo.state.consumerIds.length === 0, null, 2 * T);
  assert.equal(await v1.locator('#tiles [data-tile]').count(), 0);
  assert.ok((await v1.locator('#errors li').count()) > 0, 'the 409 of step 9 is still shown');
  await v1.evaluate(() => window.demo.leave());
  assert.equal(await v1.locator('#errors li').count(), 0, 'the error banner clears on the next success');
  await v2.evaluate(() => window.demo.leave());
  await pub.evaluate((id) => window.demo.deleteRoom(id), roomId);
  assert.ok(!mock.rooms.has(roomId));
  ok('leave: logout {roomId}; viewers drop the producers (SSE and polling); the error banner clears; delete succeeds once empty');

  // 10. ?consume=room: the receive transport on the room's own router (POST /rooms/:id/consumer_transports); one
  // publisher sends audio first and adds video later on the same send transport.
  const room2 = await pub.evaluate(() => window.demo.createRoom());
  await pub.evaluate(() => window.demo.publish(['audio']));
  const v3 = await openPage(browser, 'viewer3', problems);
  await v3.goto(`${base}?consume=room&room=${room2}`, { waitUntil: 'load' });
  await demoReady(v3);
  await waitFor(v3, 'consume audio on the room router', () => window.demo.state.consumers.filter((c) => c.resumedAt).length === 1, null, T);
  assert.equal(await v3.evaluate(() => window.demo.state.consumeOn), 'room-router');
  assert.match(await v3.locator('#share-link').innerText(), /[?&]consume=room(&|$)/);
  const routerCalls = mock.calls('POST', /\/consumer_(routers|transports)$/).map((c) => c.path);
  assert.equal(routerCalls.at(-1), `/rooms/${room2}/consumer_transports`);
  assert.equal(await pub.evaluate(() => window.demo.state.producers.video), null);
  assert.equal(await pub.locator('#publish').isDisabled(), false, 'publish stays enabled while video is not sent');
  await pub.uncheck('#simulcast');
  await pub.click('#publish');
  await waitFor(v3, 'video announced live', () => window.demo.state.consumers.some((c) => c.kind === 'video' && c.via === 'event' && c.resumedAt), null, T);
  assert.equal(mock.calls('POST', /^\/producer_peers\/[^/]+\/produce$/).at(-1).body.rtpParameters.encodings.length, 1, 'simulcast box unticked: one encoding');
  assert.equal((await v3.evaluate(() => window.demo.stats())).find((s) => s.kind === 'video').type, 'simple');
  assert.equal(await v3.locator('.layer-picker').count(), 0, 'no layer picker on a simple consumer');
  assert.equal(mock.calls('POST', /^\/rooms\/[^/]+\/producer_peers$/).length, 2, 'one send transport per room publish');
  assert.equal(await pub.locator('#publish').isDisabled(), true);
  for (const p of [v3, pub]) await p.evaluate(() => window.demo.leave());
  await pub.evaluate((id) => window.demo.deleteRoom(id), room2);
  await pub.check('#simulcast');
  ok('?consume=room receives on the room router (consumer_transports); publish audio, then video (simulcast box unticked: one encoding, a simple consumer, no picker) on the same transport, announced live');

  // 10b. A router without the RID header extension (an older cluster): the camera goes out as one encoding.
  mock.rid = false;
  const room3 = await pub.evaluate(() => window.demo.createRoom());
  mock.rid = true;
  await pub.evaluate(() => window.demo.publish(['video']));
  assert.equal(mock.calls('POST', /^\/producer_peers\/[^/]+\/produce$/).at(-1).body.rtpParameters.encodings.length, 1);
  assert.ok(await pub.evaluate(() => window.demo.state.log.some((l) => l.includes('offers no RID header extension'))));
  await pub.evaluate(() => window.demo.leave());
  await pub.evaluate((id) => window.demo.deleteRoom(id), room3);
  ok('a router without RID: the camera is sent as one encoding, and the page says why');

  // 11. Errors from the API are shown with the server's message.
  const err = await v1.evaluate(() => window.demo.join('no-such-room').then(() => 'joined', (e) => e.message));
  assert.match(err, /GET \/rooms\/no-such-room failed: 404 room_not_found: room no-such-room not found/);
  assert.match(await v1.locator('#errors li').first().innerText(), /room_not_found/);
  ok(`unknown room: "${err}"`);

  const unexpected = problems.filter((p) => !expected.some((re) => re.test(p)) && !p.includes('[demo]'));
  assert.deepEqual(unexpected, [], 'no unexpected console errors');
  ok(`no unexpected console errors (${problems.length} expected ones from provoked 404/409)`);
  console.log(`PASS ${passed} checks`);
} catch (e) {
  console.error(`FAIL: ${e.stack || e.message}`);
  if (problems.length) console.error(`console:\n  ${problems.join('\n  ')}`);
  process.exitCode = 1;
} finally {
  await browser.close().catch(() => undefined);
  await mock.close();
}
