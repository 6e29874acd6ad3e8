package org.duet.coordinator.front;

import java.nio.ByteBuffer;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/** One bridge connection to the front (Jetty server side): opens a {@link MeetingRelay}, hands it every frame. */
public final class BridgeSocket implements Session.Listener.AutoDemanding {

    private final DuetFront front;
    private final String meetingId;
    private final String authorization;
    private volatile MeetingRelay relay;

    BridgeSocket(DuetFront front, String meetingId, String authorization) {
        this.front = front;
        this.meetingId = meetingId;
        this.authorization = authorization;
    }

    @Override
    public void onWebSocketOpen(Session session) {
        relay = front.open(meetingId, authorization, session);
    }

    @Override
    public void onWebSocketText(String message) {
        relay.fromBridge(message, System.nanoTime());
    }

    @Override
    public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
        callback.succeed();
        relay.binaryDropped();
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason, Callback callback) {
        callback.succeed();
        closed(statusCode, reason);
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        closed(1011, "bridge connection failed");
    }

    private void closed(int code, String reason) {
        MeetingRelay r = relay;
        if (r != null) {
            r.bridgeClosed(code, reason);
        }
    }
}
