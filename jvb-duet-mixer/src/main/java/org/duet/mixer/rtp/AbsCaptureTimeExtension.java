package org.duet.mixer.rtp;

/**
 * The abs-capture-time header extension (http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time):
 * either 8 bytes, the UQ32.32 NTP time at which the first sample of the frame was captured on the
 * capturing system's clock, or 16 bytes, that plus a signed Q32.32 estimate of the offset from the
 * capturer's clock to the sender's clock (the capturer's NTP time plus the offset is the sender's).
 * Static, allocation-free; a reader calls {@link #isValid} on the element length first.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  ID   | len=7 |     absolute capture timestamp (bit 0-23)     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |             absolute capture timestamp (bit 24-55)            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  ... (56-63)  |   (len=15: then 64 bits of estimated capture clock offset)
 * +-+-+-+-+-+-+-+-+
 * </pre>
 * The element's data is what {@link #captureNtp} and {@link #estimatedClockOffsetQ32} read at the
 * offset {@code RtpPacket.extensionOffset} gives (after the ID/len byte).
 */
public final class AbsCaptureTimeExtension {
    /** Capture timestamp only. */
    public static final int SHORT_LENGTH = 8;
    /** Capture timestamp and estimated capture clock offset. */
    public static final int LONG_LENGTH = 16;

    private AbsCaptureTimeExtension() {
    }

    /** 8 or 16 bytes. */
    public static boolean isValid(int len) {
        return len == SHORT_LENGTH || len == LONG_LENGTH;
    }

    /** True when the element carries the estimated capture clock offset. */
    public static boolean hasEstimatedClockOffset(int len) {
        return len == LONG_LENGTH;
    }

    /** The 64-bit UQ32.32 NTP capture timestamp (read with {@link #isValid} true). */
    public static long captureNtp(byte[] buf, int off) {
        return (RtpPacket.u32(buf, off) << 32) | RtpPacket.u32(buf, off + 4);
    }

    /** The signed Q32.32 estimated capture clock offset (only when {@link #hasEstimatedClockOffset}). */
    public static long estimatedClockOffsetQ32(byte[] buf, int off) {
        return (RtpPacket.u32(buf, off + 8) << 32) | RtpPacket.u32(buf, off + 12);
    }

    /** Writes the 8-byte form; returns 8. */
    public static int write(byte[] buf, int off, long captureNtp) {
        RtpWriter.putU64(buf, off, captureNtp);
        return SHORT_LENGTH;
    }

    /** Writes the 16-byte form; returns 16. */
    public static int write(byte[] buf, int off, long captureNtp, long estimatedClockOffsetQ32) {
        RtpWriter.putU64(buf, off, captureNtp);
        RtpWriter.putU64(buf, off + 8, estimatedClockOffsetQ32);
        return LONG_LENGTH;
    }
}
