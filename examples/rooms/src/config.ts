// Page configuration from the URL: ?api=<base> (default: same origin under /api), ?room=<id> (join by link),
// ?user=<id> (default: a random id per page, so two tabs are two users), ?consume=room (receive on the room's own
// router through POST /rooms/:id/consumer_transports, the v4 way without a pipe, instead of a consumer router),
// ?simulcast=0 (the camera goes out as one encoding, not three: the page's checkbox starts unticked).

export type Config = {
  apiBase: string;
  roomId: string | null;
  userId: string;
  consumeOn: 'consumer-router' | 'room-router';
  simulcast: boolean;
};

export function readConfig(loc: Location = window.location): Config {
  const q = new URLSearchParams(loc.search);
  const api = (q.get('api') ?? '').trim();
  return {
    apiBase: (api === '' ? '/api' : api).replace(/\/+$/, ''),
    roomId: nonEmpty(q.get('room')),
    userId: nonEmpty(q.get('user')) ?? randomUserId(),
    consumeOn: q.get('consume') === 'room' ? 'room-router' : 'consumer-router',
    simulcast: q.get('simulcast') !== '0',
  };
}

// roomLink is the shareable link of a room: this page with ?room=<id>, keeping ?api (so the link works elsewhere), ?consume and ?simulcast.
export function roomLink(roomId: string, loc: Location = window.location): string {
  const url = new URL(loc.href);
  const keep = ['api', 'consume', 'simulcast'].map((k) => [k, url.searchParams.get(k)] as const);
  url.search = '';
  for (const [k, v] of keep) if (v) url.searchParams.set(k, v);
  url.searchParams.set('room', roomId);
  url.hash = '';
  return url.toString();
}

function nonEmpty(v: string | null): string | null {
  const t = (v ?? '').trim();
  return t === '' ? null : t;
}

function randomUserId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(4));
  return 'user-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
