// DOM helpers: the status line, the error list, the event log and the media tiles: one card per person with its
// video and audio (with, on remote tiles, an overlay for the picture's size and bitrate and, for simulcast
// consumers, a layer picker).
import type { DemoState } from './state';

export function $(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing element #${id}`);
  return el;
}

export class Ui {
  constructor(private readonly state: DemoState) {}

  status(text: string): void {
    $('status').textContent = text;
  }

  info(text: string): void {
    this.state.log.push(`${stamp()} ${text}`);
    const li = document.createElement('li');
    li.textContent = `${stamp()} ${text}`;
    $('log').prepend(li);
  }

  // error shows a failure at the top of the page and keeps it in state.errors for scripts.
  error(err: unknown, context?: string): void {
    const msg = (context ? context + ': ' : '') + (err instanceof Error ? err.message : String(err));
    this.state.errors.push(msg);
    console.warn('[demo]', msg);
    const li = document.createElement('li');
    li.textContent = `${stamp()} ${msg}`;
    const dismiss = document.createElement('button');
    dismiss.textContent = '×';
    dismiss.title = 'dismiss';
    dismiss.onclick = () => li.remove();
    li.append(dismiss);
    $('errors').prepend(li);
    this.info('error: ' + msg);
  }

  clearErrors(): void {
    $('errors').replaceChildren();
  }

  // highlightSpeaker marks the card of the person whose producer is the active speaker (the audio and video of one
  // person share a card) and unmarks the others.
  highlightSpeaker(producerId: string): void {
    const card = document.querySelector<HTMLElement>(`[data-tile="${CSS.escape(producerId)}"]`)?.closest<HTMLElement>('.person');
    document.querySelectorAll<HTMLElement>('.person').forEach((p) => {
      p.classList.toggle('speaking', p === card);
      p.querySelectorAll('.tile').forEach((t) => t.classList.toggle('speaking', p === card));
    });
  }

  // tile adds (or returns) the tile of one producer, inside the card of the person who sends it (person: a user id,
  // or 'local' for this page's own preview): one card per person, its video on top and its audio as a strip below.
  tile(key: string, name: string, track: MediaStreamTrack, local: boolean, person = local ? 'local' : name): HTMLElement {
    let tile = document.querySelector<HTMLElement>(`[data-tile="${CSS.escape(key)}"]`);
    if (tile) return tile;
    const card = this.personCard(person, name, local);
    tile = document.createElement('div');
    tile.className = `tile ${track.kind}${local ? ' local' : ''}`;
    tile.dataset.tile = key;
    tile.dataset.user = person;
    const media = document.createElement(track.kind === 'video' ? 'video' : 'audio') as HTMLMediaElement;
    media.autoplay = true;
    media.setAttribute('playsinline', '');
    media.muted = local || track.kind === 'video';
    media.srcObject = new MediaStream([track]);
    if (track.kind === 'audio') {
      const icon = document.createElement('span');
      icon.className = 'audio-icon';
      icon.textContent = local ? 'microphone' : 'audio';
      tile.append(icon);
    }
    tile.append(media);
    if (!local) {
      const info = document.createElement('div');
      info.className = 'tile-info';
      const text = document.createElement('span');
      text.className = 'media-info';
      info.append(text);
      tile.append(info);
    }
    const badge = document.createElement('span');
    badge.className = 'badge';
    tile.append(badge);
    const slot = card.querySelector('.person-media')!;
    if (track.kind === 'video') slot.prepend(tile);
    else slot.append(tile);
    card.classList.toggle('has-video', card.querySelector('.tile.video') !== null);
    if (!media.muted) {
      media.play().catch(() => this.needAudioUnlock(media));
    }
    return tile;
  }

  // personCard returns (making it on first use) the card of one person in #tiles.
  private personCard(person: string, name: string, local: boolean): HTMLElement {
    const existing = document.querySelector<HTMLElement>(`.person[data-person="${CSS.escape(person)}"]`);
    if (existing) return existing;
    const card = document.createElement('figure');
    card.className = `person${local ? ' local' : ''}`;
    card.dataset.person = person;
    const media = document.createElement('div');
    media.className = 'person-media';
    const caption = document.createElement('figcaption');
    caption.textContent = name;
    card.append(media, caption);
    if (local) $('tiles').prepend(card);
    else $('tiles').append(card);
    return card;
  }

  // layerPicker puts a select of the spatial layers (names lowest first) on a remote tile; onPick gets the chosen
  // index. Returns the select, so the caller can set it back if the server refuses.
  layerPicker(key: string, names: string[], selected: number, onPick: (spatialLayer: number) => void): HTMLSelectElement | null {
    const info = document.querySelector(`[data-tile="${CSS.escape(key)}"] .tile-info`);
    if (!info) return null;
    const select = document.createElement('select');
    select.className = 'layer-picker';
    select.title = 'the layer this viewer prefers to receive (POST /consumers/:id/preferred_layers)';
    select.setAttribute('aria-label', 'preferred layer');
    names.forEach((name, i) => select.append(new Option(name, String(i), i === selected, i === selected)));
    select.addEventListener('change', () => onPick(Number(select.value)));
    info.prepend(select);
    return select;
  }

  setBadge(key: string, text: string): void {
    const badge = document.querySelector(`[data-tile="${CSS.escape(key)}"] .badge`);
    if (badge) badge.textContent = text;
  }

  removeTile(key: string): void {
    const tile = document.querySelector<HTMLElement>(`[data-tile="${CSS.escape(key)}"]`);
    if (!tile) return;
    tile.querySelectorAll('video,audio').forEach((m) => ((m as HTMLMediaElement).srcObject = null));
    const card = tile.closest<HTMLElement>('.person');
    tile.remove();
    if (card && !card.querySelector('.tile')) card.remove();
    else card?.classList.toggle('has-video', card.querySelector('.tile.video') !== null);
  }

  removeAllTiles(): void {
    document.querySelectorAll<HTMLElement>('[data-tile]').forEach((t) => this.removeTile(t.dataset.tile!));
  }

  // Browsers refuse to play sound before a user gesture (join by link has none): one button unlocks them all.
  private readonly blocked = new Set<HTMLMediaElement>();

  private needAudioUnlock(media: HTMLMediaElement): void {
    this.blocked.add(media);
    const btn = $('unlock-audio') as HTMLButtonElement;
    btn.hidden = false;
    btn.onclick = () => {
      for (const m of this.blocked) m.play().catch((e) => this.error(e, 'audio playback'));
      this.blocked.clear();
      btn.hidden = true;
    };
  }
}

function stamp(): string {
  return new Date().toISOString().slice(11, 23);
}
