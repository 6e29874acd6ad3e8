package org.jitsi.dcsctp4j;

import java.time.Instant;

/** Callbacks JVB implements; the defaults are the ones JVB relies on not overriding. */
public interface DcSctpSocketCallbacks {
    enum DelayPrecision { kLow, kHigh }

    default void sendPacket(byte[] data) {
    }

    default SendPacketStatus sendPacketWithStatus(byte[] data) {
        sendPacket(data);
        return SendPacketStatus.kSuccess;
    }

    default Timeout createTimeout(DelayPrecision precision) {
        return createTimeout();
    }

    default Timeout createTimeout() {
        return createTimeout(DelayPrecision.kLow);
    }

    default long timeMillis() {
        return System.currentTimeMillis();
    }

    default Instant Now() {
        return Instant.ofEpochMilli(timeMillis());
    }

    long getRandomInt(long low, long high);

    void OnMessageReceived(DcSctpMessage message);

    void OnError(ErrorKind error, String message);

    void OnAborted(ErrorKind error, String message);

    void OnConnected();

    void OnClosed();

    void OnConnectionRestarted();

    void OnStreamsResetFailed(short[] outgoingStreams, String reason);

    void OnStreamsResetPerformed(short[] outgoingStreams);

    void OnIncomingStreamsReset(short[] incomingStreams);

    default void OnBufferedAmountLow(short streamId) {
    }

    default void OnTotalBufferedAmountLow() {
    }
}
