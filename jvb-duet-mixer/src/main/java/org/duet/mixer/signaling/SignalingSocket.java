package org.duet.mixer.signaling;

import java.net.SocketAddress;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/** Jetty's view of one signaling WebSocket; hands text to a {@link SignalingSession}. */
public final class SignalingSocket implements Session.Listener.AutoDemanding, Outbox {

    private final SignalingService service;
    private volatile Session socket;
    private volatile SignalingSession session;

    public SignalingSocket(SignalingService service) {
        this.service = service;
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
        if (s != null && s.isOpen()) {
            s.sendText(json, Callback.NOOP);
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
    public String describe() {
        Session s = socket;
        SocketAddress a = s == null ? null : s.getRemoteSocketAddress();
        return "ws " + a;
    }
}
