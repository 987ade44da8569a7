// The WHEP player page (/whep.html?room=<id>[&producers=a,b][&userId=u][&token=t]): a standard WHEP client
// (whip-whep's WHEPClient, unchanged) plays the room through POST /api/rooms/:id/whep. window.whep is the test hook.
import { WHEPClient } from 'whip-whep/whep.js';

interface WhepState {
  status: string;
  error: string | null;
}

const params = new URLSearchParams(location.search);
const room = params.get('room') ?? '';
const state: WhepState = { status: 'starting', error: null };
const statusEl = document.getElementById('whep-status') as HTMLElement;
const video = document.getElementById('whep-video') as HTMLVideoElement;

function show(status: string): void {
  state.status = status;
  statusEl.textContent = status;
}

function endpoint(): string {
  const url = new URL(`api/rooms/${encodeURIComponent(room)}/whep`, location.href);
  for (const key of ['producers', 'userId']) {
    const v = params.get(key);
    if (v) url.searchParams.set(key, v);
  }
  return url.toString();
}

const pc = new RTCPeerConnection();
const client = new WHEPClient();

// stats reports what the page receives, per kind (what a test waits for).
async function stats(): Promise<Record<string, { packetsReceived: number; framesDecoded?: number; frameWidth?: number }>> {
  const out: Record<string, { packetsReceived: number; framesDecoded?: number; frameWidth?: number }> = {};
  (await pc.getStats()).forEach((s) => {
    if (s.type === 'inbound-rtp') out[s.kind] = { packetsReceived: s.packetsReceived, framesDecoded: s.framesDecoded, frameWidth: s.frameWidth };
  });
  return out;
}

async function start(): Promise<void> {
  if (!room) throw new Error('no room: open /whep.html?room=<room id>');
  const url = endpoint();
  (document.getElementById('whep-url') as HTMLElement).textContent = url;
  pc.addTransceiver('audio', { direction: 'recvonly' });
  pc.addTransceiver('video', { direction: 'recvonly' });
  const stream = new MediaStream();
  pc.ontrack = (e) => {
    stream.addTrack(e.track);
    video.srcObject = stream;
  };
  pc.onconnectionstatechange = () => show(`connection ${pc.connectionState}`);
  show('offering');
  await client.view(pc, url, params.get('token') ?? undefined);
  show('playing');
}

(window as unknown as { whep: unknown }).whep = { state, stats, stop: () => client.stop() };
start().catch((err: Error) => {
  state.error = err.message;
  show(`error: ${err.message}`);
});
