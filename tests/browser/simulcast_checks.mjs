// Checks simulcast.mjs makes on viewer pages: frames decoded at a layer's width, what the server says a consumer
// sends (GET /consumers/:id), a timed live layer switch, the publisher's layers as the browser sends them, and the
// composite screenshot of the viewers' tiles.

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function appErrors(page) {
  const errors = await page.evaluate((n) => window.demo.state.errors.slice(n), page.errorsSeen);
  if (errors.length) throw new Error(`${page.name}: the app reported: ${errors.join(' | ')}`);
}

function describe(stats) {
  const video = stats.find((s) => s.kind === 'video');
  const audio = stats.find((s) => s.kind === 'audio');
  return `video ${video ? `${video.type} frames=${video.framesDecoded} ${video.frameWidth}x${video.frameHeight} packets=${video.packetsReceived} ` +
    `lost=${video.packetsLost} ${video.kbps} kbit/s current=${JSON.stringify(video.currentLayers)}` : 'none'}, audio ${audio ? `packets=${audio.packetsReceived}` : 'none'}`;
}

// waitForWidth waits until the viewer has decoded ≥ minFrames frames at the given width in a row (frames counted
// from the first one seen at that width; a frame at another width starts the count again) and ≥ minAudio audio
// packets. report(text) is called every 5 s while waiting; pubText() describes the publisher's layers on failure.
export async function waitForWidth(page, producers, width, minFrames, minAudio, timeoutMs, report, pubText) {
  const started = Date.now();
  let base = null;
  let lastReport = started;
  for (;;) {
    const stats = await page.evaluate(() => window.demo.stats());
    const video = stats.find((s) => s.producerId === producers.video);
    const audio = stats.find((s) => s.producerId === producers.audio);
    if (video?.frameWidth === width) base ??= video.framesDecoded;
    else base = null;
    const framesAtWidth = base === null ? 0 : video.framesDecoded - base;
    if (framesAtWidth >= minFrames && (audio?.packetsReceived ?? 0) >= minAudio) return { video, audio, framesAtWidth };
    await appErrors(page);
    if (Date.now() - lastReport >= 5000) {
      lastReport = Date.now();
      report(describe(stats));
    }
    if (Date.now() - started > timeoutMs) {
      throw new Error(`${page.name}: not ${minFrames} frames at width ${width} and ${minAudio} audio packets after ${timeoutMs} ms: ` +
        `${describe(stats)}; publisher sends ${(await pubText()).text}`);
    }
    await sleep(250);
  }
}

// layerState waits until the server says the consumer is simulcast and sends spatial layer `want`
// (GET /consumers/:id, currentLayers) and returns what it said.
export async function layerState(page, consumerId, want, timeoutMs) {
  const started = Date.now();
  for (;;) {
    const info = await page.evaluate((id) => window.demo.consumerInfo(id), consumerId);
    if (info.type !== 'simulcast') throw new Error(`${page.name}: GET /consumers/${consumerId} says type "${info.type}", want "simulcast"`);
    if (info.currentLayers?.spatialLayer === want) return info;
    if (Date.now() - started > timeoutMs) {
      throw new Error(`${page.name}: GET /consumers/${consumerId} still says ${JSON.stringify(info)} after ${timeoutMs} ms, want currentLayers.spatialLayer ${want}`);
    }
    await sleep(200);
  }
}

// switchLayer asks for another spatial layer through the page (POST /consumers/:id/preferred_layers) and times, in
// the page, the first decoded frame at the new width: ms from the call to that frame (getStats every 20 ms).
export async function switchLayer(page, producerId, layer, width, timeoutMs) {
  const r = await page.evaluate(async (a) => {
    const video = () => window.demo.stats().then((all) => all.find((s) => s.producerId === a.producerId));
    const t0 = performance.now();
    await window.demo.setPreferredLayers(a.producerId, a.layer);
    const apiMs = Math.round(performance.now() - t0);
    for (;;) {
      const s = await video();
      if (s.frameWidth === a.width) return { ms: Math.round(performance.now() - t0), apiMs, frameWidth: s.frameWidth, consumerId: s.consumerId };
      if (performance.now() - t0 > a.timeoutMs) return { error: `width still ${s.frameWidth} (frames ${s.framesDecoded}, current ${JSON.stringify(s.currentLayers)})` };
      await new Promise((res) => setTimeout(res, 20));
    }
  }, { producerId, layer, width, timeoutMs });
  if (r.error) throw new Error(`${page.name}: switch to layer ${layer} did not reach width ${width} within ${timeoutMs} ms: ${r.error}`);
  return r;
}

// sentTop is the highest spatial layer (0 = r0) the publisher's browser sends now (frames per second > 0), or -1.
export function sentTop(pubLayers) {
  let top = -1;
  pubLayers.layers.forEach((l, i) => { if ((l.framesPerSecond ?? 0) > 0) top = i; });
  return top;
}

// publisherLayers describes the camera's encodings as the publisher's browser sends them (outbound-rtp per rid).
export async function publisherLayers(pub) {
  const s = await pub.evaluate(() => window.demo.publisherStats());
  const layers = s?.videoLayers ?? [];
  const text = layers.map((l) => `${l.rid || '-'} ${l.frameWidth}x${l.frameHeight} ${l.framesPerSecond ?? 0}fps ${Math.round(l.bytesSent / 1000)}kB ` +
    `keyframes=${l.keyFramesEncoded} pli=${l.pliCount} fir=${l.firCount}`).join(', ') +
    ` (bandwidth estimate ${Math.round((s?.availableOutgoingBitrate ?? 0) / 1000)} kbit/s, limited by ${s?.qualityLimitationReason || 'n/a'})`;
  return { layers, availableOutgoingBitrate: s?.availableOutgoingBitrate ?? 0, qualityLimitationReason: s?.qualityLimitationReason ?? '', text };
}

// compositeShot puts the viewers side by side in one PNG: each one's video tile (as the page shows it: picker, size,
// bitrate, layer sent), taken once its overlay shows a size and a bitrate, and under it the frame its <video> holds,
// drawn at its own resolution and scaled up to the same width without smoothing, so the layers' sizes show.
export async function compositeShot(browser, viewers, producerId, file) {
  const shots = [];
  for (const { page, label } of viewers) {
    const tile = page.locator(`[data-tile="${producerId}"]`);
    await tile.locator('.media-info', { hasText: /\d+×\d+ · [1-9]\d* kbit\/s/ }).waitFor({ timeout: 10000 });
    const info = await tile.locator('.media-info').innerText();
    const picker = await tile.locator('.layer-picker').evaluate((s) => s.options[s.selectedIndex].text);
    const png = (await tile.screenshot()).toString('base64');
    const frame = await tile.locator('video').evaluate((v) => {
      const c = document.createElement('canvas');
      c.width = v.videoWidth;
      c.height = v.videoHeight;
      c.getContext('2d').drawImage(v, 0, 0);
      return { url: c.toDataURL('image/png'), width: c.width, height: c.height };
    });
    shots.push({ label, info, picker, png, frame });
  }
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  const page = await context.newPage();
  const esc = (s) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  await page.setContent(`<!doctype html><html><body style="margin:0;padding:16px;font:14px system-ui,sans-serif;background:#15181e;color:#e6e9ef">
    <h3 style="margin:0 0 12px">simulcast: one publisher (fake camera 640×480 as r0/r1/r2), three viewers through the pipe</h3>
    <div style="display:flex;gap:12px">${shots.map((s) => `<figure style="margin:0;flex:1">
      <img src="data:image/png;base64,${s.png}" style="width:100%;display:block;border-radius:6px">
      <figcaption style="margin:6px 0 10px"><b>${esc(s.label)}</b> — picker: ${esc(s.picker)}<br>tile: ${esc(s.info)}</figcaption>
      <img src="${s.frame.url}" style="width:100%;display:block;image-rendering:pixelated">
      <figcaption style="margin-top:6px">its decoded frame, ${s.frame.width}×${s.frame.height}, scaled to the same width</figcaption></figure>`).join('')}</div>
    </body></html>`);
  await page.waitForFunction(() => [...document.images].every((i) => i.complete && i.naturalWidth > 0));
  await page.screenshot({ path: file, fullPage: true });
  await context.close();
  return shots.map(({ label, info, picker, frame }) => ({ label, info, picker, frame: `${frame.width}x${frame.height}` }));
}
