// node --test: the capture stamp a singer's page writes into its Opus packets (js/jitsi/capture-stamp.js);
// the mixer's reader (CaptureStampTest) reads the same bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stampOpus, readStamp, readMixerStamp, STAMP_PADDING } from '../../../web/js/jitsi/capture-stamp.js';

const frame = (n, toc = 0x78) => Uint8Array.from({ length: n }, (_, i) => (i === 0 ? toc : (i * 37) & 0xff));

test('a one-frame packet becomes code 3, one frame, 12 bytes of padding, frame bytes unchanged', () => {
  const p = frame(80);
  const s = stampOpus(p, 1796191386342.125);
  assert.equal(s.length, 80 + 2 + STAMP_PADDING);
  assert.equal(s[0], 0x78 | 3);
  assert.equal(s[1], 0x41); // v = 0, p = 1, M = 1
  assert.equal(s[2], STAMP_PADDING);
  assert.deepEqual(s.subarray(3, 3 + 79), p.subarray(1)); // RFC 6716 3.2.5: frame = N - 3 - P bytes
  assert.equal(readStamp(s), 1796191386342.125);
  assert.deepEqual([...s.subarray(s.length - 12, s.length - 8)], [0x44, 0x75, 0x65, 0x74]);
});

test('packets that are not one code 0 frame are left alone', () => {
  assert.equal(stampOpus(frame(80, 0x79), 1), null); // code 1: two frames
  assert.equal(stampOpus(frame(80, 0x7b), 1), null); // code 3 already
  assert.equal(stampOpus(new Uint8Array([0x78]), 1), null); // TOC only (DTX)
  assert.equal(stampOpus(frame(1300), 1), null); // longer than one frame may be
  assert.equal(stampOpus(frame(80), NaN), null);
  assert.ok(Number.isNaN(readStamp(frame(80))));
  const s = stampOpus(frame(80), 5);
  s[s.length - 12] = 0x45; // another magic
  assert.ok(Number.isNaN(readStamp(s)));
});

test('a stamp can echo the mixer\'s send time with this page\'s receive time (28 bytes of padding)', () => {
  const s = stampOpus(frame(60), 1796191386342.5, { send: 1796191386300.25, received: 1796191386310.75 });
  assert.equal(s.length, 60 + 2 + 28);
  assert.equal(s[2], 28);
  assert.equal(readStamp(s), 1796191386342.5);
  const v = new DataView(s.buffer);
  assert.equal(v.getFloat64(s.length - 16, false), 1796191386300.25);
  assert.equal(v.getFloat64(s.length - 8, false), 1796191386310.75);
  assert.deepEqual(s.subarray(3, 3 + 59), frame(60).subarray(1));
  // an incomplete echo is left out
  assert.equal(stampOpus(frame(60), 1, { send: NaN, received: 2 }).length, 60 + 2 + 12);
});

test('the mixer\'s send stamp ("Dmix", as CaptureStamp.stampSend writes it) is read, a page\'s is not', () => {
  const p = new Uint8Array(3 + 40 + 12);
  p[0] = 0x78 | 3; p[1] = 0x41; p[2] = 12;
  p.set([0x44, 0x6d, 0x69, 0x78], 43);
  new DataView(p.buffer).setFloat64(47, 1796191386400.125, false);
  assert.equal(readMixerStamp(p), 1796191386400.125);
  assert.ok(Number.isNaN(readMixerStamp(stampOpus(frame(41), 5))));
  assert.ok(Number.isNaN(readMixerStamp(frame(55))));
});
