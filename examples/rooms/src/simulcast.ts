// Simulcast as mediasoup-demo does it: the camera goes out as three RID encodings (a quarter, half and full size,
// three temporal layers each); a viewer of such a producer gets a "simulcast" consumer and picks a spatial layer.
import type { types } from 'mediasoup-client';

// The encodings of mediasoup-demo's webcam producer: r0 = 1/4 size at 150 kbit/s, r1 = 1/2 at 500 kbit/s,
// r2 = full size at 1.5 Mbit/s; L1T3 = one spatial and three temporal layers per encoding (VP8 TIDs).
export const SIMULCAST_ENCODINGS: types.RtpEncodingParameters[] = [
  { rid: 'r0', scaleResolutionDownBy: 4, maxBitrate: 150000, scalabilityMode: 'L1T3' },
  { rid: 'r1', scaleResolutionDownBy: 2, maxBitrate: 500000, scalabilityMode: 'L1T3' },
  { rid: 'r2', scaleResolutionDownBy: 1, maxBitrate: 1500000, scalabilityMode: 'L1T3' },
];

// The header extension a router offers when it takes RID simulcast (mediasoup offers it for video, recvonly).
export const RID_URI = 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id';

// routerTakesRid tells whether a router (its rtpCapabilities) can receive RID encodings. A router that does not
// (an older cluster) would refuse a simulcast producer: the page then publishes one encoding.
export function routerTakesRid(caps: types.RtpCapabilities): boolean {
  return (caps.headerExtensions ?? []).some((h) => h.kind === 'video' && h.uri === RID_URI);
}

// spatialLayersOf reads the number of spatial layers of a consumer from its one encoding's scalabilityMode
// ("L3T3" → 3); 1 when there is none.
export function spatialLayersOf(rtpParameters: types.RtpParameters): number {
  const m = /^L(\d+)T\d+/.exec(rtpParameters.encodings?.[0]?.scalabilityMode ?? '');
  return m ? Math.max(1, Number(m[1])) : 1;
}

// layerNames names the spatial layers of a picker, lowest first.
export function layerNames(spatialLayers: number): string[] {
  switch (spatialLayers) {
    case 1:
      return ['high'];
    case 2:
      return ['low', 'high'];
    case 3:
      return ['low', 'medium', 'high'];
    default:
      return Array.from({ length: spatialLayers }, (_, i) => (i === 0 ? 'low' : i === spatialLayers - 1 ? 'high' : `medium ${i}`));
  }
}
