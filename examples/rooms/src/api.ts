// The master's public API, one function per endpoint. Every failure becomes an ApiError carrying the server's
// {"code","error","message"} body, so the UI can show the server's own words.
import type { types } from 'mediasoup-client';

type RtpCapabilities = types.RtpCapabilities;
type RtpParameters = types.RtpParameters;
type MediaKind = types.MediaKind;

export class ApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly kind: string,
    readonly serverMessage: string,
  ) {
    super(`${method} ${path} failed: ${status ? status + ' ' : ''}${kind}: ${serverMessage}`);
    this.name = 'ApiError';
  }
}

export type RoomInfo = { id: string; rtpCapabilities: RtpCapabilities };
// A room as GET /rooms lists it (and GET /rooms/:id answers): when it was made and how many peers it has.
export type RoomSummary = RoomInfo & { createdAt: string; peerCount: number; producerPeerCount: number; consumerPeerCount: number };
export type RoomPage = { items: RoomSummary[]; pagination: { page: number; pageSize: number; total: number } };
export type TransportInfo = {
  id: string;
  iceParameters: types.IceParameters;
  iceCandidates: types.IceCandidate[];
  dtlsParameters: types.DtlsParameters;
  sctpParameters?: types.SctpParameters; // set when the peer was created with sctpCapabilities (data channels)
};
// DataProducerRow is one data producer of a room (GET /rooms/:id/data_producers).
export type DataProducerRow = {
  id: string;
  peerId: string;
  userId: string;
  sctpStreamParameters: types.SctpStreamParameters;
  label: string;
  protocol: string;
  appData: Record<string, unknown>;
};
// DataConsumeInfo answers consume_data: what transport.consumeData() takes.
export type DataConsumeInfo = {
  id: string;
  dataProducerId: string;
  sctpStreamParameters: types.SctpStreamParameters;
  label: string;
  protocol: string;
  appData: Record<string, unknown>;
};
export type ProducerRow = { id: string; userId: string; producerId: string; kind: MediaKind; paused?: boolean };
export type ConsumeInfo = {
  id: string;
  producerId: string;
  kind: MediaKind;
  rtpParameters: RtpParameters;
  type: string;
  producerPaused: boolean;
};
// A spatial and a temporal layer of a simulcast consumer (a missing temporalLayer means the highest).
export type ConsumerLayers = { spatialLayer: number; temporalLayer?: number };
// RtpStreamStats is one stream as the server measures it (GET /consumers/:id/stats, mediasoup's getStats() shape).
export type RtpStreamStats = {
  type: 'inbound-rtp' | 'outbound-rtp';
  packetCount: number;
  byteCount: number;
  bitrate: number;
  packetsLost: number;
  fractionLost: number; // of 256
  score: number; // 0..10
  roundTripTime?: number; // ms
};
// GET /consumers/:id: what a consumer is and, for a simulcast one, what it is asked for and what it sends.
export type ConsumerInfo = {
  id: string;
  producerId: string;
  kind: MediaKind;
  type: string;
  paused: boolean;
  producerPaused: boolean;
  preferredLayers?: ConsumerLayers | null;
  currentLayers?: ConsumerLayers | null;
  score?: number; // 0–10, as mediasoup's
  availableOutgoingBitrate?: number; // the transport's downlink estimate, bit/s
};

export class Api {
  constructor(readonly base: string) {}

  eventsUrl(roomId: string): string {
    return `${this.base}/rooms/${enc(roomId)}/events`;
  }

  createRoom(): Promise<RoomInfo> {
    return this.call('POST', '/rooms', {});
  }
  getRoom(roomId: string): Promise<RoomSummary> {
    return this.call('GET', `/rooms/${enc(roomId)}`);
  }
  listRooms(pageSize = 100): Promise<RoomPage> {
    return this.call('GET', `/rooms?pageSize=${pageSize}`);
  }
  deleteRoom(roomId: string): Promise<unknown> {
    return this.call('DELETE', `/rooms/${enc(roomId)}`);
  }
  createProducerPeer(roomId: string, userId: string, enableSctp = false): Promise<TransportInfo> {
    return this.call('POST', `/rooms/${enc(roomId)}/producer_peers`, enableSctp ? { userId, enableSctp } : { userId });
  }
  produceData(peerId: string, sctpStreamParameters: types.SctpStreamParameters, label: string, protocol: string, appData: unknown): Promise<{ id: string }> {
    return this.call('POST', `/producer_peers/${enc(peerId)}/produce_data`, { sctpStreamParameters, label, protocol, appData });
  }
  listDataProducers(roomId: string): Promise<DataProducerRow[]> {
    return this.call('GET', `/rooms/${enc(roomId)}/data_producers`);
  }
  consumeData(peerId: string, dataProducerId: string): Promise<DataConsumeInfo> {
    return this.call('POST', `/consumer_peers/${enc(peerId)}/consume_data`, { dataProducerId });
  }
  connectProducerPeer(peerId: string, dtlsParameters: types.DtlsParameters): Promise<unknown> {
    return this.call('POST', `/producer_peers/${enc(peerId)}/connect`, { dtlsParameters });
  }
  produce(peerId: string, kind: MediaKind, rtpParameters: RtpParameters, appData: unknown): Promise<{ id: string }> {
    return this.call('POST', `/producer_peers/${enc(peerId)}/produce`, { kind, rtpParameters, appData });
  }
  listProducers(roomId: string): Promise<ProducerRow[]> {
    return this.call('GET', `/rooms/${enc(roomId)}/producer_peers`);
  }
  setProducerPaused(producerId: string, paused: boolean): Promise<unknown> {
    return this.call('POST', `/producers/${enc(producerId)}/${paused ? 'pause' : 'resume'}`, {});
  }
  consumerRouter(roomId: string, userId: string): Promise<RoomInfo> {
    return this.call('POST', `/rooms/${enc(roomId)}/consumer_routers`, { userId });
  }
  createConsumerTransportOnRoomRouter(roomId: string, userId: string): Promise<TransportInfo> {
    return this.call('POST', `/rooms/${enc(roomId)}/consumer_transports`, { userId });
  }
  createConsumerPeer(routerId: string, userId: string, enableSctp = false): Promise<TransportInfo> {
    return this.call('POST', `/router/${enc(routerId)}/consumer_peers`, enableSctp ? { userId, enableSctp } : { userId });
  }
  connectConsumerPeer(peerId: string, dtlsParameters: types.DtlsParameters): Promise<unknown> {
    return this.call('POST', `/consumer_peers/${enc(peerId)}/connect`, { dtlsParameters });
  }
  consume(peerId: string, producerId: string, rtpCapabilities: RtpCapabilities): Promise<ConsumeInfo> {
    return this.call('POST', `/consumer_peers/${enc(peerId)}/consume`, { producerId, rtpCapabilities });
  }
  resume(peerId: string, consumerId: string): Promise<unknown> {
    return this.call('POST', `/consumer_peers/${enc(peerId)}/resume`, { consumerId });
  }
  // restartIce gets new ICE credentials for a transport of either kind (mediasoup-client's transport.restartIce).
  restartIce(peerId: string): Promise<{ iceParameters: types.IceParameters }> {
    return this.call('POST', `/transports/${enc(peerId)}/restart_ice`, {});
  }
  setPreferredLayers(consumerId: string, layers: ConsumerLayers): Promise<unknown> {
    return this.call('POST', `/consumers/${enc(consumerId)}/preferred_layers`, layers);
  }
  getConsumer(consumerId: string): Promise<ConsumerInfo> {
    return this.call('GET', `/consumers/${enc(consumerId)}`);
  }
  // consumerStats is mediasoup's consumer.getStats() on the server: the outbound stream, then the producer's.
  consumerStats(consumerId: string): Promise<RtpStreamStats[]> {
    return this.call('GET', `/consumers/${enc(consumerId)}/stats`);
  }
  logout(userId: string, roomId: string): Promise<unknown> {
    return this.call('POST', `/user/${enc(userId)}/logout`, { roomId });
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const init: RequestInit = { method, headers: { Accept: 'application/json' } };
    if (body !== undefined) {
      init.headers = { ...init.headers, 'Content-Type': 'application/json' };
      init.body = JSON.stringify(body);
    }
    let res: Response;
    try {
      res = await fetch(this.base + path, init);
    } catch (err) {
      throw new ApiError(method, path, 0, 'network_error', `${(err as Error).message} (is the API at ${this.base} reachable?)`);
    }
    const text = await res.text();
    let data: unknown = undefined;
    try {
      data = text === '' ? {} : JSON.parse(text);
    } catch {
      // Not JSON: a proxy's error page, or the wrong base URL. Show the start of it.
    }
    if (!res.ok) {
      const e = (data ?? {}) as { error?: string; message?: string };
      throw new ApiError(method, path, res.status, e.error ?? res.statusText ?? 'error', e.message ?? (text.slice(0, 200) || 'no message'));
    }
    if (data === undefined) {
      throw new ApiError(method, path, res.status, 'bad_response', `the answer is not JSON: ${text.slice(0, 200)}`);
    }
    return data as T;
  }
}

function enc(s: string): string {
  return encodeURIComponent(s);
}
