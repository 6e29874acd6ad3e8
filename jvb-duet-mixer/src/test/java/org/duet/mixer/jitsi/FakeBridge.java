package org.duet.mixer.jitsi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.duet.mixer.opus.OpusApplication;
import org.duet.mixer.opus.OpusCodecs;
import org.duet.mixer.opus.OpusDecoder;
import org.duet.mixer.opus.OpusEncoder;
import org.duet.mixer.opus.OpusSettings;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * One media-export connection as Jitsi Videobridge 11146 opens it (jvb/.../export/Exporter.kt,
 * MediaJsonSerializer.kt): Jetty's WebSocket client, the {@code Authorization} header from
 * Jicofo's http-headers, then {@code sources} and {@code info} on open, a {@code start} per source
 * before its first media, and {@code media} events whose numbers are JSON strings
 * ({@code sequenceNumber}, {@code chunk}, {@code timestamp}), {@code audioLevel} a number.
 * Everything the mixer sends back is recorded with its arrival time.
 */
public final class FakeBridge implements Session.Listener.AutoDemanding, AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One media event received from the mixer. */
    record Received(long arrivalNanos, long chunk, long timestamp, byte[] payload) {
    }

    private final WebSocketClient client = new WebSocketClient();
    private volatile Session session;
    private int sequence;
    final Map<String, List<Received>> media = new ConcurrentHashMap<>();
    final List<long[]> pongs = new CopyOnWriteArrayList<>(); // {id, arrivalNanos}
    final List<String> other = new CopyOnWriteArrayList<>();
    /** Tags the service announced with a talk {@code start} (with timestamp) before any media of theirs. */
    final List<String> talkStartsBeforeMedia = new CopyOnWriteArrayList<>();
    private final Map<Long, Long> pingSent = new ConcurrentHashMap<>();
    volatile int closeStatus = -1;

    /** Connects; throws when the upgrade is refused (wrong secret, bad path). */
    static FakeBridge connect(URI endpoint, String authorization) throws Exception {
        return connect(endpoint, authorization, java.util.Map.of());
    }

    /** Connects with extra upgrade headers (what Duet's front adds, e.g. X-Duet-Resumed). */
    static FakeBridge connect(URI endpoint, String authorization, java.util.Map<String, String> headers) throws Exception {
        FakeBridge b = new FakeBridge();
        b.client.start();
        ClientUpgradeRequest req = new ClientUpgradeRequest();
        if (authorization != null) {
            req.setHeader("Authorization", authorization);
        }
        headers.forEach(req::setHeader);
        try {
            b.client.connect(b, endpoint, req).get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            b.client.stop();
            throw e;
        }
        return b;
    }

    @Override
    public void onWebSocketOpen(Session s) {
        session = s;
    }

    @Override
    public void onWebSocketText(String message) {
        long now = System.nanoTime();
        try {
            JsonNode n = JSON.readTree(message);
            String event = n.path("event").asText();
            switch (event) {
                case "media" -> {
                    JsonNode m = n.get("media");
                    media.computeIfAbsent(m.get("tag").asText(), k -> new CopyOnWriteArrayList<>())
                            .add(new Received(now, Long.parseLong(m.get("chunk").asText()),
                                    Long.parseLong(m.get("timestamp").asText()),
                                    Base64.getDecoder().decode(m.get("payload").asText())));
                }
                case "start" -> {
                    JsonNode st = n.path("start");
                    String tag = st.path("tag").asText();
                    if (st.has("timestamp") && !media.containsKey(tag)) {
                        talkStartsBeforeMedia.add(tag);
                    }
                }
                case "pong" -> pongs.add(new long[] {n.get("id").asLong(), now});
                default -> other.add(message);
            }
        } catch (Exception e) {
            other.add("unparseable: " + message);
        }
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason, Callback callback) {
        closeStatus = statusCode;
        callback.succeed();
    }

    // ---- what the bridge sends ----

    void send(String text) {
        session.sendText(text, Callback.NOOP);
    }

    void sources(List<String> exports, List<String> requests) throws Exception {
        ObjectMapper m = JSON;
        send("{\"event\":\"sources\",\"exports\":" + m.writeValueAsString(exports) + ",\"requests\":"
                + m.writeValueAsString(requests) + "}");
        send("{\"event\":\"info\",\"application\":\"jitsi-videobridge\",\"version\":\"2.3.SNAPSHOT\"}");
    }

    void start(String tag, String endpointId) {
        send("{\"event\":\"start\",\"sequenceNumber\":\"" + (++sequence) + "\",\"start\":{\"tag\":\"" + tag
                + "\",\"mediaFormat\":{\"encoding\":\"opus\",\"sampleRate\":48000,\"channels\":2,"
                + "\"parameters\":{\"useinbandfec\":\"1\",\"minptime\":\"10\"}},"
                + "\"customParameters\":{\"endpointId\":\"" + endpointId + "\"}}}");
    }

    void media(String tag, long chunk, long timestamp, byte[] payload, int len) {
        byte[] p = java.util.Arrays.copyOf(payload, len);
        send("{\"event\":\"media\",\"sequenceNumber\":\"" + (++sequence) + "\",\"media\":{\"tag\":\"" + tag
                + "\",\"chunk\":\"" + chunk + "\",\"timestamp\":\"" + timestamp + "\",\"payload\":\""
                + Base64.getEncoder().encodeToString(p) + "\",\"audioLevel\":33,\"vad\":true}}");
    }

    void ping(long id) {
        pingSent.put(id, System.nanoTime());
        send("{\"event\":\"ping\",\"id\":" + id + "}");
    }

    long pingSentAt(long id) {
        return pingSent.getOrDefault(id, 0L);
    }

    void sessionEnd() {
        send("{\"event\":\"session-end\"}");
    }

    boolean isOpen() {
        Session s = session;
        return s != null && s.isOpen();
    }

    /** Drops the TCP connection without a close handshake, as a crashed or cut-off bridge would. */
    void drop() throws Exception {
        Session s = session;
        if (s != null) {
            s.disconnect();
        }
        client.stop();
    }

    @Override
    public void close() throws Exception {
        Session s = session;
        if (s != null && s.isOpen()) {
            s.close(1001, "going away", Callback.NOOP);
        }
        client.stop();
    }

    // ---- what came back, as audio ----

    List<Received> received(String tag) {
        return media.getOrDefault(tag, List.of());
    }

    /**
     * Decodes one received stream in chunk order (gaps concealed), as the bridge would inject it
     * and a client would play it; mono float samples.
     */
    static float[] decode(List<Received> events) {
        List<Received> sorted = new ArrayList<>(events);
        sorted.sort(Comparator.comparingLong(Received::chunk));
        OpusDecoder d = OpusCodecs.newDecoder(1);
        short[] pcm = new short[5760];
        float[] out = new float[48_000 * 60];
        int n = 0;
        long prev = Long.MIN_VALUE;
        int lastSamples = 480;
        for (Received r : sorted) {
            if (r.chunk() == prev) {
                continue;
            }
            if (prev != Long.MIN_VALUE) {
                for (long missing = prev + 1; missing < r.chunk() && n + lastSamples < out.length; missing++) {
                    int c = d.conceal(pcm, 0, lastSamples);
                    for (int i = 0; i < c; i++) {
                        out[n++] = pcm[i] / 32768f;
                    }
                }
            }
            prev = r.chunk();
            int s = d.decode(r.payload(), 0, r.payload().length, pcm, 0, 5760);
            if (s > 0 && n + s < out.length) {
                for (int i = 0; i < s; i++) {
                    out[n++] = pcm[i] / 32768f;
                }
                lastSamples = s;
            }
        }
        d.close();
        return java.util.Arrays.copyOf(out, n);
    }

    /**
     * A singer's microphone as the bridge exports it: Opus 20 ms frames of a tone, with the
     * bridge's numbering. One second of frames is encoded up front and repeated (the test tones
     * have a whole number of cycles per second, so the repeat is seamless): sending then costs
     * almost nothing, and the pacing the mixer sees is the schedule's, not the encoder's.
     */
    static final class Voice {
        final String tag;
        private final byte[][] frames = new byte[50][];
        private int next;
        long chunk;
        long timestamp;

        Voice(String tag, double hz, long firstChunk, long firstTimestamp) {
            this.tag = tag;
            this.chunk = firstChunk;
            this.timestamp = firstTimestamp;
            OpusEncoder encoder = OpusCodecs.newEncoder(
                    new OpusSettings(1, 48_000, 5, true, 5, false, OpusApplication.AUDIO, 960));
            short[] pcm = new short[960];
            byte[] out = new byte[1500];
            // two passes: the second second's frames are encoded from a warmed-up encoder state
            for (int pass = 0; pass < 2; pass++) {
                for (int f = 0; f < 50; f++) {
                    for (int i = 0; i < 960; i++) {
                        pcm[i] = (short) (0.3 * 32767 * Math.sin(2 * Math.PI * hz * (f * 960 + i) / 48_000.0));
                    }
                    int len = encoder.encode(pcm, 0, 960, out, 0, out.length);
                    frames[f] = java.util.Arrays.copyOf(out, len);
                }
            }
            encoder.close();
        }

        /** Sends the next 20 ms on {@code bridge}. */
        void sendNext(FakeBridge bridge) {
            byte[] frame = frames[next];
            next = (next + 1) % frames.length;
            bridge.media(tag, chunk, timestamp, frame, frame.length);
            chunk++;
            timestamp += 960;
        }

        /** As after a bridge reconnect: the serializer starts over at a new anchor. */
        void restartNumbering(long firstChunk, long firstTimestamp) {
            chunk = firstChunk;
            timestamp = firstTimestamp;
        }
    }

    /** Sends 20 ms of every voice, paced in real time on an absolute schedule, for {@code millis}. */
    static void stream(FakeBridge bridge, List<Voice> voices, int millis) throws InterruptedException {
        Thread.currentThread().setPriority(Thread.MAX_PRIORITY);
        long start = System.nanoTime();
        int frames = millis / 20;
        for (int f = 0; f < frames; f++) {
            long due = start + f * 20_000_000L;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            for (Voice v : voices) {
                v.sendNext(bridge);
            }
        }
    }
}
