// A stand-in for the cluster used by selftest.mjs only: serves examples/rooms/dist and answers the master's public
// API under /api from memory, with fake ICE/DTLS parameters (no media ever flows). It records every request so the
// self-test can check what the page sent, and can push room events or refuse the event stream. Like the real router
// it offers the RID header extensions (simulcast) unless `rid` is false when a room is made; a consumer of a
// producer with several encodings is "simulcast" and takes preferred layers.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';

const RID_EXTENSIONS = [
  { kind: 'video', uri: 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id', preferredId: 2, preferredEncrypt: false, direction: 'recvonly' },
  { kind: 'video', uri: 'urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id', preferredId: 3, preferredEncrypt: false, direction: 'recvonly' },
];
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

export class MockCluster {
  constructor({ distDir, routerCaps }) {
    this.distDir = distDir;
    this.caps = routerCaps;
    this.rid = true; // rooms made while true offer the RID header extensions
    this.consumers = new Map(); // id → {producerId, kind, type, spatialLayers, preferredLayers}
    this.requests = []; // {method, path, body}
    this.rooms = new Map(); // id → {peers: Map, producers: Map}
    this.listeners = new Map(); // roomId → Set<res>
    this.sse = true; // false: GET /rooms/:id/events answers 404 (a master without the stream)
    this.seq = 0;
    this.server = http.createServer((req, res) => this.handle(req, res).catch((err) => this.send(res, 500, { code: 500, error: 'internal', message: err.message })));
  }

  async listen() {
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${this.server.address().port}/`;
  }

  async close() {
    for (const set of this.listeners.values()) for (const res of set) res.end();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  calls(method, pattern) {
    return this.requests.filter((r) => r.method === method && pattern.test(r.path));
  }

  // emit pushes a room event to every open stream of the room (named events, as our SSE endpoint may send them).
  emit(roomId, event) {
    for (const res of this.listeners.get(roomId) ?? []) res.write(`event: ${event.type}\ndata: ${JSON.stringify({ roomId, ...event })}\n\n`);
  }

  // addForeignProducer makes another user's producer appear in a room, with its event.
  addForeignProducer(roomId, userId, kind) {
    const room = this.rooms.get(roomId);
    const peerId = this.id('peer');
    const producerId = this.id('producer');
    room.peers.set(peerId, { userId, kind: 'producer' });
    room.producers.set(producerId, { peerId, userId, kind, paused: false, encodings: [] });
    this.emit(roomId, { type: 'producer_added', peerId, userId, producerId, kind });
    return producerId;
  }

  id(prefix) {
    return `${prefix}-${++this.seq}-${randomBytes(3).toString('hex')}`;
  }

  // roomCaps are the router capabilities of a new room: the given ones, plus RID simulcast when this.rid.
  roomCaps() {
    const own = this.caps.headerExtensions.filter((h) => !RID_EXTENSIONS.some((r) => r.uri === h.uri));
    return { ...this.caps, headerExtensions: this.rid ? [...own, ...RID_EXTENSIONS] : own };
  }

  // summary is a room as GET /rooms lists it (and GET /rooms/:id answers): creation time and peer counts.
  summary(id) {
    const room = this.rooms.get(id);
    const kinds = [...room.peers.values()].map((x) => x.kind);
    const producers = kinds.filter((k) => k === 'producer').length;
    const consumers = kinds.filter((k) => k === 'consumer').length;
    return { id, rtpCapabilities: room.caps, createdAt: room.createdAt, peerCount: producers + consumers, producerPeerCount: producers, consumerPeerCount: consumers };
  }

  transportInfo() {
    return {
      id: this.id('peer'),
      iceParameters: { usernameFragment: randomBytes(8).toString('hex'), password: randomBytes(16).toString('hex'), iceLite: true },
      // Port 9 (discard): nothing answers, so ICE never connects; the signalling is all this mock checks.
      iceCandidates: [{ foundation: 'udpcandidate', priority: 1076302079, address: '127.0.0.1', ip: '127.0.0.1', protocol: 'udp', port: 9, type: 'host' }],
      dtlsParameters: { role: 'auto', fingerprints: [{ algorithm: 'sha-256', value: [...randomBytes(32)].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':') }] },
    };
  }

  // consumerRtpParameters derives a consumer's parameters from the router capabilities, the way mediasoup does.
  // A simulcast producer's consumer has one encoding with scalabilityMode L<encodings>T<temporal layers>.
  consumerRtpParameters(kind, mid, caps, producerEncodings = []) {
    const codecs = caps.codecs.filter((c) => c.kind === kind).map((c) => ({
      mimeType: c.mimeType, payloadType: c.preferredPayloadType, clockRate: c.clockRate,
      ...(c.channels ? { channels: c.channels } : {}), parameters: c.parameters ?? {}, rtcpFeedback: c.rtcpFeedback ?? [],
    }));
    const ssrc = 100000000 + Math.floor(Math.random() * 800000000);
    const hasRtx = codecs.some((c) => c.mimeType.toLowerCase().endsWith('/rtx'));
    return {
      mid: String(mid),
      codecs,
      headerExtensions: caps.headerExtensions.filter((h) => h.kind === kind && h.direction !== 'recvonly').map((h) => ({ uri: h.uri, id: h.preferredId, encrypt: false, parameters: {} })),
      encodings: [{ ssrc, ...(hasRtx ? { rtx: { ssrc: ssrc + 1 } } : {}), ...layered(producerEncodings) }],
      rtcp: { cname: 'mock', reducedSize: true },
    };
  }

  send(res, status, body) {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  notFound(res, what, id) {
    this.send(res, 404, { code: 404, error: `${what}_not_found`, message: `${what} ${id} not found` });
  }

  async handle(req, res) {
    const url = new URL(req.url, 'http://x');
    if (!url.pathname.startsWith('/api/')) return this.serveStatic(url.pathname, res);
    const p = url.pathname.slice(4);
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const body = raw ? JSON.parse(raw) : {};
    this.requests.push({ method: req.method, path: p, body });
    let m;
    const route = (method, re) => req.method === method && (m = p.match(re));

    if (route('POST', /^\/rooms$/)) {
      const id = this.id('room');
      const caps = this.roomCaps();
      this.rooms.set(id, { caps, peers: new Map(), producers: new Map(), consumerPeers: new Map(), createdAt: new Date().toISOString() });
      return this.send(res, 200, { id, rtpCapabilities: caps });
    }
    if (route('GET', /^\/rooms\/([^/]+)\/events$/)) {
      if (!this.sse || !this.rooms.has(m[1])) return this.notFound(res, this.sse ? 'room' : 'route', p);
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
      res.write(': hello\n\n');
      if (!this.listeners.has(m[1])) this.listeners.set(m[1], new Set());
      this.listeners.get(m[1]).add(res);
      req.on('close', () => this.listeners.get(m[1])?.delete(res));
      return;
    }
    if (route('GET', /^\/rooms\/([^/]+)\/producer_peers$/)) {
      const room = this.rooms.get(m[1]);
      if (!room) return this.notFound(res, 'room', m[1]);
      return this.send(res, 200, [...room.producers].map(([producerId, x]) => ({ id: x.peerId, userId: x.userId, producerId, kind: x.kind, paused: x.paused })));
    }
    if (route('GET', /^\/rooms\/([^/]+)\/data_producers$/)) {
      // The demo's chat lists the room's data producers; this mock has none (no SCTP: nothing to connect).
      return this.rooms.has(m[1]) ? this.send(res, 200, []) : this.notFound(res, 'room', m[1]);
    }
    if (route('GET', /^\/rooms$/)) {
      const items = [...this.rooms.keys()].map((id) => this.summary(id));
      return this.send(res, 200, { items, pagination: { page: 1, pageSize: 100, total: items.length } });
    }
    if (route('GET', /^\/rooms\/([^/]+)$/)) {
      return this.rooms.has(m[1]) ? this.send(res, 200, this.summary(m[1])) : this.notFound(res, 'room', m[1]);
    }
    if (route('DELETE', /^\/rooms\/([^/]+)$/)) {
      const room = this.rooms.get(m[1]);
      if (!room) return this.notFound(res, 'room', m[1]);
      if (room.peers.size > 0) return this.send(res, 409, { code: 409, error: 'room_not_empty', message: `room ${m[1]} still has ${room.peers.size} peers` });
      this.rooms.delete(m[1]);
      this.emit(m[1], { type: 'room_deleted' });
      return this.send(res, 200, {});
    }
    if (route('POST', /^\/rooms\/([^/]+)\/producer_peers$/)) {
      const room = this.rooms.get(m[1]);
      if (!room) return this.notFound(res, 'room', m[1]);
      const info = this.transportInfo();
      // As the master: userId is optional, and a peer without one is its own user.
      room.peers.set(info.id, { userId: body.userId || info.id, kind: 'producer', roomId: m[1] });
      return this.send(res, 200, info);
    }
    if (route('POST', /^\/(producer|consumer)_peers\/([^/]+)\/connect$/)) {
      if (!body.dtlsParameters?.fingerprints?.length) return this.send(res, 400, { code: 400, error: 'invalid_input', message: 'dtlsParameters is required' });
      return this.findPeer(m[2]) ? this.send(res, 200, {}) : this.notFound(res, 'peer', m[2]);
    }
    if (route('POST', /^\/producer_peers\/([^/]+)\/produce$/)) {
      const found = this.findPeer(m[1]);
      if (!found) return this.notFound(res, 'peer', m[1]);
      const producerId = this.id('producer');
      const encodings = body.rtpParameters?.encodings ?? [];
      if (encodings.length > 1 && !found.room.caps.headerExtensions.some((h) => h.uri === RID_EXTENSIONS[0].uri)) {
        return this.send(res, 400, { code: 400, error: 'unsupported', message: 'simulcast needs the rid header extension, which this router does not offer' });
      }
      found.room.producers.set(producerId, { peerId: m[1], userId: found.peer.userId, kind: body.kind, paused: false, encodings });
      this.emit(found.roomId, { type: 'producer_added', peerId: m[1], userId: found.peer.userId, producerId, kind: body.kind });
      return this.send(res, 200, { id: producerId });
    }
    if (route('POST', /^\/producers\/([^/]+)\/(pause|resume)$/)) {
      for (const [roomId, room] of this.rooms) {
        const prod = room.producers.get(m[1]);
        if (!prod) continue;
        prod.paused = m[2] === 'pause';
        this.emit(roomId, { type: m[2] === 'pause' ? 'producer_paused' : 'producer_resumed', producerId: m[1], peerId: prod.peerId, userId: prod.userId, kind: prod.kind });
        return this.send(res, 200, {});
      }
      return this.notFound(res, 'producer', m[1]);
    }
    if (route('POST', /^\/rooms\/([^/]+)\/consumer_routers$/)) {
      if (!this.rooms.has(m[1])) return this.notFound(res, 'room', m[1]);
      return this.send(res, 200, { id: `router-of-${m[1]}`, rtpCapabilities: this.rooms.get(m[1]).caps });
    }
    if (route('POST', /^\/rooms\/([^/]+)\/consumer_transports$/)) {
      // The v4 alias: a consumer peer on the room's own router.
      const room = this.rooms.get(m[1]);
      if (!room) return this.notFound(res, 'room', m[1]);
      const info = this.transportInfo();
      room.peers.set(info.id, { userId: body.userId || info.id, kind: 'consumer', roomId: m[1], mids: 0 });
      return this.send(res, 200, info);
    }
    if (route('POST', /^\/router\/router-of-([^/]+)\/consumer_peers$/)) {
      const room = this.rooms.get(m[1]);
      if (!room) return this.notFound(res, 'router', m[1]);
      const info = this.transportInfo();
      room.peers.set(info.id, { userId: body.userId || info.id, kind: 'consumer', roomId: m[1], mids: 0 });
      return this.send(res, 200, info);
    }
    if (route('POST', /^\/consumer_peers\/([^/]+)\/consume$/)) {
      const found = this.findPeer(m[1]);
      if (!found) return this.notFound(res, 'peer', m[1]);
      if (!body.rtpCapabilities?.codecs?.length) return this.send(res, 400, { code: 400, error: 'invalid_input', message: 'rtpCapabilities is required' });
      const prod = found.room.producers.get(body.producerId);
      if (!prod) return this.notFound(res, 'producer', body.producerId);
      const rtpParameters = this.consumerRtpParameters(prod.kind, found.peer.mids++, found.room.caps, prod.encodings);
      const type = prod.encodings.length > 1 ? 'simulcast' : 'simple';
      const id = this.id('consumer');
      this.consumers.set(id, { producerId: body.producerId, kind: prod.kind, type, spatialLayers: prod.encodings.length, preferredLayers: null, producer: prod });
      return this.send(res, 200, { id, producerId: body.producerId, kind: prod.kind, rtpParameters, type, producerPaused: prod.paused });
    }
    if (route('POST', /^\/consumers\/([^/]+)\/preferred_layers$/)) {
      const c = this.consumers.get(m[1]);
      if (!c) return this.notFound(res, 'consumer', m[1]);
      if (c.type !== 'simulcast') return this.send(res, 400, { code: 400, error: 'invalid_input', message: `consumer ${m[1]} is not a simulcast consumer` });
      const { spatialLayer, temporalLayer } = body;
      if (!Number.isInteger(spatialLayer) || spatialLayer < 0 || spatialLayer >= c.spatialLayers || (temporalLayer !== undefined && !(Number.isInteger(temporalLayer) && temporalLayer >= 0 && temporalLayer < 3))) {
        return this.send(res, 400, { code: 400, error: 'invalid_input', message: `invalid input: spatialLayer must be in [0, ${c.spatialLayers - 1}]` });
      }
      c.preferredLayers = temporalLayer === undefined ? { spatialLayer } : { spatialLayer, temporalLayer };
      return this.send(res, 200, {});
    }
    if (route('GET', /^\/consumers\/([^/]+)$/)) {
      const c = this.consumers.get(m[1]);
      if (!c) return this.notFound(res, 'consumer', m[1]);
      const simulcast = c.type === 'simulcast';
      const preferred = c.preferredLayers ?? { spatialLayer: c.spatialLayers - 1, temporalLayer: 2 };
      return this.send(res, 200, {
        id: m[1], producerId: c.producerId, kind: c.kind, type: c.type, paused: false, producerPaused: c.producer.paused,
        // No media flows here, so nothing is sent: currentLayers stays absent, as for a consumer waiting for a keyframe.
        ...(simulcast ? { preferredLayers: preferred } : {}),
      });
    }
    if (route('POST', /^\/consumer_peers\/([^/]+)\/resume$/)) {
      return this.findPeer(m[1]) ? this.send(res, 200, {}) : this.notFound(res, 'peer', m[1]);
    }
    if (route('POST', /^\/user\/([^/]+)\/logout$/)) {
      const userId = decodeURIComponent(m[1]);
      for (const [roomId, room] of this.rooms) {
        if (body.roomId && body.roomId !== roomId) continue;
        for (const [peerId, peer] of room.peers) {
          if (peer.userId !== userId) continue;
          for (const [producerId, prod] of room.producers) {
            if (prod.peerId !== peerId) continue;
            room.producers.delete(producerId);
            this.emit(roomId, { type: 'producer_removed', producerId, peerId, userId, kind: prod.kind });
          }
          room.peers.delete(peerId);
          this.emit(roomId, { type: 'peer_left', peerId, userId });
        }
      }
      return this.send(res, 200, {});
    }
    return this.send(res, 404, { code: 404, error: 'route_not_found', message: `Cannot ${req.method} ${p}` });
  }

  findPeer(peerId) {
    for (const [roomId, room] of this.rooms) {
      const peer = room.peers.get(peerId);
      if (peer) return { roomId, room, peer };
    }
    return null;
  }

  async serveStatic(pathname, res) {
    const name = pathname === '/' ? 'index.html' : path.normalize(pathname).replace(/^\/+/, '');
    if (name.includes('..')) return this.send(res, 400, { code: 400, error: 'bad_path', message: pathname });
    try {
      const data = await readFile(path.join(this.distDir, name));
      res.writeHead(200, { 'Content-Type': TYPES[path.extname(name)] ?? 'application/octet-stream' });
      res.end(data);
    } catch {
      res.writeHead(404);
      res.end('not found');
    }
  }
}

// layered is what a consumer's one encoding says of a simulcast producer: L<spatial layers>T<temporal layers>.
function layered(producerEncodings) {
  if (producerEncodings.length < 2) return {};
  const t = Math.max(...producerEncodings.map((e) => Number(/^L\d+T(\d+)/.exec(e.scalabilityMode ?? '')?.[1] ?? 1)));
  return { scalabilityMode: `L${producerEncodings.length}T${t}` };
}
