package org.duet.mixer.jitsi;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.duet.mixer.opus.OpusCodecs;
import org.duet.mixer.opus.OpusEncoder;
import org.duet.mixer.opus.OpusSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one short duet through this mixer's own Jitsi endpoint at startup, the way a bridge (or Duet's
 * front, taking a meeting over) would: a loopback WebSocket, {@code sources}, two voices' {@code start}
 * and 1.5 s of real Opus, the mixes coming back, {@code session-end}.
 *
 * <p>Why: a standby mixer that takes a meeting over has never run that code. On the local stack
 * (2026-12-02, load 20-35) a cold mixer took 0.8 s to answer the front's upgrade and another 1.2 s to
 * set the meeting up (class loading, first runs of the room, codec and WebSocket paths), so the
 * singers heard nothing for 2.9 s after a kill. The same mixer, warmed up, sets a meeting up in a
 * few milliseconds. Best effort: a warm-up that fails is logged and the mixer starts anyway.
 */
public final class JitsiWarmUp {

    private static final Logger LOG = LoggerFactory.getLogger(JitsiWarmUp.class);
    private static final int FRAME = 960; // 20 ms at 48 kHz, as browsers send
    private static final int FRAMES = 75; // 1.5 s

    private JitsiWarmUp() {
    }

    /** Runs the warm-up duet against {@code server}; returns how many mix events came back. */
    public static int run(JitsiServer server) {
        long t0 = System.nanoTime();
        String meeting = "duet-warm-up-" + UUID.randomUUID().toString().substring(0, 8);
        String a = "warmupa-a0";
        String b = "warmupb-a0";
        AtomicInteger mixes = new AtomicInteger();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        WebSocket ws = null;
        try (OpusEncoder encoder = OpusCodecs.newEncoder(OpusSettings.voice(1))) {
            WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                    // as after a takeover: the path that must be fast (no calibration at join)
                    .header(JitsiServer.RESUMED_HEADER, "true");
            String secret = server.settings().secret();
            if (!secret.isEmpty()) {
                builder.header("Authorization", "Bearer " + secret);
            }
            ws = builder.buildAsync(URI.create(server.uri() + "/" + meeting), new Counting(mixes))
                    .get(10, TimeUnit.SECONDS);
            send(ws, "{\"event\":\"sources\",\"exports\":[\"" + a + "\",\"" + b + "\"],\"requests\":[\"" + a
                    + ".duet\",\"" + b + ".duet\",\"" + a + ".duetmix\"]}");
            for (String tag : new String[] {a, b}) {
                send(ws, "{\"event\":\"start\",\"start\":{\"tag\":\"" + tag + "\",\"mediaFormat\":{\"encoding\":"
                        + "\"opus\",\"sampleRate\":48000,\"channels\":2},\"customParameters\":{\"endpointId\":\""
                        + tag.substring(0, tag.length() - 3) + "\"}}}");
            }
            short[] pcm = new short[FRAME];
            byte[] packet = new byte[1500];
            long next = System.nanoTime();
            for (int i = 0; i < FRAMES; i++) {
                for (int k = 0; k < FRAME; k++) {
                    pcm[k] = (short) (6000 * Math.sin(2 * Math.PI * 440 * (i * FRAME + k) / 48_000.0));
                }
                int len = encoder.encode(pcm, 0, FRAME, packet, 0, packet.length);
                if (len <= 0) {
                    throw new IllegalStateException("the Opus encoder failed: " + len);
                }
                String payload = Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(packet, len));
                for (String tag : new String[] {a, b}) {
                    send(ws, "{\"event\":\"media\",\"media\":{\"tag\":\"" + tag + "\",\"chunk\":\"" + i
                            + "\",\"timestamp\":\"" + (long) i * FRAME + "\",\"payload\":\"" + payload + "\"}}");
                }
                next += 20_000_000L;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
            long until = System.nanoTime() + 3_000_000_000L;
            while (mixes.get() < 20 && System.nanoTime() < until) {
                TimeUnit.MILLISECONDS.sleep(20);
            }
            send(ws, "{\"event\":\"session-end\"}");
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "warm-up done").get(5, TimeUnit.SECONDS);
            until = System.nanoTime() + 3_000_000_000L;
            while (server.meetingIds().contains(meeting) && System.nanoTime() < until) {
                TimeUnit.MILLISECONDS.sleep(20);
            }
            LOG.info("Jitsi warm-up: one duet through this mixer's own endpoint in {} ms ({} mix events back)",
                    (System.nanoTime() - t0) / 1_000_000, mixes.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception | LinkageError e) {
            LOG.warn("Jitsi warm-up failed (the mixer starts anyway, its first meeting will be slower): {}",
                    e.toString());
            if (ws != null) {
                ws.abort();
            }
        }
        return mixes.get();
    }

    private static void send(WebSocket ws, String text) throws Exception {
        ws.sendText(text, true).get(5, TimeUnit.SECONDS);
    }

    /** Counts the {@code media} events the mixer sends back. */
    private static final class Counting implements WebSocket.Listener {
        private final AtomicInteger mixes;
        private final StringBuilder partial = new StringBuilder();

        Counting(AtomicInteger mixes) {
            this.mixes = mixes;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                if (partial.indexOf("\"event\":\"media\"") >= 0) {
                    mixes.incrementAndGet();
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }
    }
}
