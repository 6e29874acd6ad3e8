package org.duet.coordinator.front;

import java.nio.ByteBuffer;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/** The front's WebSocket to one mixer for one meeting (Jetty client side); hands events to its relay. */
public final class MixerLink implements Session.Listener.AutoDemanding {

    final String mixerId;
    private final MeetingRelay relay;
    private volatile Pipe pipe;
    private volatile boolean closed;

    MixerLink(String mixerId, MeetingRelay relay) {
        this.mixerId = mixerId;
        this.relay = relay;
    }

    @Override
    public void onWebSocketOpen(Session session) {
        opened(session);
    }

    /** Called on open and again when the connect future completes (whichever comes first makes the pipe). */
    synchronized void opened(Session session) {
        if (pipe == null) {
            pipe = relay.pipeToMixer(session);
        }
    }

    @Override
    public void onWebSocketText(String message) {
        relay.fromMixer(this, message);
    }

    @Override
    public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
        callback.succeed();
        relay.binaryDropped();
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason, Callback callback) {
        callback.succeed();
        lost();
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        lost();
    }

    private void lost() {
        if (!closed) {
            closed = true;
            relay.mixerLost(this);
        }
    }

    Pipe pipe() {
        return pipe;
    }

    boolean isOpen() {
        Pipe p = pipe;
        return !closed && p != null && p.session().isOpen();
    }

    /** Closes this link on purpose (the meeting moved or ended): no failover follows. */
    void close(int code, String reason) {
        closed = true;
        Pipe p = pipe;
        if (p != null) {
            p.session().close(code, reason, Callback.NOOP);
        }
    }
}
