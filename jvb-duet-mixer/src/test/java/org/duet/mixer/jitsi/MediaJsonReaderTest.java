package org.duet.mixer.jitsi;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The streaming mediajson reader, on events exactly as JVB 11146 writes them and on their variants. */
class MediaJsonReaderTest {

    final MediaJsonEvent e = new MediaJsonEvent(16_384);

    @Test
    void readsTheBridgesMediaEventWithStringNumbers() {
        byte[] opus = {(byte) 0xF8, 1, 2, 3, 4, 5, 6};
        MediaJsonReader.read("{\"event\":\"media\",\"sequenceNumber\":\"3\",\"media\":{\"tag\":\"21eeebfd-a0\","
                + "\"chunk\":\"32460\",\"timestamp\":\"1216\",\"payload\":\"" + Base64.getEncoder().encodeToString(opus)
                + "\",\"audioLevel\":33,\"vad\":true}}", e);
        assertThat(e.error).isNull();
        assertThat(e.type).isEqualTo(MediaJsonEvent.Type.MEDIA);
        assertThat(e.tagString()).isEqualTo("21eeebfd-a0");
        assertThat(e.tagEquals("21eeebfd-a0")).isTrue();
        assertThat(e.tagEquals("21eeebfd-a1")).isFalse();
        assertThat(e.chunk).isEqualTo(32460);
        assertThat(e.timestamp).isEqualTo(1216);
        assertThat(java.util.Arrays.copyOf(e.payload, e.payloadLength)).isEqualTo(opus);
    }

    @Test
    void acceptsNumbersAsNumbersAndAnyFieldOrder() {
        MediaJsonReader.read("{\"media\":{\"payload\":\"+AA=\",\"timestamp\":4294967396,\"chunk\":70000,\"tag\":\"x-a0\"},"
                + "\"unknown\":{\"nested\":[1,2,{\"a\":null}]},\"event\":\"media\"}", e);
        assertThat(e.error).isNull();
        assertThat(e.type).isEqualTo(MediaJsonEvent.Type.MEDIA);
        assertThat(e.chunk).isEqualTo(70000);
        assertThat(e.timestamp).isEqualTo(4_294_967_396L);
        assertThat(e.payloadLength).isEqualTo(2);
    }

    @Test
    void readsStartSourcesPingAndSessionEnd() {
        MediaJsonReader.read("{\"event\":\"start\",\"sequenceNumber\":\"1\",\"start\":{\"tag\":\"21eeebfd-a0\","
                + "\"mediaFormat\":{\"encoding\":\"opus\",\"sampleRate\":48000,\"channels\":2,\"parameters\":"
                + "{\"useinbandfec\":\"1\",\"minptime\":\"10\"}},\"customParameters\":{\"endpointId\":\"21eeebfd\"}}}", e);
        assertThat(e.type).isEqualTo(MediaJsonEvent.Type.START);
        assertThat(e.tagString()).isEqualTo("21eeebfd-a0");
        assertThat(e.encoding).isEqualTo("opus");
        assertThat(e.sampleRate).isEqualTo(48000);
        assertThat(e.channels).isEqualTo(2);
        assertThat(e.endpointId).isEqualTo("21eeebfd");

        MediaJsonReader.read("{\"event\":\"sources\",\"exports\":[\"a-a0\",\"b-a0\"],\"requests\":[\"a-a0.duet\"]}", e);
        assertThat(e.type).isEqualTo(MediaJsonEvent.Type.SOURCES);
        assertThat(e.exports).isEqualTo(List.of("a-a0", "b-a0"));
        assertThat(e.requests).isEqualTo(List.of("a-a0.duet"));

        MediaJsonReader.read("{\"event\":\"ping\",\"id\":7}", e);
        assertThat(e.type).isEqualTo(MediaJsonEvent.Type.PING);
        assertThat(e.id).isEqualTo(7);
        MediaJsonReader.read("{\"event\":\"session-end\"}", e);
        assertThat(e.type).isEqualTo(MediaJsonEvent.Type.SESSION_END);
    }

    @Test
    void refusesWithAReason() {
        assertRefused("", JitsiDropReason.MALFORMED_JSON);
        assertRefused("{\"event\":\"media\"", JitsiDropReason.MALFORMED_JSON);
        assertRefused("{\"event\":\"media\"} {}", JitsiDropReason.MALFORMED_JSON);
        assertRefused("\"media\"", JitsiDropReason.MALFORMED_JSON);
        assertRefused("{\"event\":5}", JitsiDropReason.MALFORMED_JSON);
        assertRefused("{\"event\":\"media\",\"media\":{\"chunk\":\"-\"}}", JitsiDropReason.MALFORMED_JSON);
        assertRefused("{\"event\":\"media\",\"media\":{\"chunk\":1.5}}", JitsiDropReason.MALFORMED_JSON);
        assertRefused("{\"event\":\"sources\",\"exports\":\"a\"}", JitsiDropReason.MALFORMED_JSON);
        assertRefused("{\"event\":\"sources\",\"exports\":[1]}", JitsiDropReason.MALFORMED_JSON);
        assertRefused("{\"event\":\"Media\"}", JitsiDropReason.UNKNOWN_EVENT);
        assertRefused("{}", JitsiDropReason.UNKNOWN_EVENT);
        assertRefused("{\"event\":\"media\",\"media\":{\"payload\":\"abc\"}}", JitsiDropReason.BAD_PAYLOAD);
        assertRefused("{\"event\":\"media\",\"media\":{\"payload\":\"ab=c\"}}", JitsiDropReason.BAD_PAYLOAD);
        assertRefused("{\"event\":\"media\",\"media\":{\"payload\":\"" + "A".repeat(2000) + "\"}}",
                JitsiDropReason.OVERSIZE_PAYLOAD);
        assertRefused("{\"event\":\"media\",\"media\":{\"tag\":\"" + "t".repeat(200) + "\"}}", JitsiDropReason.UNKNOWN_TAG);
        assertRefused("[" .repeat(100) + "]".repeat(100), JitsiDropReason.MALFORMED_JSON);
    }

    private void assertRefused(String text, JitsiDropReason reason) {
        MediaJsonReader.read(text, e);
        assertThat(e.error).as(text.length() > 80 ? text.substring(0, 80) : text).isEqualTo(reason);
    }

    @Test
    void base64MatchesTheJdkBothWays() {
        java.util.Random r = new java.util.Random(12);
        StringBuilder sb = new StringBuilder();
        byte[] out = new byte[2000];
        for (int len = 0; len < 400; len++) {
            byte[] data = new byte[len];
            r.nextBytes(data);
            sb.setLength(0);
            Base64Codec.encode(data, 0, len, sb);
            String jdk = Base64.getEncoder().encodeToString(data);
            assertThat(sb.toString()).isEqualTo(jdk);
            char[] chars = jdk.toCharArray();
            int n = Base64Codec.decode(chars, 0, chars.length, out, 0);
            assertThat(n).isEqualTo(len);
            assertThat(java.util.Arrays.copyOf(out, n)).isEqualTo(data);
        }
        assertThat(Base64Codec.decode("AAAA".toCharArray(), 0, 4, new byte[2], 0)).isEqualTo(-1); // does not fit
        assertThat(Base64Codec.decode("AA-A".toCharArray(), 0, 4, out, 0)).isEqualTo(-1);  // url alphabet
        assertThat(Base64Codec.decode("AAé=".toCharArray(), 0, 4, out, 0)).isEqualTo(-1);
    }

    /**
     * What reading one media event allocates: Jackson's parser and its context objects (a few
     * hundred bytes, no per-parser reuse in Jackson); no strings, no payload array, no text copy.
     */
    @Test
    void aMediaEventAllocatesLittle() {
        String text = "{\"event\":\"media\",\"sequenceNumber\":\"3\",\"media\":{\"tag\":\"21eeebfd-a0\",\"chunk\":\"32460\","
                + "\"timestamp\":\"1216\",\"payload\":\"" + Base64.getEncoder().encodeToString(new byte[120])
                + "\",\"audioLevel\":33,\"vad\":true}}";
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 20_000; i++) {
            MediaJsonReader.read(text, e);
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        int n = 10_000;
        for (int i = 0; i < n; i++) {
            MediaJsonReader.read(text, e);
        }
        double perEvent = (double) (threads.getCurrentThreadAllocatedBytes() - before) / n;
        System.out.printf("jitsi_media_event_parse_alloc_bytes %.0f (a %d-character media event with 120 bytes of Opus)%n",
                perEvent, text.length());
        assertThat(e.error).isNull();
        assertThat(perEvent).as("bytes allocated per media event").isLessThan(1024);
    }
}
