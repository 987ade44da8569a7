// Chat is the room's text chat on data channels (mediasoup-client's produceData / consumeData), beside the videos.
// Everyone who writes has a data producer of their own, on a producer peer made for it (a send transport with
// sctpCapabilities: mediasoup-client produces data only on a send transport); everyone reads every other writer's
// data producer on a receive transport of their own on the room's consumer router, so messages cross the pipe
// like media does. Text messages are JSON {text, sentAt}; binary ones start with the sending time (a float64, ms
// since the epoch) so the page can tell their latency. Lifecycle: new → start()/send → close(); never reused.
import type { Device, types } from 'mediasoup-client';
import type { Api, DataProducerRow } from './api';
import type { ChatMessage, DemoState } from './state';
import type { Ui } from './ui';
import { $ } from './ui';

const LABEL = 'chat';

export class Chat {
  private sendSetup: Promise<types.DataProducer> | null = null;
  private sendTransport: types.Transport | null = null;
  private recvSetup: Promise<types.Transport> | null = null;
  private recvTransport: types.Transport | null = null;
  private readonly consumers = new Map<string, types.DataConsumer>(); // by data producer id
  private readonly pending = new Set<string>();
  private closed = false;

  constructor(
    private readonly api: Api,
    private readonly device: Device,
    private readonly roomId: string,
    private readonly state: DemoState,
    private readonly ui: Ui,
  ) {}

  // start makes this page's data producer (the first send would too): the others can read it from then on.
  start(): Promise<types.DataProducer> {
    this.sendSetup ??= this.createProducer().catch((err) => {
      this.sendSetup = null;
      throw err;
    });
    return this.sendSetup;
  }

  async sendText(text: string): Promise<void> {
    const producer = await this.start();
    producer.send(JSON.stringify({ text, sentAt: Date.now() }));
    this.record({ from: this.state.userId, own: true, kind: 'text', text, bytes: text.length, latencyMs: 0 });
  }

  // sendBinary sends size bytes: the sending time (float64) then a counting pattern the reader checks.
  async sendBinary(size: number): Promise<void> {
    if (size < 8) throw new Error('a binary chat message has at least 8 bytes');
    const producer = await this.start();
    const buf = new ArrayBuffer(size);
    const bytes = new Uint8Array(buf);
    for (let i = 8; i < size; i++) bytes[i] = i & 0xff;
    new DataView(buf).setFloat64(0, Date.now());
    producer.send(buf);
    this.record({ from: this.state.userId, own: true, kind: 'binary', text: '', bytes: size, latencyMs: 0 });
  }

  // sync consumes every data producer of the room not seen yet (the list fetched when the events stream opens).
  async resync(): Promise<void> {
    const rows = await this.api.listDataProducers(this.roomId);
    for (const row of rows) await this.add(row);
  }

  // add consumes a writer's data producer (not our own) on the receive transport.
  async add(row: Pick<DataProducerRow, 'id' | 'userId' | 'label'>): Promise<void> {
    if (this.closed || row.label !== LABEL || row.userId === this.state.userId) return;
    if (this.consumers.has(row.id) || this.pending.has(row.id)) return;
    this.pending.add(row.id);
    try {
      const transport = await this.ensureRecv();
      const info = await this.api.consumeData(transport.id, row.id);
      const consumer = await transport.consumeData({
        id: info.id,
        dataProducerId: info.dataProducerId,
        sctpStreamParameters: info.sctpStreamParameters,
        label: info.label,
        protocol: info.protocol,
        appData: { userId: row.userId },
      });
      consumer.on('message', (data: unknown) => this.onMessage(row.userId, data));
      consumer.on('close', () => this.consumers.delete(row.id));
      this.consumers.set(row.id, consumer);
      this.state.chat.readers.push({ dataProducerId: row.id, userId: row.userId, consumer });
      this.ui.info(`reading ${row.userId}'s chat (data consumer ${info.id}, stream ${info.sctpStreamParameters.streamId})`);
    } catch (err) {
      this.ui.error(err, `read ${row.userId}'s chat`);
    } finally {
      this.pending.delete(row.id);
    }
  }

  remove(dataProducerId: string): void {
    this.consumers.get(dataProducerId)?.close();
    this.consumers.delete(dataProducerId);
  }

  close(): void {
    this.closed = true;
    for (const c of this.consumers.values()) c.close();
    this.consumers.clear();
    this.sendTransport?.close();
    this.recvTransport?.close();
  }

  private onMessage(from: string, data: unknown): void {
    if (typeof data === 'string') {
      let m: { text?: string; sentAt?: number };
      try {
        m = JSON.parse(data) as { text?: string; sentAt?: number };
      } catch {
        m = { text: data };
      }
      const text = String(m.text ?? '');
      this.record({ from, own: false, kind: 'text', text, bytes: data.length, latencyMs: m.sentAt ? Date.now() - m.sentAt : -1 });
      return;
    }
    if (data instanceof ArrayBuffer) {
      const bytes = new Uint8Array(data);
      let intact = data.byteLength >= 8;
      for (let i = 8; i < bytes.length && intact; i++) intact = bytes[i] === (i & 0xff);
      const sentAt = data.byteLength >= 8 ? new DataView(data).getFloat64(0) : 0;
      this.record({ from, own: false, kind: 'binary', text: intact ? '' : 'corrupted', bytes: data.byteLength, latencyMs: sentAt ? Date.now() - sentAt : -1 });
      return;
    }
    this.ui.error(new Error(`chat message of an unexpected type from ${from}`));
  }

  private record(m: Omit<ChatMessage, 'at'>): void {
    const msg: ChatMessage = { ...m, at: Date.now() };
    this.state.chat.messages.push(msg);
    const li = document.createElement('li');
    const body = msg.kind === 'text' ? msg.text : `[${msg.bytes} bytes of binary${msg.text ? ', ' + msg.text : ''}]`;
    li.textContent = `${msg.from}: ${body}${msg.own ? '' : ` (${msg.latencyMs} ms)`}`;
    if (msg.own) li.className = 'own';
    $('chat-log').append(li);
  }

  private async createProducer(): Promise<types.DataProducer> {
    const info = await this.api.createProducerPeer(this.roomId, this.state.userId, true);
    const transport = this.device.createSendTransport({
      id: info.id,
      iceParameters: info.iceParameters,
      iceCandidates: info.iceCandidates,
      dtlsParameters: info.dtlsParameters,
      sctpParameters: info.sctpParameters,
    });
    this.sendTransport = transport;
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      this.api.connectProducerPeer(transport.id, dtlsParameters).then(() => callback(), errback);
    });
    transport.on('producedata', ({ sctpStreamParameters, label, protocol, appData }, callback, errback) => {
      this.api.produceData(transport.id, sctpStreamParameters, label ?? '', protocol ?? '', appData).then(({ id }) => callback({ id }), errback);
    });
    const producer = await transport.produceData({ ordered: true, label: LABEL, protocol: 'json', appData: { userId: this.state.userId } });
    this.state.chat.dataProducerId = producer.id;
    this.ui.info(`chat: writing on data producer ${producer.id}`);
    await new Promise<void>((resolve, reject) => {
      if (producer.readyState === 'open') return resolve();
      producer.on('open', () => resolve());
      producer.on('error', (err: Error) => reject(err));
    });
    return producer;
  }

  private ensureRecv(): Promise<types.Transport> {
    this.recvSetup ??= this.createRecv().catch((err) => {
      this.recvSetup = null;
      throw err;
    });
    return this.recvSetup;
  }

  private async createRecv(): Promise<types.Transport> {
    const router = await this.api.consumerRouter(this.roomId, this.state.userId);
    const info = await this.api.createConsumerPeer(router.id, this.state.userId, true);
    const transport = this.device.createRecvTransport({
      id: info.id,
      iceParameters: info.iceParameters,
      iceCandidates: info.iceCandidates,
      dtlsParameters: info.dtlsParameters,
      sctpParameters: info.sctpParameters,
    });
    this.recvTransport = transport;
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      this.api.connectConsumerPeer(transport.id, dtlsParameters).then(() => callback(), errback);
    });
    return transport;
  }
}
