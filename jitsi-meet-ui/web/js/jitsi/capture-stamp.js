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
 *
 * The page's clock is not the mixer's: the mixer stamps its own send time into what it sends
 * ("Dmix" and server Unix ms), the page keeps the one that reached it fastest with its receive
 * time, and echoes that pair after its next capture time (28 bytes of padding). The mixer then
 * has both directions of a clock exchange and measures the offset (docs/protocol.md section 9).
 */

export const STAMP_PADDING = 12;
export const STAMP_PADDING_WITH_ECHO = 28;
/** One frame in this many is stamped (10 a second at 20 ms): between stamps media time runs on. */
export const STAMP_EVERY = 5;

/**
 * The stamped packet, or null when this packet is not stamped (not a one-frame code 0 packet,
 * empty, or too long for a frame).
 * @param {Uint8Array} packet an Opus packet
 * @param {number} unixMs the capture time, Unix ms on this page's clock
 */
export function stampOpus(packet, unixMs, echo = null) {
  if (!(packet instanceof Uint8Array) || packet.length < 2 || (packet[0] & 0x3) !== 0
      || packet.length - 1 > 1275 || !Number.isFinite(unixMs)) {
    return null;
  }
  const withEcho = Boolean(echo && Number.isFinite(echo.send) && Number.isFinite(echo.received));
  const padding = withEcho ? STAMP_PADDING_WITH_ECHO : STAMP_PADDING;
  const out = new Uint8Array(packet.length + 2 + padding);
  out[0] = packet[0] | 0x3; // code 3: frame count byte follows
  out[1] = 0x41; // v = 0 (CBR), p = 1 (padding), M = 1 frame
  out[2] = padding; // padding length
  out.set(packet.subarray(1), 3);
  const at = out.length - padding;
  out.set([0x44, 0x75, 0x65, 0x74], at); // "Duet"
  const view = new DataView(out.buffer);
  view.setFloat64(at + 4, unixMs, false);
  if (withEcho) {
    view.setFloat64(at + 12, echo.send, false); // the mixer's send time, as it wrote it
    view.setFloat64(at + 20, echo.received, false); // when this page received it, its clock
  }
  return out;
}

/** The mixer's send time (server Unix ms) in a packet it sent ("Dmix" padding), or NaN. */
export function readMixerStamp(packet) {
  const n = packet.length;
  if (n < 3 + STAMP_PADDING + 1 || (packet[0] & 0x3) !== 3 || packet[1] !== 0x41 || packet[2] !== STAMP_PADDING) {
    return NaN;
  }
  const at = n - STAMP_PADDING;
  if (packet[at] !== 0x44 || packet[at + 1] !== 0x6d || packet[at + 2] !== 0x69 || packet[at + 3] !== 0x78) return NaN;
  return new DataView(packet.buffer, packet.byteOffset).getFloat64(at + 4, false);
}

/** The capture time a stamped packet carries (Unix ms), or NaN. For tests and the reader's twin. */
export function readStamp(packet) {
  const n = packet.length;
  const padding = packet[2];
  if (n < 3 + STAMP_PADDING + 1 || (packet[0] & 0x3) !== 3 || packet[1] !== 0x41
      || (padding !== STAMP_PADDING && padding !== STAMP_PADDING_WITH_ECHO) || n < 4 + padding) {
    return NaN;
  }
  const at = n - padding;
  if (packet[at] !== 0x44 || packet[at + 1] !== 0x75 || packet[at + 2] !== 0x65 || packet[at + 3] !== 0x74) return NaN;
  return new DataView(packet.buffer, packet.byteOffset).getFloat64(at + 4, false);
}
