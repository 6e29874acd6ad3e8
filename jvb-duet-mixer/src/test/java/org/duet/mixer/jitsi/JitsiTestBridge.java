package org.duet.mixer.jitsi;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/** {@link FakeBridge} for tests in other packages (the brewery's): a conference with tone voices. */
public final class JitsiTestBridge implements AutoCloseable {

    private final FakeBridge bridge;
    private final List<FakeBridge.Voice> voices = new ArrayList<>();

    private JitsiTestBridge(FakeBridge bridge) {
        this.bridge = bridge;
    }

    public static JitsiTestBridge connect(URI meeting, String authorization) throws Exception {
        return new JitsiTestBridge(FakeBridge.connect(meeting, authorization));
    }

    /** {@code sources} with both as exports and each other's {@code .duet} as requests, then their {@code start}. */
    public void declareTwoVoices(String a, String b) throws Exception {
        bridge.sources(List.of(a, b), List.of(a + ".duet", b + ".duet"));
        bridge.start(a, a.substring(0, a.indexOf('-')));
        bridge.start(b, b.substring(0, b.indexOf('-')));
    }

    /** Streams a tone per source (440 Hz, 660 Hz, ...) in real time. */
    public void streamTones(List<String> tags, int millis) throws InterruptedException {
        if (voices.isEmpty()) {
            double hz = 440;
            for (String t : tags) {
                voices.add(new FakeBridge.Voice(t, hz, 1, 0));
                hz += 220;
            }
        }
        FakeBridge.stream(bridge, voices, millis);
    }

    @Override
    public void close() throws Exception {
        bridge.close();
    }
}
