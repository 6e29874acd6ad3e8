package org.duet.coordinator.bench;

import java.net.URI;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * One bridge-like connection: sends one singer's mediajson {@code media} events (an 80-byte Opus payload,
 * as JVB's MediaJsonSerializer writes them) and records the round trip of each echo by its chunk number.
 */
public final class BridgeLoad implements Session.Listener.AutoDemanding {

    private static final String PAYLOAD = "/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8/Pz8=";
    private final long[] sentAt = new long[1 << 16];
    private final Recorder rtt;
    final AtomicLong received = new AtomicLong();
    final AtomicLong lastReceivedNanos = new AtomicLong();
    private Session session;
    private long chunk;

    BridgeLoad(Recorder rtt) {
        this.rtt = rtt;
    }

    BridgeLoad connect(WebSocketClient client, URI uri, String authorization) throws Exception {
        ClientUpgradeRequest req = new ClientUpgradeRequest();
        if (authorization != null) {
            req.setHeader("Authorization", authorization);
        }
        session = client.connect(this, uri, req).get(10, TimeUnit.SECONDS);
        session.sendText("{\"event\":\"sources\",\"exports\":[\"abcd0001-a0\"],\"requests\":[\"abcd0001-a0.duet\"]}",
                Callback.NOOP);
        session.sendText("{\"event\":\"start\",\"sequenceNumber\":\"0\",\"start\":{\"tag\":\"abcd0001-a0\",\"mediaFormat\":"
                + "{\"encoding\":\"opus\",\"sampleRate\":48000,\"channels\":2},\"customParameters\":{\"endpointId\":"
                + "\"abcd0001\"}}}", Callback.NOOP);
        return this;
    }

    /** Sends the next media event. */
    void sendOne() {
        long c = ++chunk;
        sentAt[(int) (c & 0xffff)] = System.nanoTime();
        session.sendText("{\"event\":\"media\",\"sequenceNumber\":\"" + c + "\",\"media\":{\"tag\":\"abcd0001-a0\","
                + "\"chunk\":\"" + c + "\",\"timestamp\":\"" + (c * 960) + "\",\"payload\":\"" + PAYLOAD
                + "\",\"audioLevel\":33,\"vad\":true}}", Callback.NOOP);
    }

    @Override
    public void onWebSocketText(String text) {
        long now = System.nanoTime();
        int k = text.indexOf("\"chunk\":\"");
        if (k < 0) {
            return;
        }
        int e = text.indexOf('"', k + 9);
        long c = Long.parseLong(text, k + 9, e, 10);
        rtt.recordValue(Math.max(0, now - sentAt[(int) (c & 0xffff)]));
        received.incrementAndGet();
        lastReceivedNanos.set(now);
    }

    @Override
    public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
        callback.succeed();
    }

    void close() {
        if (session != null) {
            session.close(1000, "done", Callback.NOOP);
        }
    }
}
