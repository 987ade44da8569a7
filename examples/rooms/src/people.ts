// People shows who is in the room this page is in: the people who publish (from the room's producer list, and this
// page itself) and how many receive (GET /rooms/:id consumerPeerCount: every page watching has one receive
// transport), refreshed every few seconds. Lifecycle: new → show(roomId)/hide(), as the page joins and leaves.
import type { Api } from './api';
import { $ } from './ui';

const REFRESH_MS = 3000;

export type Presence = {
  me: string;
  publishing: () => Set<string>; // kinds this page sends
  others: () => Map<string, Set<string>>; // userId → kinds, of everyone else who publishes
};

export class People {
  receiving: number | null = null; // the room's consumer peers at the last refresh
  private timer: ReturnType<typeof setInterval> | null = null;
  private roomId: string | null = null;

  constructor(
    private readonly api: Api,
    private readonly presence: Presence,
  ) {}

  show(roomId: string): void {
    this.roomId = roomId;
    $('people').hidden = false;
    this.timer ??= setInterval(() => void this.refresh(), REFRESH_MS);
    void this.refresh();
  }

  hide(): void {
    this.roomId = null;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.receiving = null;
    $('people').hidden = true;
  }

  async refresh(): Promise<void> {
    const roomId = this.roomId;
    if (!roomId) return;
    try {
      const room = await this.api.getRoom(roomId);
      if (roomId === this.roomId) this.receiving = room.consumerPeerCount;
    } catch {
      // The room is gone or the master did not answer: the count waits for the next refresh.
    }
    this.render();
  }

  render(): void {
    if (!this.roomId) return;
    const rows: [string, string][] = [];
    const mine = [...this.presence.publishing()];
    rows.push([`${this.presence.me} (you)`, mine.length ? `publishing ${mine.sort().join(' + ')}` : 'watching']);
    for (const [user, kinds] of [...this.presence.others()].sort(([a], [b]) => a.localeCompare(b))) {
      rows.push([user, `publishing ${[...kinds].sort().join(' + ')}`]);
    }
    $('people-list').replaceChildren(
      ...rows.map(([who, what]) => {
        const li = document.createElement('li');
        const name = document.createElement('b');
        name.textContent = who;
        li.append(name, ` · ${what}`);
        return li;
      }),
    );
    const n = this.receiving;
    $('watching').textContent = n === null ? '' : `${n} ${n === 1 ? 'viewer' : 'viewers'} receiving (one per page that watches)`;
  }
}
