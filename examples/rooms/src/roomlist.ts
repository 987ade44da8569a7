// RoomList shows the rooms of the cluster (GET /rooms: id, age, who publishes and how many receive) with a Join
// button each, refreshed every few seconds while the page is visible. A failed refresh is said in the list itself
// (it is not an action of the user's, so not an error banner).
// Lifecycle: new → start(); lives as long as the page.
import type { Api, RoomSummary } from './api';
import { $ } from './ui';

const REFRESH_MS = 4000;

export class RoomList {
  rooms: RoomSummary[] = [];
  private timer: ReturnType<typeof setInterval> | null = null;
  private current: string | null = null;

  constructor(
    private readonly api: Api,
    private readonly onJoin: (roomId: string) => void,
  ) {}

  start(): void {
    $('refresh-rooms').addEventListener('click', () => void this.refresh());
    this.timer ??= setInterval(() => {
      if (document.visibilityState === 'visible') void this.refresh();
    }, REFRESH_MS);
    void this.refresh();
  }

  // setCurrent marks the room this page is in (its row says so and its Join button explains why it is disabled).
  setCurrent(roomId: string | null): void {
    this.current = roomId;
    this.render();
  }

  async refresh(): Promise<void> {
    try {
      const page = await this.api.listRooms();
      this.rooms = page.items;
      const more = page.pagination.total - page.items.length;
      $('rooms-note').textContent = page.items.length === 0 ? 'No rooms yet: create one.' : more > 0 ? `and ${more} more (oldest shown first)` : '';
    } catch (err) {
      $('rooms-note').textContent = `room list unavailable: ${(err as Error).message}`;
    }
    this.render();
  }

  private render(): void {
    const body = $('room-list').querySelector('tbody')!;
    body.replaceChildren(
      ...this.rooms.map((r) => {
        const tr = document.createElement('tr');
        tr.dataset.room = r.id;
        const mine = r.id === this.current;
        tr.classList.toggle('current', mine);
        const id = document.createElement('td');
        const code = document.createElement('code');
        code.textContent = r.id.slice(0, 8);
        code.title = r.id;
        id.append(code);
        if (mine) {
          const you = document.createElement('span');
          you.className = 'you';
          you.textContent = 'you are here';
          id.append(' ', you);
        }
        const who = cell(`${r.producerPeerCount} publishing · ${r.consumerPeerCount} receiving`);
        const age = cell(ago(r.createdAt));
        age.title = new Date(r.createdAt).toLocaleString();
        const action = document.createElement('td');
        const join = document.createElement('button');
        join.className = 'join-room';
        join.textContent = 'Join';
        join.disabled = this.current !== null;
        join.title = mine ? 'you are in this room' : this.current ? `leave room ${this.current.slice(0, 8)} first` : `join room ${r.id}`;
        join.addEventListener('click', () => this.onJoin(r.id));
        action.append(join);
        tr.append(id, who, age, action);
        return tr;
      }),
    );
  }
}

function cell(text: string): HTMLTableCellElement {
  const td = document.createElement('td');
  td.textContent = text;
  return td;
}

// ago says how long ago an RFC 3339 time was, roughly ("just now", "5 min ago", "2 h ago").
export function ago(iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (!Number.isFinite(s)) return '';
  if (s < 45) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}
