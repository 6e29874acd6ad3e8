package org.duet.mixer.signaling;

import java.net.SocketAddress;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/** Jetty's view of one signaling WebSocket; hands text to a {@link SignalingSession}. */
public final class SignalingSocket implements Session.Listener.AutoDemanding, Outbox {

    private final SignalingService service;
    private final long writeTimeoutNanos;
    private volatile Session socket;
    private volatile SignalingSession session;
    /** Messages handed to Jetty and not yet written; when the last write completed. */
    private final java.util.concurrent.atomic.AtomicInteger pending = new java.util.concurrent.atomic.AtomicInteger();
    private volatile long lastProgressNanos = System.nanoTime();
    private final Callback written = new Callback() {
        @Override
        public void succeed() {
            pending.decrementAndGet();
            lastProgressNanos = System.nanoTime();
        }

        @Override
        public void fail(Throwable x) {
            pending.decrementAndGet();
            drop(); // the outgoing queue is full (a client that does not read) or the socket broke
        }
    };

    public SignalingSocket(SignalingService service) {
        this(service, java.time.Duration.ofSeconds(10));
    }

    /** @param writeTimeout a socket whose writes make no progress this long is dropped (a client that stopped reading) */
    public SignalingSocket(SignalingService service, java.time.Duration writeTimeout) {
        this.service = service;
        this.writeTimeoutNanos = writeTimeout.toNanos();
    }

    @Override
    public void onWebSocketOpen(Session s) {
        this.socket = s;
        this.session = service.open(this);
    }

    @Override
    public void onWebSocketText(String message) {
        session.onText(message);
    }

    @Override
    public void onWebSocketBinary(java.nio.ByteBuffer payload, Callback callback) {
        callback.succeed();
        session.onBinary();
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason, Callback callback) {
        closed();
        callback.succeed();
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        closed();
    }

    private void closed() {
        SignalingSession s = session;
        if (s != null) {
            s.onClose(); // idempotent: close and error may both arrive
        }
    }

    @Override
    public void send(String json) {
        Session s = socket;
        if (s == null || !s.isOpen()) {
            return;
        }
        if (pending.get() > 0 && System.nanoTime() - lastProgressNanos > writeTimeoutNanos) {
            drop();
            return;
        }
        if (pending.getAndIncrement() == 0) {
            lastProgressNanos = System.nanoTime();
        }
        s.sendText(json, written);
    }

    /** Drops the connection without a closing handshake (which a client that does not read would never finish). */
    private void drop() {
        Session s = socket;
        if (s != null && s.isOpen()) {
            service.countSlowReader();
            s.disconnect();
        }
    }

    @Override
    public void close(int statusCode, String reason) {
        Session s = socket;
        if (s != null) {
            s.close(statusCode, reason, Callback.NOOP);
        }
    }

    @Override
    public String clientAddress() {
        Session s = socket;
        SocketAddress a = s == null ? null : s.getRemoteSocketAddress();
        return a instanceof java.net.InetSocketAddress ia && ia.getAddress() != null
                ? ia.getAddress().getHostAddress() : null;
    }

    @Override
    public String describe() {
        Session s = socket;
        SocketAddress a = s == null ? null : s.getRemoteSocketAddress();
        return "ws " + a;
    }
}
