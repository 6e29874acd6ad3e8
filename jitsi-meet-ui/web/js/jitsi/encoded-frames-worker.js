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

self.onmessage = ({ data }) => {
  if (data.record !== undefined) {
    recording = data.record;
    if (recording) recorded = [];
    return;
  }
  if (data.take) {
    self.postMessage({ sent: recorded });
    recorded = [];
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
      if (!stamp) noteMixerStamp(frame);
      frames++;
      controller.enqueue(frame);
    },
  });
  readable.pipeThrough(transform).pipeTo(writable).catch(() => {});
};

setInterval(() => self.postMessage({ stamped, frames, mixerStamps, echoes }), 2000);
