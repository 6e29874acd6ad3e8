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
 *
 * <p>The page's clock is not ours. So the mixer stamps what it sends the other way too: one
 * event in five of each synthetic stream carries 12 bytes of padding {@code "Dmix"} and our send
 * time (server Unix ms, float64). The page notes when it received the one that came fastest, and
 * about twice a second its stamp carries that pair after the capture time (28 bytes of padding:
 * {@code "Duet"}, capture time, our send time, its receive time). Our send time against its
 * receive time bounds the offset between the clocks from below, as each capture time against its
 * arrival bounds it from above: together the four-timestamp exchange of the sync machinery
 * ({@code SenderClockSync}, a measured offset with an error bound of half the round trip).
 * Reading and writing allocate nothing.
 */
public final class CaptureStamp {

    /** Padding bytes a stamp takes: magic and one time. */
    public static final int PADDING = 12;
    /** Padding bytes of a page's stamp that also echoes one of ours: magic and three times. */
    public static final int PADDING_WITH_ECHO = 28;
    /** The abs-capture-time header extension id the transport writes the stamp into. */
    public static final int EXTENSION_ID = 1;

    private static final int MAGIC = ('D' << 24) | ('u' << 16) | ('e' << 8) | 't';
    private static final int MIXER_MAGIC = ('D' << 24) | ('m' << 16) | ('i' << 8) | 'x';
    /** One frame at most (RFC 6716: 1275 bytes). */
    private static final int MAX_FRAME = 1275;
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
        int at = pageStampAt(payload, len);
        if (at < 0) {
            return 0;
        }
        double unixMs = readTime(payload, at + 4);
        return Double.isNaN(unixMs) ? 0 : NtpTime.fromUnixNanos(Math.round(unixMs * 1_000_000d));
    }

    /** The mixer's send time (server Unix ms) a page's stamp echoes, or NaN when it echoes none. */
    public static double echoedSendUnixMs(byte[] payload, int len) {
        int at = pageStampAt(payload, len);
        return at < 0 || (payload[2] & 0xFF) != PADDING_WITH_ECHO ? Double.NaN : readTime(payload, at + 12);
    }

    /** When the page received the echoed event (its clock, Unix ms), or NaN. */
    public static double echoReceivedUnixMs(byte[] payload, int len) {
        int at = pageStampAt(payload, len);
        return at < 0 || (payload[2] & 0xFF) != PADDING_WITH_ECHO ? Double.NaN : readTime(payload, at + 20);
    }

    /** Where a page's stamp (its magic) starts in the packet, or -1. */
    private static int pageStampAt(byte[] payload, int len) {
        int padding = paddingOf(payload, 0, len);
        if (padding != PADDING && padding != PADDING_WITH_ECHO) {
            return -1;
        }
        int at = len - padding;
        return readInt(payload, at) == MAGIC ? at : -1;
    }

    /** The padding length of a code 3, CBR, one-frame packet with a one-byte padding length, else -1. */
    private static int paddingOf(byte[] payload, int off, int len) {
        // CBR (v = 0), padding present (p = 1), one frame (M = 1)
        if (len < 4 || (payload[off] & 0x3) != 3 || (payload[off + 1] & 0xFF) != 0x41) {
            return -1;
        }
        int padding = payload[off + 2] & 0xFF;
        return padding < 255 && len >= 3 + padding + 1 ? padding : -1;
    }

    /**
     * Writes {@code packet} with our send time stamped into {@code out} (a one-frame packet: code
     * 0, or code 3 carrying a page's stamp, which is replaced: the partner's page has no use for
     * it), returning the new length; -1 when the packet has another layout (sent as it is).
     */
    public static int stampSend(byte[] packet, int off, int len, double serverUnixMs, byte[] out) {
        if (len < 1) {
            return -1;
        }
        int frameFrom;
        int frameTo;
        if ((packet[off] & 0x3) == 0) {
            frameFrom = off + 1;
            frameTo = off + len;
        } else {
            int padding = paddingOf(packet, off, len);
            if (padding < 0) {
                return -1;
            }
            frameFrom = off + 3;
            frameTo = off + len - padding;
        }
        int frame = frameTo - frameFrom;
        int total = 3 + frame + PADDING;
        if (frame < 1 || frame > MAX_FRAME || out.length < total) {
            return -1;
        }
        out[0] = (byte) (packet[off] | 0x3);
        out[1] = 0x41;
        out[2] = PADDING;
        System.arraycopy(packet, frameFrom, out, 3, frame);
        int at = 3 + frame;
        writeInt(out, at, MIXER_MAGIC);
        long bits = Double.doubleToLongBits(serverUnixMs);
        writeInt(out, at + 4, (int) (bits >>> 32));
        writeInt(out, at + 8, (int) bits);
        return total;
    }

    /** A mixer's send time in a packet (for tests and for the page's twin), or NaN. */
    public static double sendUnixMs(byte[] payload, int len) {
        if (paddingOf(payload, 0, len) != PADDING || readInt(payload, len - PADDING) != MIXER_MAGIC) {
            return Double.NaN;
        }
        return readTime(payload, len - PADDING + 4);
    }

    /** A plausible Unix ms time at {@code at} (float64, big-endian), else NaN. */
    private static double readTime(byte[] b, int at) {
        double unixMs = Double.longBitsToDouble(((long) readInt(b, at) << 32) | (readInt(b, at + 4) & 0xFFFF_FFFFL));
        return unixMs >= MIN_UNIX_MS && unixMs <= MAX_UNIX_MS ? unixMs : Double.NaN; // also refuses NaN
    }

    private static void writeInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    private static int readInt(byte[] b, int at) {
        return ((b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
    }
}
