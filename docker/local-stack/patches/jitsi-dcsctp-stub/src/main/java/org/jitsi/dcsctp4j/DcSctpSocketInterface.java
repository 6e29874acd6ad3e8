package org.jitsi.dcsctp4j;

import java.util.List;

/** The socket operations JVB calls (never backed by an implementation in the stand-in). */
public interface DcSctpSocketInterface {
    void receivePacket(byte[] data, int offset, int length);

    void handleTimeout(long timeoutId);

    void connect();

    void shutdown();

    void close();

    SocketState state();

    DcSctpOptions options();

    SendStatus send(DcSctpMessage message, SendOptions options);

    List<SendStatus> sendMany(List<DcSctpMessage> messages, SendOptions options);

    Metrics getMetrics();
}
