// The ICE path a transport uses: the protocol ("udp", or "tcp" where the network drops UDP) of the selected
// candidate pair's local candidate, read from getStats; null before ICE selected a pair.
import type { types } from 'mediasoup-client';

export async function selectedProtocol(transport: types.Transport | null): Promise<string | null> {
  if (!transport || transport.closed) return null;
  const report = await transport.getStats();
  let pair: RTCIceCandidatePairStats | undefined;
  for (const s of report.values()) {
    if (s.type === 'transport' && s.selectedCandidatePairId) pair = report.get(s.selectedCandidatePairId);
  }
  if (!pair) {
    for (const s of report.values()) if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') pair = s;
  }
  return pair ? (report.get(pair.localCandidateId)?.protocol ?? null) : null;
}
