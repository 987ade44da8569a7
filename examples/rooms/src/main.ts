// Entry point: wires the buttons to the session and exposes window.demo for scripts and the browser test.
import { version as mediasoupVersion } from 'mediasoup-client';
import { Api, ApiError, type ConsumerInfo, type ConsumerLayers } from './api';
import { readConfig, roomLink } from './config';
import { Session } from './session';
import { People } from './people';
import { RoomList } from './roomlist';
import { newState } from './state';
import { $, Ui } from './ui';
import type { ConsumerStats } from './viewer';
import type { PublisherStats } from './publisher';

const config = readConfig();
const api = new Api(config.apiBase);
const state = newState(config.userId, config.apiBase, config.consumeOn, config.simulcast);
const ui = new Ui(state);
let session: Session | null = null;
let busy = false;
const roomList = new RoomList(api, (roomId) => void demo.join(roomId).catch(() => undefined));
const people = new People(api, {
  me: state.userId,
  publishing: () => new Set((['audio', 'video'] as const).filter((k) => session?.publisher?.has(k))),
  others: () => session?.viewer.publishers() ?? new Map(),
});

async function createRoom(): Promise<string> {
  if (session) throw new Error(`already in room ${session.roomId}: leave first`);
  const room = await api.createRoom();
  ui.info(`room ${room.id} created`);
  await enter(room.id, room.rtpCapabilities);
  return room.id;
}

async function join(roomId: string): Promise<void> {
  roomId = roomId.trim();
  if (roomId === '') throw new Error('enter a room id (or open a room link)');
  if (session) throw new Error(`already in room ${session.roomId}: leave first`);
  const room = await api.getRoom(roomId);
  await enter(room.id, room.rtpCapabilities);
}

async function enter(roomId: string, caps: Parameters<typeof Session.open>[2]): Promise<void> {
  session = await Session.open(api, roomId, caps, state, ui, roomDeleted);
  state.roomId = roomId;
  state.joined = true;
  ($('room-id') as HTMLInputElement).value = roomId;
  const link = roomLink(roomId);
  history.replaceState(null, '', link);
  const a = $('share-link') as HTMLAnchorElement;
  a.href = link;
  a.textContent = link;
  $('link-row').hidden = false;
  roomList.setCurrent(roomId);
  people.show(roomId);
  ui.status(`in room ${roomId} as ${state.userId}`);
}

// copyLink puts the room link on the clipboard (the Clipboard API needs a secure context: elsewhere the old
// execCommand way) and says so on the button for two seconds.
async function copyLink(): Promise<void> {
  const link = ($('share-link') as HTMLAnchorElement).href;
  const btn = $('copy-link') as HTMLButtonElement;
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(link);
    } else {
      const area = document.createElement('textarea');
      area.value = link;
      document.body.append(area);
      area.select();
      const ok = document.execCommand('copy');
      area.remove();
      if (!ok) throw new Error('the browser refused to copy');
    }
    btn.textContent = 'Copied ✓';
    ui.info('room link copied');
  } catch (err) {
    btn.textContent = 'Copy failed: select the link';
    ui.info(`copy link: ${(err as Error).message}`);
  }
  setTimeout(() => (btn.textContent = 'Copy link'), 2000);
}

async function publish(kinds?: ('audio' | 'video')[]): Promise<void> {
  if (!session) throw new Error('join or create a room first');
  await session.publish(kinds);
}

// setPreferredLayers picks the layer a simulcast consumer of this page receives (key: consumer or producer id), as
// the tile's picker does. Not a busy-guarded action: a viewer may switch layers while something else runs.
async function setPreferredLayers(key: string, spatialLayer: number, temporalLayer?: number): Promise<void> {
  if (!session) throw new Error('not in a room');
  const layers: ConsumerLayers = temporalLayer === undefined ? { spatialLayer } : { spatialLayer, temporalLayer };
  try {
    await session.viewer.setPreferredLayers(key, layers);
  } catch (err) {
    ui.error(err, 'preferred layers');
    throw err;
  }
}

// consumerInfo is the server's view of a consumer (GET /consumers/:id): type, preferred and current layers.
function consumerInfo(consumerId: string): Promise<ConsumerInfo> {
  return api.getConsumer(consumerId);
}

async function togglePause(kind: 'audio' | 'video'): Promise<void> {
  if (!session?.publisher?.has(kind)) throw new Error(`not publishing ${kind}`);
  await session.publisher.setPaused(kind, !state.paused[kind]);
}

// closeLocal forgets the room in this page: transports, tracks, tiles, events.
function closeLocal(): void {
  session?.close();
  session = null;
  state.joined = false;
  state.events = 'off';
  state.producers = { audio: null, video: null };
  state.producerIds = [];
  state.paused = { audio: false, video: false };
  state.videoEncodings = 0;
  state.consumerIds = [];
  state.sendTransportState = null;
  state.recvTransportState = null;
  state.chat = { dataProducerId: null, readers: [], messages: [] };
  $('chat-log').replaceChildren();
  ui.removeAllTiles();
  ($('share-link') as HTMLAnchorElement).textContent = '';
  $('link-row').hidden = true;
  roomList.setCurrent(null);
  people.hide();
  void roomList.refresh();
  const url = new URL(location.href);
  url.searchParams.delete('room');
  history.replaceState(null, '', url);
  ui.status('not in a room');
  render();
}

async function leave(): Promise<void> {
  if (!session) throw new Error('not in a room');
  const roomId = session.roomId;
  closeLocal();
  await api.logout(state.userId, roomId);
  ui.info(`left room ${roomId}`);
}

async function deleteRoom(roomId?: string): Promise<void> {
  const id = (roomId ?? session?.roomId ?? ($('room-id') as HTMLInputElement).value).trim();
  if (id === '') throw new Error('enter the id of the room to delete');
  try {
    await api.deleteRoom(id);
  } catch (err) {
    if (err instanceof ApiError && err.status === 409) {
      throw new Error(`cannot delete room ${id}: ${err.status} ${err.kind}: ${err.serverMessage} — everyone, you included, must leave it first`);
    }
    throw err;
  }
  ui.info(`room ${id} deleted`);
  if (session?.roomId === id) closeLocal();
  if (state.roomId === id) state.roomId = null;
}

function roomDeleted(): void {
  ui.error(new Error(`room ${session?.roomId} was deleted`));
  closeLocal();
}

async function stats(): Promise<ConsumerStats[]> {
  return session ? session.viewer.stats() : [];
}

async function publisherStats(): Promise<PublisherStats | null> {
  return session?.publisher ? session.publisher.sendStats() : null;
}

// ice tells which protocol each transport's selected ICE pair uses (tcp where the network drops UDP).
async function ice(): Promise<{ send: string | null; recv: string | null }> {
  return {
    send: session?.publisher ? await session.publisher.iceProtocol() : null,
    recv: session ? await session.viewer.iceProtocol() : null,
  };
}

// The chat (chat.ts): start makes this page's data producer; sendText and sendBinary write on it.
const chat = {
  async start(): Promise<string> {
    if (!session) throw new Error('join or create a room first');
    return (await session.chat.start()).id;
  },
  async sendText(text: string): Promise<void> {
    if (!session) throw new Error('join or create a room first');
    await session.chat.sendText(text);
  },
  async sendBinary(size: number): Promise<void> {
    if (!session) throw new Error('join or create a room first');
    await session.chat.sendBinary(size);
  },
  // readers lists the writers this page reads and whether each data channel is open.
  readers(): { dataProducerId: string; userId: string; open: boolean }[] {
    return state.chat.readers.map((r) => ({ dataProducerId: r.dataProducerId, userId: r.userId, open: r.consumer.readyState === 'open' }));
  },
};

async function restartIce(): Promise<void> {
  if (!session) throw new Error('not in a room');
  await session.viewer.restartIce();
}

// The media path line: refreshed every 2 s.
setInterval(() => {
  void ice().then(
    (p) => ($('ice-path').textContent = [p.send && `send ${p.send}`, p.recv && `receive ${p.recv}`].filter(Boolean).join(' · ') || 'none'),
    () => undefined,
  );
}, 2000);

// action runs a button's work: one at a time, errors shown on the page (and rethrown for scripts).
function action<A extends unknown[], R>(name: string, fn: (...a: A) => Promise<R>): (...a: A) => Promise<R> {
  return async (...args: A) => {
    if (busy) throw new Error(`busy: ${name} must wait for the previous action`);
    busy = true;
    render();
    try {
      const out = await fn(...args);
      ui.clearErrors(); // the banner is about what failed last; this worked
      return out;
    } catch (err) {
      ui.error(err, name);
      throw err;
    } finally {
      busy = false;
      render();
    }
  };
}

// render enables the buttons that can act now; a disabled one says why (its tooltip), and the hint line says what
// to do next.
function render(): void {
  const joined = session !== null;
  const pub = session?.publisher ?? null;
  const room = session ? `room ${session.roomId.slice(0, 8)}` : '';
  const why = (id: string, reason: string | null, title: string) => {
    const el = $(id) as HTMLButtonElement | HTMLInputElement;
    const because = busy ? 'wait: another action is running' : reason;
    el.disabled = because !== null;
    el.title = because ?? title;
    el.dataset.why = because ?? '';
  };
  const roomIdEmpty = ($('room-id') as HTMLInputElement).value.trim() === '';
  why('create-room', joined ? `already in ${room}: leave it first` : null, 'create a room and join it');
  why('join', joined ? `already in ${room}: leave it first` : roomIdEmpty ? 'type a room id, or pick a room in the list' : null, 'join the room whose id is typed');
  why('publish', !joined ? 'join or create a room first' : pub?.has('audio') && pub?.has('video') ? 'already publishing camera and mic' : null,
    'send your camera and microphone to the room');
  why('pause-audio', pub?.has('audio') ? null : 'not publishing audio', state.paused.audio ? 'resume your microphone' : 'pause your microphone');
  why('pause-video', pub?.has('video') ? null : 'not publishing video', state.paused.video ? 'resume your camera' : 'pause your camera');
  why('simulcast', pub?.has('video') ? 'fixed once the camera is published' : null,
    'send the camera as three layers (1/4, 1/2 and full size), as mediasoup-demo does; viewers pick one');
  ($('simulcast') as HTMLInputElement).checked = state.simulcast;
  why('leave', joined ? null : 'not in a room', 'leave the room (your transports close)');
  why('delete-room', !joined && roomIdEmpty ? 'type the id of the room to delete' : null, 'delete the room (only once everyone has left)');
  $('pause-audio').textContent = state.paused.audio ? 'Resume audio' : 'Pause audio';
  $('pause-video').textContent = state.paused.video ? 'Resume video' : 'Pause video';
  $('hint').textContent = busy
    ? 'Working…'
    : !joined
      ? 'Create a room, or join one by id or from the list of rooms.'
      : !pub
        ? 'Publish your camera and mic, or just watch: everyone who publishes appears below, one card per person.'
        : 'You are live. Share the room link; viewers appear in the count on the right.';
  people.render();
}

const demo = {
  state,
  version: mediasoupVersion,
  stats,
  publisherStats,
  setPreferredLayers,
  consumerInfo,
  ice,
  restartIce: action('restart ICE', restartIce),
  chat,
  createRoom: action('create room', createRoom),
  join: action('join', join),
  publish: action('publish', publish),
  togglePause: action('pause/resume', togglePause),
  leave: action('leave', leave),
  deleteRoom: action('delete room', deleteRoom),
};
declare global {
  interface Window {
    demo: typeof demo;
  }
}
window.demo = demo;

const click = (id: string, fn: () => Promise<unknown>) => $(id).addEventListener('click', () => void fn().catch(() => undefined));
click('create-room', () => demo.createRoom());
click('join', () => demo.join(($('room-id') as HTMLInputElement).value));
click('publish', () => demo.publish());
click('pause-audio', () => demo.togglePause('audio'));
click('pause-video', () => demo.togglePause('video'));
click('leave', () => demo.leave());
click('delete-room', () => demo.deleteRoom());
$('copy-link').addEventListener('click', () => void copyLink());
$('room-id').addEventListener('input', () => render());
const sendChat = () => {
  const input = $('chat-input') as HTMLInputElement;
  const text = input.value.trim();
  if (text === '') return;
  input.value = '';
  chat.sendText(text).catch((err) => ui.error(err, 'chat'));
};
$('chat-send').addEventListener('click', sendChat);
$('chat-input').addEventListener('keydown', (ev) => {
  if ((ev as KeyboardEvent).key === 'Enter') sendChat();
});
$('simulcast').addEventListener('change', (ev) => {
  state.simulcast = (ev.target as HTMLInputElement).checked;
  ui.info(`camera will be sent ${state.simulcast ? 'as 3 simulcast layers' : 'as one encoding'}`);
});
$('room-id').addEventListener('keydown', (ev) => {
  if ((ev as KeyboardEvent).key === 'Enter' && !session) void demo.join(($('room-id') as HTMLInputElement).value).catch(() => undefined);
});
$('user-id').textContent = state.userId;
$('api-base').textContent = state.apiBase;
$('ms-version').textContent = mediasoupVersion;
ui.status('not in a room');
render();
roomList.start();
// Leaving the page is leaving the room: tell the server so it frees the transports now, not at ICE timeout.
window.addEventListener('pagehide', () => {
  if (!session) return;
  // text/plain keeps the beacon a "simple" request (no CORS preflight when ?api= points elsewhere); the API
  // reads the JSON body whatever its content type.
  const body = new Blob([JSON.stringify({ roomId: session.roomId })], { type: 'text/plain;charset=UTF-8' });
  try {
    navigator.sendBeacon(`${api.base}/user/${encodeURIComponent(state.userId)}/logout`, body);
  } catch {
    // Best effort only: the server also closes transports whose ICE times out.
  }
});
if (config.roomId) {
  ($('room-id') as HTMLInputElement).value = config.roomId;
  void demo.join(config.roomId).catch(() => undefined);
}
