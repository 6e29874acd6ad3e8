/**
 * Capture stamps for a singer's audio through Jitsi (capture-stamp.js says why).
 *
 * lib-jitsi-meet creates the bridge connection itself, so this wraps the page's RTCPeerConnection
 * before lib-jitsi-meet makes one: with encodedInsertableStreams on, every sender and receiver of
 * that connection hands its encoded frames to this page (and stalls if nobody takes them), so each
 * is piped through a worker: audio senders get the stamps, the rest passes untouched. Chromium
 * only; where the browser lacks encoded streams nothing is wrapped and the mixer places the voice
 * by its arrival, as before.
 */

const state = { installed: false, piped: 0, stamped: 0, frames: 0, mixerStamps: 0, echoes: 0, error: null };
let worker = null;
let sentWaiters = [];

export function encodedFramesState() {
  return { ...state };
}

/**
 * For a test harness: records (true) or stops recording (false) every audio frame this page
 * sends, as Chromium encoded it, with its capture time, and every frame it receives (with its
 * RTP timestamp and Opus bytes too when {@code withData}); {@link takeSent} hands them over.
 */
export function recordSent(on, { withData = false } = {}) {
  if (worker) worker.postMessage({ record: Boolean(on), withData: Boolean(withData) });
}

/**
 * What was recorded since recordSent(true): { sent: [{ rtp, capture (Unix ms), data (Uint8Array) }],
 * received: [[ssrc, receive time (Unix ms), frame key(, rtp timestamp, base64 Opus)], ...] }.
 */
export function takeSent() {
  if (!worker) return Promise.resolve({ sent: [], received: [] });
  return new Promise((resolve) => {
    sentWaiters.push(resolve);
    worker.postMessage({ take: true });
  });
}

/**
 * Wraps window.RTCPeerConnection once; later connections get the encoded-frame pipes. A singer's
 * page installs it for the capture stamps; a listener's only as a measuring aid (config
 * receivedFrames), so that a harness can record the mix as it arrived.
 */
export function installCaptureStamps() {
  const Native = window.RTCPeerConnection;
  if (state.installed || !Native || !window.RTCRtpSender
      || typeof RTCRtpSender.prototype.createEncodedStreams !== 'function') {
    return false;
  }
  try {
    worker = new Worker(new URL('./encoded-frames-worker.js', import.meta.url), { type: 'module' });
  } catch (e) {
    state.error = String(e && e.message || e);
    return false;
  }
  worker.onmessage = ({ data }) => {
    if (data.sent) {
      sentWaiters.splice(0).forEach((w) => w({ sent: data.sent, received: data.received || [] }));
      return;
    }
    state.stamped = data.stamped;
    state.frames = data.frames;
    state.mixerStamps = data.mixerStamps;
    state.echoes = data.echoes;
  };
  const piped = new WeakSet();
  const pipe = (endpoint, stamp) => {
    if (!endpoint || piped.has(endpoint)) return;
    try {
      const { readable, writable } = endpoint.createEncodedStreams();
      piped.add(endpoint);
      worker.postMessage({ readable, writable, stamp }, [readable, writable]);
      state.piped++;
    } catch (e) {
      state.error = String(e && e.message || e); // already taken, or closed: leave it
    }
  };
  const pipeAll = (pc) => {
    // a sender may get its track later (replaceTrack): its transceiver's receiver says the kind
    pc.getTransceivers().forEach((t) => {
      const kind = (t.sender.track && t.sender.track.kind) || (t.receiver.track && t.receiver.track.kind);
      pipe(t.sender, kind === 'audio');
      pipe(t.receiver, false);
    });
    pc.getSenders().forEach((s) => pipe(s, Boolean(s.track && s.track.kind === 'audio')));
    pc.getReceivers().forEach((r) => pipe(r, false));
  };
  function Wrapped(config, ...rest) {
    const pc = new Native({ ...(config || {}), encodedInsertableStreams: true }, ...rest);
    pc.addEventListener('track', (e) => pipe(e.receiver, false));
    // senders get their track after the offer is applied (replaceTrack/addTrack): pipe them as
    // the descriptions settle, before media flows (ICE and DTLS come after)
    for (const name of ['setLocalDescription', 'setRemoteDescription']) {
      const original = pc[name].bind(pc);
      pc[name] = (...args) => original(...args).then((r) => { pipeAll(pc); return r; });
    }
    const addTrack = pc.addTrack.bind(pc);
    pc.addTrack = (...args) => { const s = addTrack(...args); pipe(s, args[0] && args[0].kind === 'audio'); return s; };
    return pc;
  }
  Wrapped.prototype = Native.prototype;
  Object.setPrototypeOf(Wrapped, Native); // static members (generateCertificate)
  window.RTCPeerConnection = Wrapped;
  state.installed = true;
  return true;
}
