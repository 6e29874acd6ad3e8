/**
 * A singer's capture time inside the Opus packet (the mixer's reader: org.duet.mixer.jitsi.CaptureStamp).
 *
 * Through Jitsi, Duet's mixer gets a singer's audio from the bridge's media export: the Opus
 * payload, with media timestamps the bridge anchored on their arrival there. No RTCP and no header
 * extension passes, so the mixer cannot tell when the audio was captured, only when it arrived;
 * a glitch in the singer's capture (samples lost while the wall clock ran on) or a queue on the
 * way looks the same to it. Chromium knows each frame's capture time (RTCEncodedAudioFrame
 * metadata captureTime); this writes it into the packet's padding, which Opus decoders skip
 * (RFC 6716 section 3.2.5): a one-frame packet (code 0) becomes code 3 with one frame and 12
 * bytes of padding, "Duet" and the capture time as Unix ms (float64, big-endian).
 */

export const STAMP_PADDING = 12;
/** One frame in this many is stamped (10 a second at 20 ms): between stamps media time runs on. */
export const STAMP_EVERY = 5;

/**
 * The stamped packet, or null when this packet is not stamped (not a one-frame code 0 packet,
 * empty, or too long for a frame).
 * @param {Uint8Array} packet an Opus packet
 * @param {number} unixMs the capture time, Unix ms on this page's clock
 */
export function stampOpus(packet, unixMs) {
  if (!(packet instanceof Uint8Array) || packet.length < 2 || (packet[0] & 0x3) !== 0
      || packet.length - 1 > 1275 || !Number.isFinite(unixMs)) {
    return null;
  }
  const out = new Uint8Array(packet.length + 2 + STAMP_PADDING);
  out[0] = packet[0] | 0x3; // code 3: frame count byte follows
  out[1] = 0x41; // v = 0 (CBR), p = 1 (padding), M = 1 frame
  out[2] = STAMP_PADDING; // padding length
  out.set(packet.subarray(1), 3);
  const at = out.length - STAMP_PADDING;
  out.set([0x44, 0x75, 0x65, 0x74], at); // "Duet"
  new DataView(out.buffer).setFloat64(at + 4, unixMs, false);
  return out;
}

/** The capture time a stamped packet carries (Unix ms), or NaN. For tests and the reader's twin. */
export function readStamp(packet) {
  const n = packet.length;
  if (n < 3 + STAMP_PADDING + 1 || (packet[0] & 0x3) !== 3 || packet[1] !== 0x41 || packet[2] !== STAMP_PADDING) {
    return NaN;
  }
  const at = n - STAMP_PADDING;
  if (packet[at] !== 0x44 || packet[at + 1] !== 0x75 || packet[at + 2] !== 0x65 || packet[at + 3] !== 0x74) return NaN;
  return new DataView(packet.buffer, packet.byteOffset).getFloat64(at + 4, false);
}
