// DOM helpers: the status line, the error list, the event log and the media tiles (with, on remote tiles, an
// overlay for the picture's size and bitrate and, for simulcast consumers, a layer picker).
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

  // highlightSpeaker marks the tiles of the active speaker's producer (its audio tile, and the video tile of the same
  // user when the page knows it) and unmarks the others.
  highlightSpeaker(producerId: string): void {
    const speaking = document.querySelector<HTMLElement>(`[data-tile="${CSS.escape(producerId)}"]`);
    const user = speaking?.dataset.user;
    document.querySelectorAll<HTMLElement>('.tile').forEach((t) => {
      t.classList.toggle('speaking', t === speaking || (user !== undefined && user !== '' && t.dataset.user === user));
    });
  }

  // tile adds (or returns) the tile of one producer; remote audio gets an <audio> inside the same grid.
  tile(key: string, label: string, track: MediaStreamTrack, local: boolean): HTMLElement {
    let tile = document.querySelector<HTMLElement>(`[data-tile="${CSS.escape(key)}"]`);
    if (tile) return tile;
    tile = document.createElement('figure');
    tile.className = `tile ${track.kind}${local ? ' local' : ''}`;
    tile.dataset.tile = key;
    const media = document.createElement(track.kind === 'video' ? 'video' : 'audio') as HTMLMediaElement;
    media.autoplay = true;
    media.setAttribute('playsinline', '');
    media.muted = local || track.kind === 'video';
    media.srcObject = new MediaStream([track]);
    if (track.kind === 'audio') {
      const icon = document.createElement('div');
      icon.className = 'audio-icon';
      icon.textContent = 'audio';
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
    const caption = document.createElement('figcaption');
    caption.textContent = label;
    const badge = document.createElement('span');
    badge.className = 'badge';
    caption.append(badge);
    tile.append(caption);
    $('tiles').append(tile);
    if (!media.muted) {
      media.play().catch(() => this.needAudioUnlock(media));
    }
    return tile;
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
    tile.remove();
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
