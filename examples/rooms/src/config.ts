// Page configuration from the URL: ?api=<base> (default: same origin under /api), ?room=<id> (join by link),
// ?user=<id> (default: a random id per page, so two tabs are two users).

export type Config = {
  apiBase: string;
  roomId: string | null;
  userId: string;
};

export function readConfig(loc: Location = window.location): Config {
  const q = new URLSearchParams(loc.search);
  const api = (q.get('api') ?? '').trim();
  return {
    apiBase: (api === '' ? '/api' : api).replace(/\/+$/, ''),
    roomId: nonEmpty(q.get('room')),
    userId: nonEmpty(q.get('user')) ?? randomUserId(),
  };
}

// roomLink is the shareable link of a room: this page with ?room=<id>, keeping ?api so the link works elsewhere.
export function roomLink(roomId: string, loc: Location = window.location): string {
  const url = new URL(loc.href);
  const keep = url.searchParams.get('api');
  url.search = '';
  if (keep) url.searchParams.set('api', keep);
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
