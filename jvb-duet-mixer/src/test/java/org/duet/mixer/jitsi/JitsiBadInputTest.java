package org.duet.mixer.jitsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.duet.mixer.config.DuetConfig;
import org.duet.mixer.room.DuetMixer;
import org.duet.mixer.testing.CodecWarmUp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Whatever a peer sends, the Jitsi transport refuses it with a reason, counts it, and the
 * conference goes on; another meeting on the same mixer sees nothing of it.
 */
class JitsiBadInputTest {

    static final String SECRET = "another-secret";
    DuetMixer mixer;
    JitsiServer server;

    @BeforeAll
    static void warm() {
        CodecWarmUp.run();
    }

    @BeforeEach
    void start() {
        DuetConfig config = DuetConfig.withOverrides("duet.jitsi.port = 0\nduet.jitsi.secret = \"" + SECRET + "\"\n"
                + "duet.mixer.loops = 1\nduet.jitsi.max-message-bytes = 4096");
        mixer = DuetMixer.start(config);
        server = JitsiServer.start(mixer, config);
    }

    @AfterEach
    void stop() {
        server.close();
        mixer.close();
    }

    URI meeting(String id) {
        return URI.create(server.uri() + "/" + id);
    }

    @Test
    void wrongOrMissingSecretAndBadPathsAreRefusedAtTheUpgrade() {
        assertThatThrownBy(() -> FakeBridge.connect(meeting("m1"), "Bearer wrong")).hasStackTraceContaining("401");
        assertThatThrownBy(() -> FakeBridge.connect(meeting("m1"), null)).hasStackTraceContaining("401");
        assertThatThrownBy(() -> FakeBridge.connect(meeting("m1"), SECRET)).hasStackTraceContaining("401"); // no "Bearer"
        assertThatThrownBy(() -> FakeBridge.connect(URI.create(server.uri() + "/"), "Bearer " + SECRET))
                .hasStackTraceContaining("404");
        assertThatThrownBy(() -> FakeBridge.connect(URI.create(server.uri() + "/a/b"), "Bearer " + SECRET))
                .hasStackTraceContaining("404");
        assertThat(server.refused().drops(JitsiDropReason.BAD_SECRET)).isEqualTo(3);
        assertThat(server.refused().drops(JitsiDropReason.BAD_MEETING_ID)).isEqualTo(2);
        assertThat(server.meetingIds()).isEmpty();
    }

    @Test
    void badEventsAreCountedByReasonAndTheConferenceGoesOn() throws Exception {
        String a = "aaaa0000-a0";
        String b = "bbbb0000-a0";
        String c = "cccc0000-a0";
        try (FakeBridge bad = FakeBridge.connect(meeting("bad-meeting"), "Bearer " + SECRET);
             FakeBridge good = FakeBridge.connect(meeting("good-meeting"), "Bearer " + SECRET)) {
            bad.sources(List.of(a, b), List.of(a + ".duet", b + ".duet"));
            good.sources(List.of(c), List.of(c + ".duetmix"));
            bad.start(a, "aaaa0000");
            bad.start(b, "bbbb0000");
            good.start(c, "cccc0000");
            FakeBridge.Voice va = new FakeBridge.Voice(a, 440, 1, 0);
            FakeBridge.Voice vb = new FakeBridge.Voice(b, 660, 1, 0);
            FakeBridge.Voice vc = new FakeBridge.Voice(c, 550, 1, 0);
            FakeBridge.stream(bad, List.of(va, vb), 400);
            FakeBridge.stream(good, List.of(vc), 200);

            bad.send("{\"event\":\"media\",");                                         // malformed JSON
            bad.send("[1,2,3]");                                                        // not an object
            bad.send("{\"event\":\"media\",\"media\":{\"tag\":\"" + a + "\",\"chunk\":\"12x\",\"timestamp\":\"0\",\"payload\":\"AAAA\"}}");
            bad.send("{\"event\":\"dance\"}");                                          // unknown event
            bad.send("{\"no-event\":true}");                                            // unknown event
            bad.send("{\"event\":\"media\",\"media\":{\"tag\":\"" + a + "\",\"chunk\":\"1\",\"payload\":\"AAAA\"}}"); // no timestamp
            bad.send("{\"event\":\"ping\"}");                                           // ping without id
            bad.send(mediaJson("nobody-a0", "+AA="));                                   // a source never started
            bad.send(mediaJson(a + ".duet", "+AA="));                                   // a synthetic name, not a source
            bad.send(mediaJson(c, "+AA="));                                             // another meeting's source
            bad.send(mediaJson(a, "*not base64*"));                                     // bad payload
            bad.send(mediaJson(a, "AwAA"));                                             // base64, but not Opus (code 3, 0 frames)
            bad.send(mediaJson(a, "A".repeat(2400)));                                   // oversize payload
            bad.send("{\"event\":\"info\",\"junk\":\"" + "x".repeat(5000) + "\"}");     // oversize message
            bad.send("{\"event\":\"start\",\"start\":{\"tag\":\"pcmu0000-a0\",\"mediaFormat\":"
                    + "{\"encoding\":\"PCMU\",\"sampleRate\":8000,\"channels\":1}}}"); // not Opus
            bad.send(mediaJson("pcmu0000-a0", "+AA="));                                 // its media
            bad.sources(List.of(a, b), List.of(a + ".duet", b + ".duet", b + ".karaoke", "x"));

            FakeBridge.stream(bad, List.of(va, vb), 1500);
            FakeBridge.stream(good, List.of(vc), 200);

            JitsiCounters k = server.counters("bad-meeting");
            await().atMost(Duration.ofSeconds(3)).until(() -> k.drops(JitsiDropReason.NON_OPUS) == 2);
            assertThat(k.drops(JitsiDropReason.MALFORMED_JSON)).isEqualTo(3);
            assertThat(k.drops(JitsiDropReason.UNKNOWN_EVENT)).isEqualTo(2);
            assertThat(k.drops(JitsiDropReason.MISSING_FIELD)).isEqualTo(2);
            assertThat(k.drops(JitsiDropReason.UNKNOWN_TAG)).isEqualTo(3);
            assertThat(k.drops(JitsiDropReason.BAD_PAYLOAD)).isEqualTo(2);
            assertThat(k.drops(JitsiDropReason.OVERSIZE_PAYLOAD)).isEqualTo(1);
            assertThat(k.drops(JitsiDropReason.OVERSIZE_MESSAGE)).isEqualTo(1);
            assertThat(k.drops(JitsiDropReason.UNKNOWN_NAME)).isEqualTo(2);
            // the conference went on: both voices kept flowing both ways, the socket stayed open
            assertThat(bad.isOpen()).isTrue();
            assertThat(k.mediaEventsIn()).isEqualTo(2L * (20 + 75));
            int before = bad.received(a + ".duet").size();
            FakeBridge.stream(bad, List.of(va, vb), 400);
            await().atMost(Duration.ofSeconds(2)).until(() -> bad.received(a + ".duet").size() >= before + 15);
            // the other meeting saw none of it
            JitsiCounters g = server.counters("good-meeting");
            assertThat(g.totalDrops()).isZero();
            assertThat(g.mediaEventsIn()).isEqualTo(20);
            assertThat(good.received(c + ".duetmix")).isNotEmpty();
            System.out.println("refusals in bad-meeting: " + JitsiStatsJson.of(server).get("conferences"));

            // the same figures per conference on the Jitsi port's /metrics and /stats
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            String metrics = http.send(java.net.http.HttpRequest.newBuilder(server.httpUri().resolve("metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).contains("duet_jitsi_dropped_total{meeting=\"bad-meeting\",reason=\"malformed-json\"} 3.0")
                    .contains("duet_jitsi_dropped_total{meeting=\"good-meeting\",reason=\"malformed-json\"} 0.0")
                    .contains("duet_jitsi_media_in_total{meeting=\"good-meeting\"} 20.0");
            String stats = http.send(java.net.http.HttpRequest.newBuilder(server.httpUri().resolve("stats")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            assertThat(stats).contains("\"meetingId\":\"bad-meeting\"").contains("\"non-opus\":2");
        }
    }

    static String mediaJson(String tag, String payload) {
        return "{\"event\":\"media\",\"sequenceNumber\":\"9\",\"media\":{\"tag\":\"" + tag
                + "\",\"chunk\":\"5\",\"timestamp\":\"960\",\"payload\":\"" + payload + "\"}}";
    }
}
