// Runs the encoded-frame streams of the bridge connection (encoded-frames.js) off the page's main
// thread: a busy page must not hold the audio up. Senders of audio get capture stamps; everything
// else passes through untouched.
import { stampOpus, readMixerStamp, STAMP_EVERY } from './capture-stamp.js';

// The mixer's send time that reached this page fastest since the last echo, with when it came
// (capture-stamp.js): echoed about twice a second.
const ECHO_EVERY_MS = 500;
let best = null;
let lastEcho = 0;
let mixerStamps = 0;
let echoes = 0;

function noteMixerStamp(frame) {
  const send = readMixerStamp(new Uint8Array(frame.data));
  if (Number.isNaN(send)) return;
  mixerStamps++;
  const meta = frame.getMetadata ? frame.getMetadata() : null;
  // receiveTime: when the packet arrived (Chromium 1xx and later); else now, a little later
  const at = meta && typeof meta.receiveTime === 'number' && meta.receiveTime > 0 ? meta.receiveTime : performance.now();
  const received = performance.timeOrigin + at;
  if (!best || received - send < best.received - best.send) best = { send, received };
}

function takeEcho(now) {
  if (!best || now - lastEcho < ECHO_EVERY_MS) return null;
  const e = best;
  best = null;
  lastEcho = now;
  echoes++;
  return e;
}

let stamped = 0;
let frames = 0;
// A test harness's reference (encoded-frames.js recordSent): what this page sent, frame by frame,
// with Chromium's capture time, at most a minute of it.
const MAX_RECORDED = 3000;
let recording = false;
let recorded = [];
// ... and every frame received, by stream: when it came and which Opus frame it carried (the same
// frame reaches a singer through Duet and straight from the bridge: the harness compares the two)
const MAX_RECEIVED = 12000;
let received = [];
// ... and with each received frame's RTP timestamp and Opus bytes too (a listener measured by a
// harness, encoded-frames.js recordSent withData): its mix is decoded by media time
let receivedData = false;

/** A number for the Opus frame a packet carries, whatever stamp padding either side added. */
function frameKey(b) {
  let from = 1;
  let to = b.length;
  if ((b[0] & 0x3) === 3) {
    if (b.length < 4 || b[1] !== 0x41 || (b[2] !== 12 && b[2] !== 28)) return 0;
    from = 3;
    to = b.length - b[2];
  }
  let h = 0x811c9dc5 ^ (b[0] & 0xfc);
  for (let i = from; i < to; i++) h = Math.imul(h ^ b[i], 0x01000193);
  return (h >>> 0) + (to - from) * 4294967296;
}

function noteReceived(frame) {
  if (!recording || received.length >= MAX_RECEIVED) return;
  const meta = frame.getMetadata ? frame.getMetadata() : null;
  if (!meta || !meta.synchronizationSource) return;
  const at = typeof meta.receiveTime === 'number' && meta.receiveTime > 0 ? meta.receiveTime : performance.now();
  const bytes = new Uint8Array(frame.data);
  const entry = [meta.synchronizationSource, performance.timeOrigin + at, frameKey(bytes)];
  if (receivedData) entry.push(meta.rtpTimestamp, btoa(String.fromCharCode(...bytes)));
  received.push(entry);
}

self.onmessage = ({ data }) => {
  if (data.record !== undefined) {
    recording = data.record;
    if (recording) { recorded = []; received = []; receivedData = Boolean(data.withData); }
    return;
  }
  if (data.take) {
    self.postMessage({ sent: recorded, received });
    recorded = [];
    received = [];
    return;
  }
  const { readable, writable, stamp } = data;
  let n = 0;
  const transform = new TransformStream({
    transform(frame, controller) {
      if (stamp && recording && recorded.length < MAX_RECORDED) {
        const meta = frame.getMetadata ? frame.getMetadata() : null;
        if (meta && typeof meta.captureTime === 'number') {
          recorded.push({ rtp: meta.rtpTimestamp, capture: performance.timeOrigin + meta.captureTime,
            data: new Uint8Array(frame.data.slice(0)) });
        }
      }
      if (stamp && n++ % STAMP_EVERY === 0) {
        const meta = frame.getMetadata ? frame.getMetadata() : null;
        // captureTime: ms since this worker's time origin (Chromium 1xx and later)
        if (meta && typeof meta.captureTime === 'number' && meta.captureTime > 0) {
          const echo = takeEcho(performance.now());
          const out = stampOpus(new Uint8Array(frame.data), performance.timeOrigin + meta.captureTime, echo);
          if (!out && echo) best = echo; // not stamped: keep it for the next one
          if (out) {
            frame.data = out.buffer;
            stamped++;
          }
        }
      }
      if (!stamp) {
        noteReceived(frame);
        noteMixerStamp(frame);
      }
      frames++;
      controller.enqueue(frame);
    },
  });
  readable.pipeThrough(transform).pipeTo(writable).catch(() => {});
};

setInterval(() => self.postMessage({ stamped, frames, mixerStamps, echoes }), 2000);
