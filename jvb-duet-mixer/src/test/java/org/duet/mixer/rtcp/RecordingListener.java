package org.duet.mixer.rtcp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Test listener: records every callback as a readable line, in order. */
final class RecordingListener implements RtcpListener {
    final List<String> events = new ArrayList<>();

    @Override
    public void onSenderReport(long ssrc, long ntpTimestamp, long rtpTimestamp, long packetCount, long octetCount) {
        events.add("SR " + ssrc + " ntp=" + Long.toHexString(ntpTimestamp) + " rtp=" + rtpTimestamp
                + " packets=" + packetCount + " octets=" + octetCount);
    }

    @Override
    public void onReportBlock(long reporterSsrc, long sourceSsrc, int fractionLost, int cumulativeLost,
                              long extendedHighestSeq, long jitter, long lastSr, long delaySinceLastSr) {
        events.add("RB " + reporterSsrc + "->" + sourceSsrc + " fraction=" + fractionLost + " lost=" + cumulativeLost
                + " ehsn=" + extendedHighestSeq + " jitter=" + jitter + " lsr=" + lastSr + " dlsr=" + delaySinceLastSr);
    }

    @Override
    public void onSdesItem(long ssrc, int itemType, byte[] buf, int off, int len) {
        events.add("SDES " + ssrc + " " + itemType + "=" + new String(buf, off, len, StandardCharsets.ISO_8859_1));
    }

    @Override
    public void onBye(long ssrc) {
        events.add("BYE " + ssrc);
    }

    @Override
    public void onUnknown(int packetType) {
        events.add("OTHER " + packetType);
    }
}
