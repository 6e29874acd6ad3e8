// Reads the figures a singer cares about from RTCPeerConnection.getStats(), as deltas over the
// last interval where a lifetime average would hide what is happening now.

export class BrowserStats {
  constructor(pc) {
    this.pc = pc;
    this.prev = null;
  }

  /**
   * @param wanted optional Set of MediaStreamTrack ids: with several incoming audio streams (the
   *   Jitsi page), report the one being played; among several, the one with the most packets.
   */
  async read(wanted) {
    const report = await this.pc.getStats();
    const out = {};
    let inbound = null; let outbound = null; let pair = null; let remoteInbound = null;
    report.forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'audio') {
        if (wanted && !wanted.has(s.trackIdentifier)) return;
        if (!inbound || !wanted || (s.packetsReceived || 0) > (inbound.packetsReceived || 0)) inbound = s;
      }
      else if (s.type === 'outbound-rtp' && s.kind === 'audio') outbound = s;
      else if (s.type === 'remote-inbound-rtp' && s.kind === 'audio') remoteInbound = s;
      else if (s.type === 'transport' && s.selectedCandidatePairId) pair = report.get(s.selectedCandidatePairId);
    });
    if (!pair) report.forEach((s) => { if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') pair = s; });
    if (pair && pair.currentRoundTripTime !== undefined) out.rttMs = pair.currentRoundTripTime * 1000;
    else if (remoteInbound && remoteInbound.roundTripTime !== undefined) out.rttMs = remoteInbound.roundTripTime * 1000;
    if (inbound) {
      out.jitterMs = inbound.jitter * 1000;
      out.packetsIn = inbound.packetsReceived;
      out.lost = inbound.packetsLost;
      const p = this.prev && this.prev.id === inbound.id ? this.prev : null;
      if (p && inbound.jitterBufferEmittedCount > p.emitted) {
        out.jitterBufferMs = 1000 * (inbound.jitterBufferDelay - p.jbDelay) / (inbound.jitterBufferEmittedCount - p.emitted);
      } else if (inbound.jitterBufferEmittedCount > 0) {
        out.jitterBufferMs = 1000 * inbound.jitterBufferDelay / inbound.jitterBufferEmittedCount;
      }
      if (inbound.audioLevel !== undefined) out.receivedLevel = inbound.audioLevel;
      out.samplesReceived = inbound.totalSamplesReceived;
      if (inbound.totalSamplesReceived > 0) {
        out.concealedPercent = 100 * inbound.concealedSamples / inbound.totalSamplesReceived;
      }
      this.prev = { id: inbound.id, jbDelay: inbound.jitterBufferDelay, emitted: inbound.jitterBufferEmittedCount };
    }
    if (outbound) out.packetsOut = outbound.packetsSent;
    return out;
  }
}

/**
 * Lifetime totals of the incoming audio and the outgoing packet count of {@code pc}, for the
 * benchmark to difference over its measured window (jitter-buffer delay per emitted sample,
 * concealed share, packets per second sent).
 */
export async function audioTotals(pc) {
  if (!pc) return null;
  const report = await pc.getStats();
  const out = { at: performance.now() };
  report.forEach((s) => {
    if (s.type === 'inbound-rtp' && s.kind === 'audio' && (s.packetsReceived || 0) >= (out.packetsReceived || 0)) {
      out.packetsReceived = s.packetsReceived;
      out.jitterBufferDelay = s.jitterBufferDelay;
      out.jitterBufferTargetDelay = s.jitterBufferTargetDelay;
      out.jitterBufferMinimumDelay = s.jitterBufferMinimumDelay;
      out.jitterBufferEmittedCount = s.jitterBufferEmittedCount;
      out.concealedSamples = s.concealedSamples;
      out.totalSamplesReceived = s.totalSamplesReceived;
      out.insertedSamplesForDeceleration = s.insertedSamplesForDeceleration;
      out.removedSamplesForAcceleration = s.removedSamplesForAcceleration;
      out.jitter = s.jitter;
    } else if (s.type === 'outbound-rtp' && s.kind === 'audio') {
      out.packetsSent = s.packetsSent;
    }
  });
  return out;
}
