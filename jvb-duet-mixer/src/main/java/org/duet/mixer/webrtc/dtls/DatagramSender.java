package org.duet.mixer.webrtc.dtls;

/** Where DTLS records go out: the session's socket, towards the ICE-selected address. */
@FunctionalInterface
public interface DatagramSender {
    void send(byte[] buf, int off, int len);
}
