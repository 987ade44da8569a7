// The WHIP publisher page (/whip.html?room=<id>[&token=t]): a standard WHIP client (whip-whep's WHIPClient,
// unchanged) publishes the camera and microphone into the room through POST /api/rooms/:id/whip, no SDK needed;
// the demo (?room=<id>) or the WHEP page watches it. window.whip is the test hook.
import { WHIPClient } from 'whip-whep/whip.js';

interface WhipState {
  status: string;
  error: string | null;
}

const params = new URLSearchParams(location.search);
const room = params.get('room') ?? '';
const state: WhipState = { status: 'starting', error: null };
const statusEl = document.getElementById('whip-status') as HTMLElement;
const video = document.getElementById('whip-video') as HTMLVideoElement;

function show(status: string): void {
  state.status = status;
  statusEl.textContent = status;
}

const pc = new RTCPeerConnection();
const client = new WHIPClient();

// stats reports what the page sends, per kind (what a test waits for).
async function stats(): Promise<Record<string, { packetsSent: number; framesEncoded?: number }>> {
  const out: Record<string, { packetsSent: number; framesEncoded?: number }> = {};
  (await pc.getStats()).forEach((s) => {
    if (s.type === 'outbound-rtp') out[s.kind] = { packetsSent: s.packetsSent, framesEncoded: s.framesEncoded };
  });
  return out;
}

async function start(): Promise<void> {
  if (!room) throw new Error('no room: open /whip.html?room=<room id>');
  const url = new URL(`api/rooms/${encodeURIComponent(room)}/whip`, location.href).toString();
  (document.getElementById('whip-url') as HTMLElement).textContent = url;
  show('opening camera and microphone');
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
  video.srcObject = stream;
  for (const track of stream.getTracks()) pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
  show('offering');
  await client.publish(pc, url, params.get('token') ?? undefined);
  // WHIPClient takes pc.onconnectionstatechange for itself (and ignores it): listen beside it.
  pc.addEventListener('connectionstatechange', () => show(`connection ${pc.connectionState}`));
  show(`publishing (connection ${pc.connectionState})`);
}

// stop closes the RTCPeerConnection and DELETEs the session (WHIPClient.stop).
async function stop(): Promise<void> {
  await client.stop();
  for (const t of (video.srcObject as MediaStream | null)?.getTracks() ?? []) t.stop();
  show('stopped');
}

(window as unknown as { whip: unknown }).whip = { state, stats, stop };
start().catch((err: Error) => {
  state.error = err.message;
  show(`error: ${err.message}`);
});
