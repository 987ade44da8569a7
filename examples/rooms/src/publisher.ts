// Publisher sends this page's camera and microphone: one producer peer (a send transport) with an audio and a
// video producer. The camera goes out as mediasoup-demo's three simulcast encodings unless the page's "simulcast"
// box is unticked or the router takes no RID (then one encoding). Lifecycle: new → publish() → close(); never reused.
import type { Device, types } from 'mediasoup-client';
import type { Api } from './api';
import { selectedProtocol } from './ice';
import { routerTakesRid, SIMULCAST_ENCODINGS } from './simulcast';
import type { DemoState } from './state';
import type { Ui } from './ui';

type Kind = 'audio' | 'video';

export interface PublisherStats {
  at: number; // performance.now() of the reading, ms
  videoBytesSent: number;
  frameWidth: number;
  frameHeight: number;
  targetBitrate: number; // the encoder's target, bit/s
  availableOutgoingBitrate: number; // the bandwidth estimate, bit/s
  qualityLimitationReason: string; // why the encoder sends less than it could: none, bandwidth, cpu, other
  qualityLimitationResolutionChanges: number;
  videoLayers: SentLayer[]; // one per encoding (outbound-rtp), lowest rid first
}

// SentLayer is one encoding of the camera as the browser sends it.
export interface SentLayer {
  rid: string;
  frameWidth: number;
  frameHeight: number;
  bytesSent: number;
  framesPerSecond: number;
  keyFramesEncoded: number;
  pliCount: number; // keyframe requests the browser received for this encoding (PLI)
  firCount: number;
}

export class Publisher {
  private transport: types.Transport | null = null;
  private stream: MediaStream | null = null;
  private readonly producers = new Map<Kind, types.Producer>();

  constructor(
    private readonly api: Api,
    private readonly device: Device,
    private readonly roomId: string,
    private readonly routerCaps: types.RtpCapabilities,
    private readonly state: DemoState,
    private readonly ui: Ui,
  ) {}

  ownProducerIds(): Set<string> {
    return new Set([...this.producers.values()].map((p) => p.id));
  }

  // publish sends the given kinds (default camera and microphone). It may be called again for kinds not sent yet
  // (e.g. audio first, video later): they go out on the same send transport.
  async publish(kinds: Kind[] = ['audio', 'video']): Promise<void> {
    const wanted = kinds.filter((k) => !this.producers.has(k));
    if (wanted.length === 0) throw new Error(`already publishing ${kinds.join(' + ')}`);
    if (!this.device.canProduce('video') && !this.device.canProduce('audio')) {
      throw new Error('this browser cannot produce any codec of the room (router capabilities)');
    }
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: wanted.includes('audio'),
      video: wanted.includes('video') ? { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 30 } } : false,
    });
    if (this.stream) stream.getTracks().forEach((t) => this.stream!.addTrack(t));
    else this.stream = stream;
    const transport = this.transport ?? (await this.createTransport());
    this.showPreview();
    // Audio first: it is the smaller negotiation, and a failure there shows quickly.
    for (const track of [...stream.getAudioTracks(), ...stream.getVideoTracks()]) {
      const kind = track.kind as Kind;
      if (!this.device.canProduce(kind)) {
        this.ui.error(new Error(`the room has no ${kind} codec this browser can send; ${kind} not published`));
        continue;
      }
      // Video starts at 1 Mbit/s (mediasoup's demo does the same): Chrome's default start (300 kbit/s) makes it
      // encode 320x240 for the first seconds, until its bandwidth estimate lets it scale up.
      const codecOptions = kind === 'video' ? { videoGoogleStartBitrate: 1000 } : undefined;
      const encodings = kind === 'video' ? this.videoEncodings() : undefined;
      const producer = await transport.produce({ track, stopTracks: false, codecOptions, encodings, appData: { source: kind === 'video' ? 'camera' : 'mic' } });
      if (kind === 'video') this.state.videoEncodings = encodings?.length ?? 1;
      this.producers.set(kind, producer);
      this.state.producers[kind] = producer.id;
      this.state.producerIds.push(producer.id);
      const layered = kind === 'video' && encodings ? ` (simulcast ${encodings.map((e) => e.rid).join('/')})` : '';
      this.ui.info(`producing ${kind} ${producer.id}${layered}`);
    }
  }

  // videoEncodings are the camera's encodings: mediasoup-demo's three when the box is ticked and the router takes
  // RID, otherwise none given (one encoding).
  private videoEncodings(): types.RtpEncodingParameters[] | undefined {
    if (!this.state.simulcast) return undefined;
    if (!routerTakesRid(this.routerCaps)) {
      this.ui.info('the room\'s router offers no RID header extension: camera sent as one encoding, not simulcast');
      return undefined;
    }
    return SIMULCAST_ENCODINGS.map((e) => ({ ...e }));
  }

  private async createTransport(): Promise<types.Transport> {
    const info = await this.api.createProducerPeer(this.roomId, this.state.userId);
    const transport = this.device.createSendTransport({
      id: info.id,
      iceParameters: info.iceParameters,
      iceCandidates: info.iceCandidates,
      dtlsParameters: info.dtlsParameters,
    });
    this.transport = transport;
    this.state.sendTransportState = transport.connectionState;
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      this.api.connectProducerPeer(transport.id, dtlsParameters).then(() => callback(), (err) => {
        this.ui.error(err, 'connect send transport');
        errback(err);
      });
    });
    transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
      this.api.produce(transport.id, kind, rtpParameters, appData).then(({ id }) => callback({ id }), (err) => {
        errback(err);
      });
    });
    transport.on('connectionstatechange', (s) => {
      this.state.sendTransportState = s;
      this.ui.info(`send transport ${s}`);
      if (s === 'failed') this.ui.error(new Error('send transport failed (ICE/DTLS): is the producer slave reachable?'));
    });
    return transport;
  }

  // showPreview shows the local camera (or, until there is one, the microphone) in the "you" tile.
  private showPreview(): void {
    const track = this.stream?.getVideoTracks()[0] ?? this.stream?.getAudioTracks()[0];
    if (!track) return;
    const current = document.querySelector<HTMLMediaElement>('[data-tile="local"] video, [data-tile="local"] audio');
    if (current && current.tagName.toLowerCase() !== track.kind) this.ui.removeTile('local');
    this.ui.tile('local', `you (${this.state.userId})`, track, true);
  }

  has(kind: Kind): boolean {
    return this.producers.has(kind);
  }

  // setPaused asks the server first: if it refuses, the local state stays as it was.
  async setPaused(kind: Kind, paused: boolean): Promise<void> {
    const producer = this.producers.get(kind);
    if (!producer) throw new Error(`no ${kind} producer to ${paused ? 'pause' : 'resume'}`);
    await this.api.setProducerPaused(producer.id, paused);
    if (paused) producer.pause();
    else producer.resume();
    this.state.paused[kind] = paused;
    this.ui.setBadge('local', [this.state.paused.audio ? 'audio paused' : '', this.state.paused.video ? 'video paused' : ''].filter(Boolean).join(', '));
  }

  // sendStats is the send side as the browser sees it: how fast the video goes out and what the browser's bandwidth
  // estimation allows (it needs the server's transport-cc feedback to probe the path; without it, it creeps up).
  async sendStats(): Promise<PublisherStats | null> {
    if (!this.transport) return null;
    const report = await this.transport.getStats();
    const out: PublisherStats = {
      at: performance.now(), videoBytesSent: 0, frameWidth: 0, frameHeight: 0, targetBitrate: 0, availableOutgoingBitrate: 0,
      qualityLimitationReason: '', qualityLimitationResolutionChanges: 0, videoLayers: [],
    };
    report.forEach((s) => {
      if (s.type === 'outbound-rtp' && s.kind === 'video') {
        out.videoBytesSent += s.bytesSent ?? 0;
        out.frameWidth = Math.max(out.frameWidth, s.frameWidth ?? 0);
        out.frameHeight = Math.max(out.frameHeight, s.frameHeight ?? 0);
        out.targetBitrate += s.targetBitrate ?? 0;
        out.qualityLimitationReason = s.qualityLimitationReason ?? '';
        out.qualityLimitationResolutionChanges = s.qualityLimitationResolutionChanges ?? 0;
        out.videoLayers.push({ rid: s.rid ?? '', frameWidth: s.frameWidth ?? 0, frameHeight: s.frameHeight ?? 0, bytesSent: s.bytesSent ?? 0, framesPerSecond: s.framesPerSecond ?? 0,
          keyFramesEncoded: s.keyFramesEncoded ?? 0, pliCount: s.pliCount ?? 0, firCount: s.firCount ?? 0 });
      } else if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') {
        out.availableOutgoingBitrate = s.availableOutgoingBitrate ?? 0;
      }
    });
    out.videoLayers.sort((a, b) => a.rid.localeCompare(b.rid));
    return out;
  }

  iceProtocol(): Promise<string | null> {
    return selectedProtocol(this.transport);
  }

  close(): void {
    for (const p of this.producers.values()) p.close();
    this.producers.clear();
    this.transport?.close();
    this.transport = null;
    this.stream?.getTracks().forEach((t) => t.stop());
    this.stream = null;
    this.ui.removeTile('local');
  }
}
