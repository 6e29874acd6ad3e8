package org.jitsi.dcsctp4j;

/** Observer of raw SCTP packets (for pcap-style dumps in JVB). */
public interface PacketObserver {
    void OnSentPacket(long now, byte[] payload);

    void OnReceivedPacket(long now, byte[] payload);
}
