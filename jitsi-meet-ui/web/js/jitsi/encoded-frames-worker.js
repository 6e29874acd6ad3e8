// Runs the encoded-frame streams of the bridge connection (encoded-frames.js) off the page's main
// thread: a busy page must not hold the audio up. Senders of audio get capture stamps; everything
// else passes through untouched.
import { stampOpus, STAMP_EVERY } from './capture-stamp.js';

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
          const out = stampOpus(new Uint8Array(frame.data), performance.timeOrigin + meta.captureTime);
          if (out) {
            frame.data = out.buffer;
            stamped++;
          }
        }
      }
      frames++;
      controller.enqueue(frame);
    },
  });
  readable.pipeThrough(transform).pipeTo(writable).catch(() => {});
};

setInterval(() => self.postMessage({ stamped, frames }), 2000);
