// Viewer consumes every remote producer of the room through one consumer peer (a recv transport) on the room's
// consumer router (or, with ?consume=room, on the room's own producer router: no pipe). Consume calls run one at a time, so a burst of events never races transport setup.
// Each tile shows its picture size and bitrate; a simulcast consumer's tile has a layer picker (preferred layers).
// Lifecycle: new → add()/remove() as the room changes → close(); never reused.
import { Device, type types } from 'mediasoup-client';
import type { Api, ConsumerLayers, ProducerRow, TransportInfo } from './api';
import { layerNames, spatialLayersOf } from './simulcast';
import { selectedProtocol } from './ice';
import type { ConsumerRecord, DemoState } from './state';
import { TileInfo } from './tileinfo';
import type { Ui } from './ui';

type Entry = { consumer: types.Consumer; record: ConsumerRecord; info: TileInfo; picker: HTMLSelectElement | null };
type Known = { peerId: string; userId: string; kind: types.MediaKind; paused: boolean };

export type ConsumerStats = {
  consumerId: string;
  producerId: string;
  kind: string;
  framesDecoded: number;
  frameWidth: number;
  frameHeight: number;
  packetsReceived: number;
  packetsLost: number;
  bytesReceived: number;
  keyFramesDecoded: number; // video: keyframes decoded so far
  freezeCount: number; // video: freezes the browser counted (getStats)
  nackCount: number; // NACKs this receiver sent
  firstFrameMs: number | null;
  type: string; // 'simple' or 'simulcast'
  preferredLayers: ConsumerLayers | null; // as last set from this page (null: the server's default, the highest)
  currentLayers: ConsumerLayers | null; // what the server said it sends, at the last refresh (simulcast only)
  kbps: number; // received bitrate over the last second
};

export class Viewer {
  private transport: types.Transport | null = null;
  private recvDevice: Device | null = null;
  private setup: Promise<types.Transport> | null = null;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly known = new Map<string, Known>(); // producerId → who sends it
  private readonly entries = new Map<string, Entry>(); // producerId → our consumer
  private readonly gone = new Set<string>(); // producers removed while a consume may still be queued

  constructor(
    private readonly api: Api,
    private readonly device: Device,
    private readonly roomId: string,
    private readonly roomCaps: types.RtpCapabilities,
    private readonly isOwn: (row: ProducerRow) => boolean,
    private readonly state: DemoState,
    private readonly ui: Ui,
  ) {}

  // add queues a consume of a producer not seen before (own producers are shown by the local preview instead);
  // via tells what announced it: the full list (on (re)connect or polling) or a live producer_added event.
  add(row: ProducerRow, via: ConsumerRecord['via'] = 'list'): void {
    if (this.closed || this.known.has(row.producerId) || this.gone.has(row.producerId) || this.isOwn(row)) return;
    this.known.set(row.producerId, { peerId: row.id, userId: row.userId, kind: row.kind, paused: !!row.paused });
    this.chain = this.chain
      .then(() => this.consume(row, via))
      .catch((err) => {
        this.known.delete(row.producerId); // a later resync may try again
        this.ui.error(err, `consume ${row.kind} of ${row.userId}`);
      });
  }

  // sync makes the consumers follow a full list (used on (re)connect of the event stream and by polling).
  sync(rows: ProducerRow[]): void {
    const listed = new Set(rows.map((r) => r.producerId));
    for (const producerId of [...this.known.keys()]) {
      if (!listed.has(producerId)) this.remove(producerId);
    }
    for (const row of rows) {
      this.add(row);
      if (row.paused !== undefined) this.setProducerPaused(row.producerId, row.paused);
    }
  }

  remove(producerId: string): void {
    this.gone.add(producerId);
    this.known.delete(producerId);
    const e = this.entries.get(producerId);
    if (!e) return;
    this.entries.delete(producerId);
    e.info.stop();
    e.consumer.close();
    e.record.closed = true;
    this.state.consumerIds = this.state.consumerIds.filter((id) => id !== e.record.consumerId);
    this.ui.removeTile(producerId);
    this.ui.info(`consumer of ${e.record.kind} ${producerId} closed`);
  }

  removePeer(peerId: string): void {
    for (const [producerId, k] of this.known) if (k.peerId === peerId) this.remove(producerId);
  }

  setProducerPaused(producerId: string, paused: boolean): void {
    const k = this.known.get(producerId);
    if (k) k.paused = paused;
    this.ui.setBadge(producerId, paused ? 'paused' : '');
  }

  // setPreferredLayers asks the server for a layer of a simulcast consumer (key: its consumer id or producer id)
  // and, once it accepted, shows the choice in the tile's picker.
  async setPreferredLayers(key: string, layers: ConsumerLayers): Promise<void> {
    const e = [...this.entries.values()].find((x) => x.consumer.id === key || x.consumer.producerId === key);
    if (!e) throw new Error(`no consumer ${key} in this page`);
    await this.api.setPreferredLayers(e.consumer.id, layers);
    e.record.preferredLayers = layers;
    if (e.picker) e.picker.value = String(layers.spatialLayer);
    this.ui.info(`consumer ${e.consumer.id}: preferred layers ${JSON.stringify(layers)}`);
  }

  async stats(): Promise<ConsumerStats[]> {
    const out: ConsumerStats[] = [];
    for (const { consumer, record, info } of this.entries.values()) {
      const s = inbound(await consumer.getStats());
      out.push({
        consumerId: consumer.id,
        producerId: consumer.producerId,
        kind: consumer.kind,
        framesDecoded: s?.framesDecoded ?? 0,
        frameWidth: s?.frameWidth ?? 0,
        frameHeight: s?.frameHeight ?? 0,
        packetsReceived: s?.packetsReceived ?? 0,
        packetsLost: s?.packetsLost ?? 0,
        bytesReceived: s?.bytesReceived ?? 0,
        keyFramesDecoded: s?.keyFramesDecoded ?? 0,
        freezeCount: (s as { freezeCount?: number } | null)?.freezeCount ?? 0,
        nackCount: s?.nackCount ?? 0,
        firstFrameMs: record.firstFrameMs,
        type: record.type,
        preferredLayers: record.preferredLayers,
        currentLayers: info.currentLayers,
        kbps: info.kbps,
      });
    }
    return out;
  }

  // restartIce restarts the receive transport's ICE with new credentials from the server (after a network change);
  // the consumers go on.
  async restartIce(): Promise<void> {
    const transport = this.transport;
    if (!transport) throw new Error('no receive transport yet');
    const { iceParameters } = await this.api.restartIce(transport.id);
    await transport.restartIce({ iceParameters });
    this.ui.info('receive transport: ICE restarted');
  }

  // publishers lists who sends media in the room (other than this page) with the kinds each sends.
  publishers(): Map<string, Set<string>> {
    const out = new Map<string, Set<string>>();
    for (const k of this.known.values()) {
      if (!out.has(k.userId)) out.set(k.userId, new Set());
      out.get(k.userId)!.add(k.kind);
    }
    return out;
  }

  iceProtocol(): Promise<string | null> {
    return selectedProtocol(this.transport);
  }

  close(): void {
    this.closed = true;
    for (const producerId of [...this.entries.keys()]) this.remove(producerId);
    this.transport?.close();
    this.transport = null;
  }

  private async consume(row: ProducerRow, via: ConsumerRecord['via']): Promise<void> {
    const transport = await this.ensureTransport();
    if (this.closed || this.gone.has(row.producerId)) return;
    const record: ConsumerRecord = {
      consumerId: '',
      producerId: row.producerId,
      kind: row.kind,
      peerId: row.id,
      userId: row.userId,
      via,
      consumeAt: performance.now(),
      consumedAt: null,
      resumedAt: null,
      firstFrameAt: null,
      firstFrameMs: null,
      closed: false,
      type: '',
      spatialLayers: 1,
      preferredLayers: null,
    };
    const info = await this.api.consume(transport.id, row.producerId, this.recvDevice!.recvRtpCapabilities);
    // The same stream id for a peer's audio and video lets the browser keep them in sync (lip sync).
    const consumer = await transport.consume({
      id: info.id,
      producerId: info.producerId,
      kind: info.kind,
      rtpParameters: info.rtpParameters,
      streamId: row.id,
    });
    record.consumerId = consumer.id;
    record.consumedAt = performance.now();
    record.type = info.type;
    record.spatialLayers = info.type === 'simulcast' ? spatialLayersOf(info.rtpParameters) : 1;
    if (this.closed || this.gone.has(row.producerId)) {
      consumer.close();
      return;
    }
    this.state.consumers.push(record);
    this.state.consumerIds.push(consumer.id);
    const tile = this.ui.tile(row.producerId, row.userId, consumer.track, false, row.userId);
    const tileInfo = new TileInfo(this.api, consumer, record, tile, (text) => this.ui.info(text));
    const picker = record.type === 'simulcast' && row.kind === 'video' ? this.addPicker(row.producerId, record) : null;
    this.entries.set(row.producerId, { consumer, record, info: tileInfo, picker });
    tileInfo.start();
    this.setProducerPaused(row.producerId, info.producerPaused || (this.known.get(row.producerId)?.paused ?? false));
    this.watchFirstFrame(consumer, record, tile);
    await this.api.resume(transport.id, consumer.id);
    record.resumedAt = performance.now();
    this.ui.info(`consuming ${row.kind} ${row.producerId} of ${row.userId} (consumer ${consumer.id})`);
  }

  // addPicker gives a simulcast consumer's tile its layer picker (the highest layer is the server's default); a
  // refused choice is reported and the picker goes back to the last accepted one.
  private addPicker(producerId: string, record: ConsumerRecord): HTMLSelectElement | null {
    const names = layerNames(record.spatialLayers);
    const picker = this.ui.layerPicker(producerId, names, names.length - 1, (spatialLayer) => {
      this.setPreferredLayers(producerId, { spatialLayer }).catch((err) => {
        picker!.value = String(record.preferredLayers?.spatialLayer ?? names.length - 1);
        this.ui.error(err, 'preferred layer');
      });
    });
    return picker;
  }

  private ensureTransport(): Promise<types.Transport> {
    this.setup ??= this.createTransport().catch((err) => {
      this.setup = null; // the next consume tries again
      throw err;
    });
    return this.setup;
  }

  private async createTransport(): Promise<types.Transport> {
    let info: TransportInfo;
    if (this.state.consumeOn === 'room-router') {
      // The v4 way: a consumer transport on the room's own (producer) router; the room's capabilities, no pipe.
      this.recvDevice = this.device;
      info = await this.api.createConsumerTransportOnRoomRouter(this.roomId, this.state.userId);
    } else {
      const router = await this.api.consumerRouter(this.roomId, this.state.userId);
      // The consumer router's capabilities equal the room's; load a second device only if a server says otherwise.
      if (JSON.stringify(router.rtpCapabilities) === JSON.stringify(this.roomCaps)) {
        this.recvDevice = this.device;
      } else {
        this.recvDevice = await Device.factory();
        await this.recvDevice.load({ routerRtpCapabilities: router.rtpCapabilities });
      }
      info = await this.api.createConsumerPeer(router.id, this.state.userId);
    }
    const transport = this.recvDevice.createRecvTransport({
      id: info.id,
      iceParameters: info.iceParameters,
      iceCandidates: info.iceCandidates,
      dtlsParameters: info.dtlsParameters,
    });
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      this.api.connectConsumerPeer(transport.id, dtlsParameters).then(() => callback(), (err) => {
        this.ui.error(err, 'connect receive transport');
        errback(err);
      });
    });
    transport.on('connectionstatechange', (s) => {
      this.state.recvTransportState = s;
      this.ui.info(`receive transport ${s}`);
      if (s === 'failed') this.ui.error(new Error('receive transport failed (ICE/DTLS): is the consumer slave reachable?'));
    });
    this.transport = transport;
    this.state.recvTransportState = transport.connectionState;
    return transport;
  }

  // watchFirstFrame records when media first arrives: the first decoded video frame (stats, or the video element's
  // frame callback, whichever sees it first), or the first received audio packet.
  private watchFirstFrame(consumer: types.Consumer, record: ConsumerRecord, tile: HTMLElement): void {
    const mark = () => {
      if (record.firstFrameAt !== null) return;
      record.firstFrameAt = performance.now();
      record.firstFrameMs = Math.round(record.firstFrameAt - record.consumeAt);
      this.ui.info(`first ${record.kind === 'video' ? 'frame' : 'audio packet'} of ${record.producerId} after ${record.firstFrameMs} ms`);
    };
    const video = tile.querySelector('video');
    if (video && 'requestVideoFrameCallback' in video) video.requestVideoFrameCallback(() => mark());
    const started = performance.now();
    const poll = async () => {
      if (record.firstFrameAt !== null || consumer.closed || performance.now() - started > 120_000) return;
      try {
        const s = inbound(await consumer.getStats());
        if (s && (record.kind === 'video' ? (s.framesDecoded ?? 0) > 0 : (s.packetsReceived ?? 0) > 0)) mark();
      } catch {
        return; // the consumer closed meanwhile
      }
      setTimeout(poll, 50);
    };
    void poll();
  }
}

function inbound(report: RTCStatsReport): RTCInboundRtpStreamStats | null {
  for (const s of report.values()) {
    if (s.type === 'inbound-rtp') return s as RTCInboundRtpStreamStats;
  }
  return null;
}
