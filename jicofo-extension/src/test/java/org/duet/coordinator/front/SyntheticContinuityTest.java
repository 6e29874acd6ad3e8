package org.duet.coordinator.front;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class SyntheticContinuityTest {

    private static final long MS = 1_000_000L;
    private static final Pattern CHUNK = Pattern.compile("\"chunk\":\"(\\d+)\"");
    private static final Pattern TS = Pattern.compile("\"timestamp\":\"?(\\d+)");

    /** What Duet's mixer writes (SyntheticStream). */
    private static String media(String tag, long chunk, long ts) {
        return "{\"event\":\"media\",\"sequenceNumber\":\"7\",\"media\":{\"tag\":\"" + tag + "\",\"chunk\":\"" + chunk
                + "\",\"timestamp\":\"" + ts + "\",\"payload\":\"AAEC\"}}";
    }

    private static String start(String tag, long ts) {
        return "{\"event\":\"start\",\"sequenceNumber\":\"1\",\"start\":{\"tag\":\"" + tag
                + "\",\"mediaFormat\":{\"encoding\":\"opus\",\"sampleRate\":48000,\"channels\":2},\"timestamp\":" + ts + "}}";
    }

    private static long field(Pattern p, String frame) {
        Matcher m = p.matcher(frame);
        assertThat(m.find()).as(frame).isTrue();
        return Long.parseLong(m.group(1));
    }

    @Test
    void theFirstMixersFramesPassUnchanged() {
        SyntheticContinuity c = new SyntheticContinuity();
        Object mixer1 = new Object();
        for (int i = 0; i < 50; i++) {
            String f = media("ep-a0.duet", 1000 + i, 5000 + 960L * i);
            assertThat(c.rewrite(mixer1, f, EventKind.MEDIA, i * 20 * MS)).isSameAs(f);
        }
    }

    @Test
    void aNewMixersStreamContinuesTheOldOneWithTheOutageAsAGap() {
        SyntheticContinuity c = new SyntheticContinuity();
        Object mixer1 = new Object();
        Object mixer2 = new Object();
        long t = 0;
        for (int i = 0; i < 3000; i++) { // a minute of 20 ms packets
            c.rewrite(mixer1, media("ep-a0.duet", i, 960L * i), EventKind.MEDIA, t);
            t += 20 * MS;
        }
        long lastChunk = 2999;
        long lastTs = 960L * 2999;
        t += 400 * MS; // the old mixer died; the new one starts its own numbering at zero
        String s = c.rewrite(mixer2, start("ep-a0.duet", 0), EventKind.START, t);
        long startTs = field(TS, s);
        assertThat(startTs - lastTs).as("timestamp moves on by the 420 ms since the last packet")
                .isBetween(420L * 48 - 48, 420L * 48 + 48);
        String m0 = c.rewrite(mixer2, media("ep-a0.duet", 0, 0), EventKind.MEDIA, t);
        assertThat(field(TS, m0)).isEqualTo(startTs);
        assertThat(field(CHUNK, m0) - lastChunk).as("the sequence skips the packets the outage held").isEqualTo(21);
        assertThat(m0).endsWith("\"payload\":\"AAEC\"}}").contains("\"tag\":\"ep-a0.duet\"");
        String m1 = c.rewrite(mixer2, media("ep-a0.duet", 1, 480), EventKind.MEDIA, t + 10 * MS);
        assertThat(field(CHUNK, m1)).isEqualTo(field(CHUNK, m0) + 1);
        assertThat(field(TS, m1)).isEqualTo(startTs + 480);
    }

    @Test
    void eachSourceIsRebasedOnItsOwnAndWrapsLikeRtp() {
        SyntheticContinuity c = new SyntheticContinuity();
        Object mixer1 = new Object();
        Object mixer2 = new Object();
        long nearWrap = 0xFFFF_FFFFL - 960L * 5;
        for (int i = 0; i < 10; i++) {
            c.rewrite(mixer1, media("a.duet", i, (nearWrap + 960L * i) & 0xFFFF_FFFFL), EventKind.MEDIA, i * 20 * MS);
            c.rewrite(mixer1, media("b.duetmix", 100 + i, 480L * i), EventKind.MEDIA, i * 20 * MS);
        }
        String a = c.rewrite(mixer2, media("a.duet", 0, 0), EventKind.MEDIA, 200 * MS);
        long ts = field(TS, a);
        assertThat(ts).as("wrapped past 2^32").isLessThan(48_000);
        String b = c.rewrite(mixer2, media("b.duetmix", 0, 0), EventKind.MEDIA, 200 * MS);
        assertThat(field(CHUNK, b)).isGreaterThan(109);
        assertThat(field(TS, b)).isGreaterThan(480L * 9);
    }

    @Test
    void framesItCannotReadPassUnchanged() {
        SyntheticContinuity c = new SyntheticContinuity();
        Object mixer1 = new Object();
        Object mixer2 = new Object();
        c.rewrite(mixer1, media("a.duet", 5, 5000), EventKind.MEDIA, 0);
        String noTag = "{\"event\":\"media\",\"media\":{\"chunk\":\"1\",\"timestamp\":\"2\"}}";
        assertThat(c.rewrite(mixer2, noTag, EventKind.MEDIA, MS)).isSameAs(noTag);
        String pong = "{\"event\":\"pong\",\"id\":3}";
        assertThat(c.rewrite(mixer2, pong, EventKind.PONG, MS)).isSameAs(pong);
        String odd = "{\"event\":\"media\",\"media\":{\"tag\":\"a.duet\",\"chunk\":\"x\",\"timestamp\":\"-1\"}}";
        assertThat(c.rewrite(mixer2, odd, EventKind.MEDIA, MS)).isEqualTo(odd);
    }
}
