// DemoState is what window.demo.state exposes to scripts (the browser test reads it instead of scraping the page).
// Times are performance.now() milliseconds of this page; firstFrameMs = firstFrameAt - consumeAt.
import type { ConsumerLayers } from './api';

export type ConsumerRecord = {
  consumerId: string;
  producerId: string;
  kind: 'audio' | 'video';
  peerId: string;
  userId: string;
  via: 'list' | 'event'; // announced by the full producer list or by a live producer_added event
  consumeAt: number; // the POST /consume request started
  consumedAt: number | null; // transport.consume() resolved
  resumedAt: number | null; // POST /resume answered
  firstFrameAt: number | null; // video: first decoded frame; audio: first packet received
  firstFrameMs: number | null;
  closed: boolean;
  type: string; // consume's answer: 'simple', or 'simulcast' for a layered producer
  spatialLayers: number; // layers the consumer can pick from (its scalabilityMode, 1 when simple)
  preferredLayers: ConsumerLayers | null; // set by the layer picker (null: never set, the server's default: highest)
};

// ChatMessage is one chat message this page sent (own) or received; latencyMs is receive time minus the sender's
// Date.now() at sending (the pages of one test share a clock).
export type ChatMessage = {
  from: string;
  own: boolean;
  kind: 'text' | 'binary';
  text: string;
  bytes: number;
  latencyMs: number;
  at: number;
};

export type DemoState = {
  userId: string;
  apiBase: string;
  consumeOn: 'consumer-router' | 'room-router'; // where the receive transport lives (?consume=room: the room's router)
  roomId: string | null;
  joined: boolean;
  events: 'off' | 'connecting' | 'sse' | 'polling';
  sendTransportState: string | null;
  recvTransportState: string | null;
  producers: { audio: string | null; video: string | null };
  producerIds: string[];
  paused: { audio: boolean; video: boolean };
  simulcast: boolean; // the "simulcast" checkbox: the next camera publish sends three encodings (if the router takes RID)
  videoEncodings: number; // encodings the camera producer was published with (0: no camera)
  consumers: ConsumerRecord[];
  consumerIds: string[];
  activeSpeaker: string | null; // producer id of the room's active speaker (active_speaker events)
  speakerEvents: { producerId: string; at: number }[]; // each active_speaker event, at = Date.now()
  volumes: { producerId: string; volume: number }[]; // the last volumes event
  volumesEvents: number;
  // chat: this page's data producer (null until it writes), the writers it reads (readyState tells whether the
  // data channel is open), and every message in order.
  chat: { dataProducerId: string | null; readers: { dataProducerId: string; userId: string; consumer: { readyState: string } }[]; messages: ChatMessage[] };
  errors: string[];
  log: string[];
};

export function newState(userId: string, apiBase: string, consumeOn: DemoState['consumeOn'] = 'consumer-router', simulcast = true): DemoState {
  return {
    userId,
    apiBase,
    consumeOn,
    roomId: null,
    joined: false,
    events: 'off',
    sendTransportState: null,
    recvTransportState: null,
    producers: { audio: null, video: null },
    producerIds: [],
    paused: { audio: false, video: false },
    simulcast,
    videoEncodings: 0,
    consumers: [],
    consumerIds: [],
    activeSpeaker: null,
    speakerEvents: [],
    volumes: [],
    volumesEvents: 0,
    chat: { dataProducerId: null, readers: [], messages: [] },
    errors: [],
    log: [],
  };
}
