package org.jitsi.dcsctp4j;

/** Socket metrics JVB reads; all zero because the stand-in has no socket. */
public class Metrics {
    public enum SctpImplementation { kUnknown, kDcsctp, kUsrSctp, kOther }

    public long getTxPacketsCount() { return 0; }

    public long getTxMessagesCount() { return 0; }

    public long getRtxPacketsCount() { return 0; }

    public long getRtxBytesCount() { return 0; }

    public long getCwndBytes() { return 0; }

    public int getSrttMs() { return 0; }

    public long getUnackDataCount() { return 0; }

    public long getRxPacketsCount() { return 0; }

    public long getRxMessagesCount() { return 0; }

    public int getPeerRwndBytes() { return 0; }

    public SctpImplementation getPeerImplementation() { return SctpImplementation.kUnknown; }

    public boolean usesMessageInterleaving() { return false; }

    public boolean usesZeroChecksum() { return false; }

    public short getNegotiatedMaximumIncomingStreams() { return 0; }

    public short getNegotiatedMaximumOutgoingStreams() { return 0; }
}
