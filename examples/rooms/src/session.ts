// Session is this page's presence in one room: the loaded device, the room events, the viewer and (once the user
// publishes) the publisher. Lifecycle: open() → publish()/events → close(); never reused.
import { Device, type types } from 'mediasoup-client';
import type { Api, ProducerRow } from './api';
import { Chat } from './chat';
import { RoomEvents, type RoomEvent } from './events';
import { Publisher } from './publisher';
import type { DemoState } from './state';
import type { Ui } from './ui';
import { Viewer } from './viewer';

export class Session {
  publisher: Publisher | null = null;
  readonly viewer: Viewer;
  readonly chat: Chat;
  private readonly events: RoomEvents;

  private constructor(
    private readonly api: Api,
    readonly roomId: string,
    readonly device: Device,
    private readonly caps: types.RtpCapabilities,
    private readonly state: DemoState,
    private readonly ui: Ui,
    private readonly onRoomDeleted: () => void,
  ) {
    const isOwn = (row: ProducerRow) => row.userId === state.userId || (this.publisher?.ownProducerIds().has(row.producerId) ?? false);
    this.viewer = new Viewer(api, device, roomId, caps, isOwn, state, ui);
    this.chat = new Chat(api, device, roomId, state, ui);
    this.events = new RoomEvents(api, roomId, {
      list: (rows) => {
        this.viewer.sync(rows);
        this.chat.resync().catch((err) => ui.error(err, 'list data producers'));
      },
      event: (e) => this.onEvent(e),
      mode: (m) => {
        state.events = m;
        ui.info(`room events: ${m}`);
      },
      error: (err, context) => ui.error(err, context),
      note: (text) => ui.info(text),
    });
  }

  // open loads a device with the room's router capabilities and starts following the room.
  static async open(api: Api, roomId: string, caps: types.RtpCapabilities, state: DemoState, ui: Ui, onRoomDeleted: () => void): Promise<Session> {
    const device = await Device.factory();
    await device.load({ routerRtpCapabilities: caps });
    ui.info(`device loaded (${device.handlerName}); can send audio=${device.canProduce('audio')} video=${device.canProduce('video')}`);
    const s = new Session(api, roomId, device, caps, state, ui, onRoomDeleted);
    s.events.start();
    return s;
  }

  // publish sends the given kinds (default both); a later call adds the kinds not sent yet.
  async publish(kinds?: ('audio' | 'video')[]): Promise<void> {
    const first = this.publisher === null;
    this.publisher ??= new Publisher(this.api, this.device, this.roomId, this.caps, this.state, this.ui);
    try {
      await this.publisher.publish(kinds);
    } catch (err) {
      if (first && this.publisher.ownProducerIds().size === 0) {
        this.publisher.close();
        this.publisher = null;
        this.state.producers = { audio: null, video: null };
        this.state.producerIds = [];
      }
      throw err;
    }
  }

  close(): void {
    this.events.stop();
    this.viewer.close();
    this.chat.close();
    this.publisher?.close();
    this.publisher = null;
  }

  private onEvent(e: RoomEvent): void {
    switch (e.type) { // several a second: kept out of the log
      case 'volumes':
        this.state.volumes = e.volumes ?? [];
        this.state.volumesEvents++;
        return;
      case 'active_speaker':
        if (!e.producerId) return;
        this.state.activeSpeaker = e.producerId;
        this.state.speakerEvents.push({ producerId: e.producerId, at: Date.now() });
        this.ui.highlightSpeaker(e.producerId);
        return;
    }
    this.ui.info(`event ${e.type}${e.kind ? ' ' + e.kind : ''}${e.producerId ? ' ' + e.producerId : ''}${e.userId ? ' by ' + e.userId : ''}`);
    switch (e.type) {
      case 'producer_added':
        if (e.producerId && e.kind) this.viewer.add({ id: e.peerId ?? '', userId: e.userId ?? '', producerId: e.producerId, kind: e.kind }, 'event');
        break;
      case 'producer_removed':
        if (e.producerId) this.viewer.remove(e.producerId);
        break;
      case 'producer_paused':
      case 'producer_resumed':
        if (e.producerId) this.viewer.setProducerPaused(e.producerId, e.type === 'producer_paused');
        break;
      case 'data_producer_added':
        if (e.dataProducerId) void this.chat.add({ id: e.dataProducerId, userId: e.userId ?? '', label: e.label ?? '' });
        break;
      case 'data_producer_removed':
        if (e.dataProducerId) this.chat.remove(e.dataProducerId);
        break;
      case 'peer_left':
        if (e.peerId) this.viewer.removePeer(e.peerId);
        break;
      case 'room_deleted':
        this.onRoomDeleted();
        break;
      case 'producer_slave_lost':
        for (const id of e.producerIds ?? []) this.viewer.remove(id);
        this.republish(e.producerIds ?? []).catch((err) => this.ui.error(err, 're-publish after producer_slave_lost'));
        break;
    }
  }

  // republish sends again, into the same room, what this page published when the room's producer slave died: the
  // room's router moved to another producer slave, and the old send transport went with the dead one.
  private async republish(lost: string[]): Promise<void> {
    const own = this.publisher?.ownProducerIds();
    if (!this.publisher || !own || !lost.some((id) => own.has(id))) return;
    const kinds = (['audio', 'video'] as const).filter((k) => this.publisher!.has(k));
    this.publisher.close();
    this.publisher = null;
    this.state.producers = { audio: null, video: null };
    this.state.producerIds = [];
    this.ui.info(`producer slave lost: publishing ${kinds.join(' + ')} again`);
    await this.publish([...kinds]);
  }
}
