package org.jitsi.dcsctp4j;

/** Stand-in: there is no native dcsctp here, so no socket can be made. Run JVB with SCTP off. */
public class DcSctpSocketFactory {
    private static final String WHY =
        "jitsi-dcsctp stand-in (Duet local stack): no native SCTP; set videobridge.sctp.enabled=false";

    public DcSctpSocketFactory() {
        throw new UnsupportedOperationException(WHY);
    }

    public DcSctpSocketInterface create(String logPrefix, DcSctpSocketCallbacks callbacks,
                                        PacketObserver packetObserver, DcSctpOptions options) {
        throw new UnsupportedOperationException(WHY);
    }
}
