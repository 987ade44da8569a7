// Checks run.mjs makes once media flows: how each viewer learnt of the producers (the room's SSE stream, a live
// producer_added for the one published after the viewers joined), whether the video element really shows moving
// pictures (pixels, not only counters), and what a pause and a resume of the publisher's video do to the viewers.
import { waitFor } from './lib.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Decoded frames of one producer's consumer in a viewer (0 before it is consumed).
async function framesOf(viewer, producerId) {
  const stats = await viewer.evaluate(() => window.demo.stats());
  return stats.find((s) => s.producerId === producerId)?.framesDecoded ?? 0;
}

// checkAnnounced asserts that the viewer follows the room through SSE (not the polling fallback) and that each
// producer was announced the expected way: `list` (the full list fetched when the stream opened) or `event`
// (producer_added pushed on the stream).
export async function checkAnnounced(viewer, expected) {
  const st = await viewer.evaluate(() => ({ events: window.demo.state.events, consumers: window.demo.state.consumers }));
  if (st.events !== 'sse') throw new Error(`${viewer.name}: room events ${st.events}, want sse (the live stream, no polling)`);
  const got = {};
  for (const [producerId, via] of Object.entries(expected)) {
    const rec = st.consumers.find((c) => c.producerId === producerId && !c.closed);
    if (!rec) throw new Error(`${viewer.name}: producer ${producerId} not consumed`);
    if (rec.via !== via) throw new Error(`${viewer.name}: producer ${producerId} (${rec.kind}) announced by ${rec.via}, want ${via}`);
    got[rec.kind] = rec.via;
  }
  return got;
}

// videoPixels draws the producer's <video> tile into a canvas twice, 500 ms apart, and measures the first picture's
// luma (mean, standard deviation) and the share of pixels that changed in between: a black or frozen tile fails.
export async function videoPixels(viewer, producerId) {
  return viewer.evaluate(async (id) => {
    const video = document.querySelector(`[data-tile="${CSS.escape(id)}"] video`);
    if (!video) return { error: 'no video element in the tile' };
    const canvas = document.createElement('canvas');
    canvas.width = 160;
    canvas.height = 120;
    const g = canvas.getContext('2d', { willReadFrequently: true });
    const grab = () => {
      g.drawImage(video, 0, 0, canvas.width, canvas.height);
      return g.getImageData(0, 0, canvas.width, canvas.height).data;
    };
    const a = grab();
    const t0 = video.currentTime;
    await new Promise((r) => setTimeout(r, 500));
    const b = grab();
    const n = a.length / 4;
    let sum = 0;
    let sq = 0;
    let changed = 0;
    for (let i = 0; i < a.length; i += 4) {
      const y = 0.299 * a[i] + 0.587 * a[i + 1] + 0.114 * a[i + 2];
      sum += y;
      sq += y * y;
      if (Math.abs(a[i] - b[i]) + Math.abs(a[i + 1] - b[i + 1]) + Math.abs(a[i + 2] - b[i + 2]) > 30) changed++;
    }
    const mean = sum / n;
    return {
      width: video.videoWidth, height: video.videoHeight, paused: video.paused, readyState: video.readyState,
      advancedS: +(video.currentTime - t0).toFixed(3),
      mean: +mean.toFixed(1), stddev: +Math.sqrt(Math.max(0, sq / n - mean * mean)).toFixed(1), changedPct: +((100 * changed) / n).toFixed(2),
    };
  }, producerId);
}

// checkPixels fails unless the tile plays a picture that is neither one flat colour nor black, and moves.
export async function checkPixels(viewer, producerId) {
  const px = await videoPixels(viewer, producerId);
  const text = JSON.stringify(px);
  if (px.error) throw new Error(`${viewer.name}: video pixels: ${px.error}`);
  if (px.paused || px.readyState < 2 || px.width === 0) throw new Error(`${viewer.name}: the video element is not playing: ${text}`);
  if (px.mean < 10) throw new Error(`${viewer.name}: the video is black (mean luma ${px.mean}): ${text}`);
  if (px.stddev < 5) throw new Error(`${viewer.name}: the video is one flat colour (luma stddev ${px.stddev}): ${text}`);
  if (px.changedPct <= 0 || px.advancedS <= 0) throw new Error(`${viewer.name}: the video is frozen (nothing changed in 500 ms): ${text}`);
  return px;
}

const badge = (viewer, producerId) =>
  viewer.evaluate((id) => document.querySelector(`[data-tile="${CSS.escape(id)}"] .badge`)?.textContent ?? null, producerId);

// checkPauseResume pauses the publisher's video through the API (POST /producers/:id/pause, as the page's button
// does), waits until every viewer shows the producer_paused event, and requires their decoded frames to stand
// (at most maxFrozenGrowth more over holdMs, after a settle time for frames in flight). Then it resumes and requires
// every viewer to decode resumeFrames more frames within timeoutMs (the slave asks the publisher for a keyframe on
// resume). Returns per viewer what it measured.
export async function checkPauseResume(pub, viewers, videoId, opts = {}) {
  const { settleMs = 1000, holdMs = 2000, maxFrozenGrowth = 3, resumeFrames = 15, timeoutMs = 15000 } = opts;
  await pub.evaluate(() => window.demo.togglePause('video'));
  const pausedAt = Date.now();
  for (const v of viewers) {
    await waitFor(v, 'producer_paused shown', (id) => document.querySelector(`[data-tile="${CSS.escape(id)}"] .badge`)?.textContent === 'paused', videoId, timeoutMs);
  }
  const eventMs = Date.now() - pausedAt;
  await sleep(settleMs);
  const before = await Promise.all(viewers.map((v) => framesOf(v, videoId)));
  await sleep(holdMs);
  const after = await Promise.all(viewers.map((v) => framesOf(v, videoId)));
  const out = viewers.map((v, i) => ({ viewer: v.name, pausedFrames: after[i] - before[i] }));
  for (const [i, v] of viewers.entries()) {
    if (after[i] - before[i] > maxFrozenGrowth) {
      throw new Error(`${v.name}: video still decoding while paused: ${before[i]} → ${after[i]} frames in ${holdMs} ms (allowed ${maxFrozenGrowth})`);
    }
  }
  await pub.evaluate(() => window.demo.togglePause('video'));
  const resumedAt = Date.now();
  // All viewers are polled in the same loop, so each one's first new frame is timed alike.
  const firstNew = viewers.map(() => null);
  const ok = viewers.map(() => null);
  while (ok.includes(null)) {
    const frames = await Promise.all(viewers.map((v) => framesOf(v, videoId)));
    const now = Date.now() - resumedAt;
    for (const i of frames.keys()) {
      if (firstNew[i] === null && frames[i] > after[i]) firstNew[i] = now;
      if (ok[i] === null && frames[i] >= after[i] + resumeFrames) ok[i] = now;
    }
    if (ok.includes(null) && now > timeoutMs) {
      const lines = [];
      for (const [i, v] of viewers.entries()) {
        if (ok[i] === null) lines.push(`${v.name}: ${after[i]} → ${frames[i]} frames (badge "${await badge(v, videoId)}")`);
      }
      throw new Error(`video did not come back within ${timeoutMs} ms of resume: ${lines.join('; ')}`);
    }
    await sleep(100);
  }
  for (const [i, v] of viewers.entries()) {
    await waitFor(v, 'producer_resumed shown', (id) => document.querySelector(`[data-tile="${CSS.escape(id)}"] .badge`)?.textContent === '', videoId, 5000)
      .catch(async () => {
        throw new Error(`${v.name}: video decodes again but the tile still says "${await badge(v, videoId)}" (producer_resumed not applied)`);
      });
    Object.assign(out[i], { resumeFirstFrameMs: firstNew[i], resumeOkMs: ok[i] });
  }
  return { eventMs, viewers: out };
}
