package org.duet.mixer.rtcp;

/**
 * Receives the content of a compound RTCP packet from {@link RtcpParser}, in packet order, only after the
 * whole compound packet was validated. All methods default to doing nothing. Byte ranges passed in are
 * views into the parser's input and are valid only during the call.
 */
public interface RtcpListener {
    /** A no-op listener (validation only). */
    RtcpListener NONE = new RtcpListener() { };

    /**
     * Sender info of an SR (RFC 3550 6.4.1); its report blocks follow as {@link #onReportBlock} calls.
     *
     * @param ntpTimestamp 64-bit UQ32.32 NTP wall clock time of the report
     */
    default void onSenderReport(long ssrc, long ntpTimestamp, long rtpTimestamp, long packetCount, long octetCount) {
    }

    /**
     * One report block of an SR or RR.
     *
     * @param reporterSsrc     SSRC of the SR/RR sender
     * @param sourceSsrc       the source this block reports on
     * @param fractionLost     0..255, fraction lost since the previous report in 1/256
     * @param cumulativeLost   signed 24-bit
     * @param lastSr           middle 32 bits of the NTP time of the last SR received from the source, 0 if none
     * @param delaySinceLastSr in 1/65536 s
     */
    default void onReportBlock(long reporterSsrc, long sourceSsrc, int fractionLost, int cumulativeLost,
                               long extendedHighestSeq, long jitter, long lastSr, long delaySinceLastSr) {
    }

    /** One SDES item (RFC 3550 6.5), e.g. type 1 = CNAME; the text is bytes {@code off..off+len} of buf. */
    default void onSdesItem(long ssrc, int itemType, byte[] buf, int off, int len) {
    }

    /** One source leaving (BYE). */
    default void onBye(long ssrc) {
    }

    /** A packet of a type this parser does not interpret (RTPFB, PSFB, APP, XR, ...); it was skipped. */
    default void onUnknown(int packetType) {
    }

    /**
     * The whole packet of a type this parser does not interpret, for a listener that handles feedback
     * itself. {@code count} is the 5-bit RC/FMT field; buf[off..off+len) is the packet (header included,
     * padding excluded). The default forwards to {@link #onUnknown}.
     */
    default void onOtherPacket(int packetType, int count, byte[] buf, int off, int len) {
        onUnknown(packetType);
    }
}
