// TileInfo keeps the overlay of one remote tile up to date, once a second: the picture's size (the <video>'s
// videoWidth×videoHeight) and the received bitrate (inbound-rtp bytes over the last second); for a simulcast
// consumer also the layer the server says it sends (GET /consumers/:id, currentLayers).
// Lifecycle: new → start() → stop() (also stops by itself once the consumer is closed); never reused.
import type { types } from 'mediasoup-client';
import type { Api, ConsumerLayers } from './api';
import type { ConsumerRecord } from './state';
import { layerNames } from './simulcast';

const REFRESH_MS = 1000;

export class TileInfo {
  kbps = 0; // received bitrate over the last second, kbit/s
  currentLayers: ConsumerLayers | null = null; // what the server sends (simulcast consumers; null: unknown or none)
  private timer: ReturnType<typeof setInterval> | null = null;
  private last: { bytes: number; at: number } | null = null;
  private askServer: boolean;

  constructor(
    private readonly api: Api,
    private readonly consumer: types.Consumer,
    private readonly record: ConsumerRecord,
    private readonly tile: HTMLElement,
    private readonly note: (text: string) => void,
  ) {
    this.askServer = record.type === 'simulcast';
  }

  start(): void {
    this.addStatsButton();
    this.timer ??= setInterval(() => void this.refresh(), REFRESH_MS);
    void this.refresh();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private async refresh(): Promise<void> {
    if (this.consumer.closed) return this.stop();
    let bytes = 0;
    try {
      (await this.consumer.getStats()).forEach((s) => {
        if (s.type === 'inbound-rtp') bytes += s.bytesReceived ?? 0;
      });
    } catch {
      return; // closed meanwhile
    }
    const now = performance.now();
    if (this.last && now > this.last.at) this.kbps = Math.round((8 * (bytes - this.last.bytes)) / (now - this.last.at));
    this.last = { bytes, at: now };
    if (this.askServer) await this.refreshLayers();
    this.render();
  }

  // refreshLayers asks the server what the consumer sends; a server that cannot say (an older master: no
  // GET /consumers/:id) is not asked again.
  private async refreshLayers(): Promise<void> {
    try {
      const info = await this.api.getConsumer(this.consumer.id);
      this.currentLayers = info.currentLayers ?? null;
    } catch (err) {
      if (this.consumer.closed) return;
      this.askServer = false;
      this.currentLayers = null;
      this.note(`layers of consumer ${this.consumer.id} not shown: ${(err as Error).message}`);
    }
  }

  // addStatsButton puts a "stats" button on the tile: each click shows what the server measures of this consumer
  // (GET /consumers/:id/stats): bitrate, loss and round-trip time to this viewer, and the stream's score.
  private addStatsButton(): void {
    const info = this.tile.querySelector('.tile-info');
    if (!info || info.querySelector('.stats-button')) return;
    const button = document.createElement('button');
    button.className = 'stats-button';
    button.textContent = 'stats';
    const out = document.createElement('span');
    out.className = 'server-stats';
    button.addEventListener('click', () => void this.showServerStats(out));
    info.append(button, out);
  }

  async showServerStats(out: HTMLElement): Promise<void> {
    try {
      const [sent, source] = await this.api.consumerStats(this.consumer.id);
      const parts: string[] = [];
      const video = this.tile.querySelector('video');
      if (video && video.videoWidth > 0) parts.push(`${video.videoWidth}×${video.videoHeight}`);
      parts.push(`${Math.round(sent.bitrate / 1000)} kbit/s`);
      parts.push(`loss ${((100 * sent.fractionLost) / 256).toFixed(1)}% (${sent.packetsLost} packets)`);
      if (sent.roundTripTime !== undefined) parts.push(`RTT ${sent.roundTripTime.toFixed(0)} ms`);
      parts.push(`score ${sent.score}${source ? ` (source ${source.score})` : ''}`);
      out.textContent = parts.join(' · ');
    } catch (err) {
      out.textContent = `no stats: ${(err as Error).message}`;
    }
  }

  private render(): void {
    const span = this.tile.querySelector('.media-info');
    if (!span) return;
    const parts: string[] = [];
    const video = this.tile.querySelector('video');
    if (video) parts.push(video.videoWidth > 0 ? `${video.videoWidth}×${video.videoHeight}` : 'no picture yet');
    parts.push(`${this.kbps} kbit/s`);
    if (this.record.type === 'simulcast' && this.currentLayers) {
      parts.push(`sending ${layerNames(this.record.spatialLayers)[this.currentLayers.spatialLayer] ?? `layer ${this.currentLayers.spatialLayer}`}`);
    }
    span.textContent = parts.join(' · ');
    (span as HTMLElement).title = span.textContent; // the whole line, where a narrow tile cuts it
  }
}
