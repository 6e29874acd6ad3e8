package org.duet.bench.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.duet.mixer.jitsi.MediaJsonFuzz;

/**
 * The Jitsi transport's mediajson reader (jitsi/MediaJsonReader: Jackson streaming, in place) on
 * the events Jitsi Videobridge's media export sends: media, start, stop, sources, ping. A refusal
 * is a {@code JitsiDropReason}, counted by the transport.
 */
final class MediaJsonTarget implements FuzzTarget {

    private final MediaJsonFuzz reader = new MediaJsonFuzz(16_384);

    @Override
    public String name() {
        return "mediajson";
    }

    @Override
    public List<byte[]> seeds() {
        String opus = Base64.getEncoder().encodeToString(Seeds.opusPackets().get(0));
        return Seeds.ascii(
                "{\"event\":\"media\",\"sequenceNumber\":\"3\",\"media\":{\"tag\":\"21eeebfd-a0\",\"chunk\":\"32460\","
                        + "\"timestamp\":\"1216\",\"payload\":\"" + opus + "\",\"audioLevel\":33,\"vad\":true}}",
                "{\"media\":{\"payload\":\"+AA=\",\"timestamp\":4294967396,\"chunk\":70000,\"tag\":\"x-a0\"},"
                        + "\"unknown\":{\"nested\":[1,2,{\"a\":null}]},\"event\":\"media\"}",
                "{\"event\":\"start\",\"sequenceNumber\":\"1\",\"start\":{\"tag\":\"21eeebfd-a0\",\"mediaFormat\":"
                        + "{\"encoding\":\"opus\",\"sampleRate\":48000,\"channels\":2,\"parameters\":{\"useinbandfec\":"
                        + "\"1\",\"minptime\":\"10\"}},\"customParameters\":{\"endpointId\":\"21eeebfd\"}}}",
                "{\"event\":\"stop\",\"sequenceNumber\":\"9\",\"stop\":{\"tag\":\"21eeebfd-a0\"}}",
                "{\"event\":\"sources\",\"exports\":[\"a-a0\",\"b-a0\"],\"requests\":[\"a-a0.duet\"]}",
                "{\"event\":\"ping\",\"id\":7}",
                "{\"event\":\"session-end\"}");
    }

    @Override
    public List<byte[]> dictionary() {
        return Seeds.ascii("\"", "{", "}", "[", "]", ":", ",", "null", "true", "-1", "1e999", "0.5",
                "9223372036854775808", "99999999999999999999", "\"-\"", "\\u0000", "\\ud800", "\"event\"", "\"media\"",
                "\"start\"", "\"stop\"", "\"tag\"", "\"chunk\"", "\"timestamp\"", "\"payload\"", "\"sources\"",
                "\"exports\"", "\"requests\"", "\"mediaFormat\"", "\"customParameters\"", "\"endpointId\"", "\"id\"",
                "\"====\"", "\"A\"", "[[[[[[[[[[[[[[[[[[[[", "{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{");
    }

    @Override
    public int maxLength() {
        return 17_000;
    }

    @Override
    public boolean run(byte[] input) {
        try {
            return reader.read(new String(input, StandardCharsets.UTF_8)) == null;
        } catch (MediaJsonFuzz.Broken e) {
            throw new BrokenContract(e.getMessage(), e);
        }
    }

    @Override
    public void close() {
    }
}
