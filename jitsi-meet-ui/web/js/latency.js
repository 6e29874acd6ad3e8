// The page's latency levers (docs/browser-latency.md): what the browser lets a page do to bring
// the partner's voice to the ear sooner. One place, so the Duet call and the direct reference call
// of the benchmark (direct-call.js) use exactly the same settings.
//
// Overrides for measuring one lever at a time: ?ptime=20, ?jbt=40 (ms, or "default"),
// ?latency=interactive|playback|<seconds>.

const params = new URLSearchParams(location.search);

/** Opus frame length we ask the other end to send (a=ptime in the remote description), ms. */
export const PTIME_MS = Number(params.get('ptime') || 10);

/**
 * RTCRtpReceiver.jitterBufferTarget in ms, or null to leave the browser's adaptive default.
 * The attribute is a floor the adaptive target may not go under, never a ceiling, so 0 asks for
 * the smallest delay the network allows (the default, null, behaves the same in Chromium 156).
 */
export const JITTER_BUFFER_TARGET_MS = params.get('jbt') === 'default' ? null : Number(params.get('jbt') || 0);

/**
 * AudioContext latencyHint: 'interactive' (the default; on Chromium/Linux a 10 ms output buffer),
 * or a number of seconds (0: the smallest buffer the device allows, which risks underruns on a
 * busy machine; docs/browser-latency.md has what it measured).
 */
export function audioLatencyHint() {
  const v = params.get('latency');
  if (v === null || v === 'interactive' || v === 'playback' || v === 'balanced') return v || 'interactive';
  return Number(v);
}

/**
 * Adds a=ptime/a=maxptime to every audio section of a remote description: libwebrtc picks its
 * Opus encoder's frame length from the remote description's ptime (10 ms halves the packetization
 * delay and the receiver's minimum buffer against 20 ms).
 */
export function withPtime(sdp, ptimeMs = PTIME_MS) {
  if (!ptimeMs) return sdp;
  const lines = sdp.split('\r\n').filter((l) => !/^a=(max)?ptime:/.test(l));
  const out = [];
  let inAudio = false;
  for (const l of lines) {
    if (l.startsWith('m=')) inAudio = l.startsWith('m=audio');
    out.push(l);
    if (inAudio && /^a=rtpmap:\d+ opus\/48000/i.test(l)) {
      out.push('a=ptime:' + ptimeMs, 'a=maxptime:' + ptimeMs);
    }
  }
  return out.join('\r\n');
}

/** Applies the receive-side lever to every audio receiver of {@code pc} (call again after ontrack). */
export function tuneReceivers(pc) {
  if (JITTER_BUFFER_TARGET_MS === null) return;
  for (const r of pc.getReceivers()) {
    if (r.track && r.track.kind === 'audio' && 'jitterBufferTarget' in r) {
      try { r.jitterBufferTarget = JITTER_BUFFER_TARGET_MS; } catch (e) { /* older browsers: leave it */ }
    }
  }
}

/** What the page applied, for the stats panel and the benchmark's report. */
export function leverSettings(ctx) {
  return {
    ptimeMs: PTIME_MS,
    jitterBufferTargetMs: JITTER_BUFFER_TARGET_MS,
    latencyHint: audioLatencyHint(),
    baseLatencyMs: ctx ? ctx.baseLatency * 1000 : null,
    outputLatencyMs: ctx && ctx.outputLatency !== undefined ? ctx.outputLatency * 1000 : null,
  };
}
