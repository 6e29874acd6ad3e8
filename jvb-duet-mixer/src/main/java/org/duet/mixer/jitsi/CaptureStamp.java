package org.duet.mixer.jitsi;

import org.duet.mixer.clock.NtpTime;

/**
 * A singer's capture time, carried inside the Opus packet itself: the only thing that reaches the
 * mixer through the bridge's media export unchanged is the payload (no RTCP, no header
 * extensions, timestamps re-anchored by the bridge), so Duet's Jitsi page writes Chromium's own
 * capture time of a frame ({@code RTCEncodedAudioFrame.getMetadata().captureTime}) into the
 * packet's padding, which every Opus decoder skips (RFC 6716 section 3.2.5).
 *
 * <p>A one-frame packet (code 0: TOC and frame) becomes a code 3 packet with one frame and 12
 * bytes of padding:
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | config  |s|1 1|0|1|    M=1    | padding = 12  |               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+               |
 * |                 the original frame (N - 1 bytes)              |
 * |                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                               |  'D'  |  'u'  |  'e'  |  't'  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |      capture time: Unix ms on the page's clock, IEEE 754      |
 * |      binary64, big-endian                                     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * The page stamps one frame in five (the stamp maps the frame's media time to the page's clock;
 * between stamps the media time runs on). The writer is {@code jitsi-meet-ui/web/js/jitsi/capture-stamp.js}.
 * Reading allocates nothing.
 */
public final class CaptureStamp {

    /** Padding bytes a stamp takes. */
    public static final int PADDING = 12;
    /** The abs-capture-time header extension id the transport writes the stamp into. */
    public static final int EXTENSION_ID = 1;

    private static final int MAGIC = ('D' << 24) | ('u' << 16) | ('e' << 8) | 't';
    /** Capture times before 2001 or after 2286 are not a page's clock. */
    private static final double MIN_UNIX_MS = 978_307_200_000d;
    private static final double MAX_UNIX_MS = 9_999_999_999_999d;

    private CaptureStamp() {
    }

    /**
     * The capture time in {@code payload[0..len)} as a 64-bit NTP timestamp, or 0 when the packet
     * carries none (any other packet layout, a foreign padding, an implausible time).
     */
    public static long captureNtp(byte[] payload, int len) {
        if (len < 3 + PADDING + 1 || (payload[0] & 0x3) != 3) {
            return 0;
        }
        int count = payload[1] & 0xFF;
        // CBR (v = 0), padding present (p = 1), one frame (M = 1)
        if (count != 0x41 || (payload[2] & 0xFF) != PADDING) {
            return 0;
        }
        int at = len - PADDING;
        if (readInt(payload, at) != MAGIC) {
            return 0;
        }
        double unixMs = Double.longBitsToDouble(((long) readInt(payload, at + 4) << 32) | (readInt(payload, at + 8) & 0xFFFF_FFFFL));
        if (!(unixMs >= MIN_UNIX_MS && unixMs <= MAX_UNIX_MS)) { // also refuses NaN
            return 0;
        }
        return NtpTime.fromUnixNanos(Math.round(unixMs * 1_000_000d));
    }

    private static int readInt(byte[] b, int at) {
        return ((b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
    }
}
