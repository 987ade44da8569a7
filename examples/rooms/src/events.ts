// RoomEvents follows a room live: the Server-Sent Events stream GET /rooms/:id/events, with a full list fetch on
// every (re)connect so nothing missed while disconnected is lost. If the server has no stream (or refuses it), it
// falls back to polling the list every 2 s, so the demo still works, only slower.
import { ApiError, type Api, type ProducerRow } from './api';

export type RoomEvent = {
  type:
    | 'producer_added'
    | 'producer_removed'
    | 'producer_paused'
    | 'producer_resumed'
    | 'peer_left'
    | 'room_deleted'
    | 'producer_slave_lost'
    | 'volumes'
    | 'active_speaker'
    | 'producer_score'
    | 'data_producer_added'
    | 'data_producer_removed';
  roomId: string;
  dataProducerId?: string; // data_producer_added / removed
  label?: string;
  protocol?: string;
  appData?: Record<string, unknown>;
  peerId?: string;
  userId?: string;
  producerId?: string;
  producerIds?: string[]; // producer_slave_lost: the producers that ended with the room's producer slave
  kind?: 'audio' | 'video';
  volumes?: { producerId: string; volume: number }[]; // volumes: the loudest audio producers, dBov, loudest first
  score?: number; // producer_score: 0..10
};

export type RoomEventHandlers = {
  list(rows: ProducerRow[]): void;
  event(e: RoomEvent): void;
  mode(m: 'connecting' | 'sse' | 'polling'): void;
  error(err: unknown, context: string): void;
  note(text: string): void;
};

const TYPES: RoomEvent['type'][] = [
  'producer_added',
  'producer_removed',
  'producer_paused',
  'producer_resumed',
  'peer_left',
  'room_deleted',
  'producer_slave_lost',
  'volumes',
  'active_speaker',
  'producer_score',
  'data_producer_added',
  'data_producer_removed',
];
const POLL_MS = 2000;

export class RoomEvents {
  private source: EventSource | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private stopped = false;

  constructor(
    private readonly api: Api,
    private readonly roomId: string,
    private readonly on: RoomEventHandlers,
  ) {}

  start(): void {
    this.on.mode('connecting');
    const es = new EventSource(this.api.eventsUrl(this.roomId));
    this.source = es;
    es.onopen = () => {
      this.on.mode('sse');
      void this.resync();
    };
    // The stream may name its events (event: producer_added) or not; both carry the same JSON.
    const handle = (msg: MessageEvent) => this.dispatch(msg.data);
    es.onmessage = handle;
    for (const t of TYPES) es.addEventListener(t, handle as EventListener);
    es.onerror = () => {
      if (this.stopped) return;
      if (es.readyState === EventSource.CLOSED) {
        // A non-200 answer (e.g. 404 from a server without the stream) closes it for good: poll instead.
        es.close();
        this.source = null;
        this.on.note(`event stream ${this.api.eventsUrl(this.roomId)} unavailable; polling the producer list every ${POLL_MS / 1000} s`);
        this.startPolling();
      } else {
        this.on.mode('connecting'); // the browser reconnects by itself; onopen resyncs
      }
    };
  }

  stop(): void {
    this.stopped = true;
    this.source?.close();
    this.source = null;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private startPolling(): void {
    this.on.mode('polling');
    void this.resync();
    this.timer = setInterval(() => void this.resync(), POLL_MS);
  }

  private async resync(): Promise<void> {
    try {
      const rows = await this.api.listProducers(this.roomId);
      if (!this.stopped) this.on.list(rows);
    } catch (err) {
      if (this.stopped) return;
      if (err instanceof ApiError && err.status === 404 && err.kind === 'room_not_found') {
        // Polling has no room_deleted event: a vanished room is one.
        this.on.event({ type: 'room_deleted', roomId: this.roomId });
        return;
      }
      this.on.error(err, 'list producers');
    }
  }

  private dispatch(data: string): void {
    if (this.stopped) return;
    let e: RoomEvent;
    try {
      e = JSON.parse(data) as RoomEvent;
    } catch {
      this.on.error(new Error(`bad event data: ${String(data).slice(0, 100)}`), 'room events');
      return;
    }
    if (!e || typeof e.type !== 'string') return; // keep-alives and unknown shapes
    if (e.roomId && e.roomId !== this.roomId) return;
    this.on.event(e);
  }
}
