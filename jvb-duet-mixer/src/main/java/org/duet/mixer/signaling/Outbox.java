package org.duet.mixer.signaling;

/** Where one client's outgoing signaling messages go (a WebSocket). Safe to call from any thread. */
public interface Outbox {

    void send(String json);

    /** Closes the connection with a WebSocket close code and a short reason. */
    void close(int statusCode, String reason);

    /** The remote address, for logs. */
    String describe();

    /** The client's IP address as text, for per-address limits; null when unknown. */
    default String clientAddress() {
        return null;
    }
}
