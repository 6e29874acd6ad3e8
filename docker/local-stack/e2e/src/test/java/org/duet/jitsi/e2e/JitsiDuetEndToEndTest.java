package org.duet.jitsi.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.duet.jitsi.e2e.Participant.Recording;
import org.duet.jitsi.e2e.Participant.Track;
import org.duet.mixer.e2e.AudioAnalysis;
import org.junit.jupiter.api.Test;

/**
 * Duet inside a real Jitsi conference, end to end, with real audio.
 *
 * <p>Everything runs inside the network namespace this JVM was started in (see
 * docker/local-stack/netns-jvm/bin/java): Prosody 13 with Jitsi's own plugins, JVB and Jicofo built from
 * source, the Duet coordinator (the "front" Jicofo's translation.url-template points at) and two
 * mixers announcing themselves in the brewery MUC, a page server, and three headless Chromiums
 * running lib-jitsi-meet: singers A and B (fake microphones: a tone plus bursts each) and a
 * listener. The moderator (A, first in the room) writes the duet session state into room
 * metadata; every page then sends its stock {@code <audio-translation>} request to Prosody's
 * audiotranslation component and subscribes to its synthetic source, Jicofo makes the bridge
 * export the singers to the front, which relays to the least loaded mixer.
 *
 * <p>Checked on the audio each page plays: each singer hears the partner and not themselves (own
 * tone at least 40 dB under the partner's), the listener hears both, aligned within 5 ms by capture
 * time (each singer's bursts from its own microphone recording to the listener's playout); then the
 * mixer serving the meeting is killed (SIGKILL) and the singers hear each other again within 2 s.
 */
class JitsiDuetEndToEndTest {

    private static final int RATE = SingerSignals.RATE;
    private static final int PAGE_PORT = 8000;
    private static final int FRONT_PORT = 18765;
    private static final int[] MIXER_PORTS = {18770, 18771};

    private final Map<String, Double> figures = new LinkedHashMap<>();
    /** Bursts of A and B that played this close together share the listener's playout delay. */
    private static final double NEAR_PAIR_MS = 150;

    @Test
    void duetThroughJvbAndJicofoWithMixerTakeover() throws Exception {
        String netns = System.getenv("DUET_NETNS_NAME");
        assertThat(netns).as("the test JVM runs inside its own network namespace (surefire jvm = netns-jvm/bin/java)")
                .isNotBlank();
        String address = System.getenv().getOrDefault("DUET_STACK_ADDRESS", "10.77.0.1");
        Path root = Path.of(System.getProperty("duet.root", "../../..")).toAbsolutePath().normalize();
        Path work = Files.createTempDirectory(Path.of("/tmp"), "duet-jitsi-e2e-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        String secret = UUID.randomUUID().toString();
        String room = "duet" + Long.toHexString(System.nanoTime());
        System.out.println("jitsi e2e: namespace " + netns + ", address " + address + ", work dir " + work);

        long t0 = System.nanoTime();
        List<AutoCloseable> open = new ArrayList<>();
        // if surefire gives up on this JVM (timeout), the stack, Duet and the browsers still go
        Thread cleanup = new Thread(() -> closeAll(open), "jitsi-e2e-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        boolean passed = false;
        try {
            LocalJitsiStack stack = new LocalJitsiStack(root, work.resolve("stack"), address,
                    Map.of("DUET_SECRET", secret, "DUET_NO_BUILD", "1"));
            open.add(stack);
            stack.start(Duration.ofSeconds(240));
            figure("jitsi_e2e_stack_start", seconds(t0), "s");

            long t1 = System.nanoTime();
            DuetServices duet = new DuetServices(work, address, secret, stack);
            open.add(duet);
            duet.startCoordinator(FRONT_PORT);
            for (int i = 0; i < MIXER_PORTS.length; i++) {
                duet.startMixer("mixer-" + (i + 1), MIXER_PORTS[i]);
            }
            duet.awaitReady(Duration.ofSeconds(90));
            figure("jitsi_e2e_duet_start", seconds(t1), "s");

            // what a deployment serves: its /config.js (Jitsi Meet's), and the self-hoster's duet-config.js.
            // The direct-partner fallback is off so that the takeover below is measured on Duet's own mix.
            String meetConfig = "var config = { hosts: { domain: '" + stack.get("XMPP_DOMAIN") + "', muc: '"
                    + stack.get("MUC_DOMAIN") + "', focus: 'focus@" + stack.get("AUTH_DOMAIN") + "/focus' }, websocket: '" + stack.get("XMPP_WEBSOCKET")
                    + "', focusUserJid: 'focus@" + stack.get("AUTH_DOMAIN") + "' };\n";
            // The listener also records both singers' own sources from the bridge (not played): the
            // reference for what the Duet mix adds and for the senders' own alignment.
            String duetConfig = "window.duetConfig = { directFallback: false, referenceSources: true, receivedFrames: true };\n";
            PageServer pages = new PageServer(PAGE_PORT, root.resolve("jitsi-meet-ui/web"),
                    Path.of(stack.get("LIB_JITSI_MEET")), meetConfig, duetConfig);
            open.add(pages);
            Path wavA = SingerSignals.write(work.resolve("singer-a.wav"),
                    SingerSignals.singer(SingerSignals.TONE_A, SingerSignals.BURSTS_A, 0));
            Path wavB = SingerSignals.write(work.resolve("singer-b.wav"),
                    SingerSignals.singer(SingerSignals.TONE_B, SingerSignals.BURSTS_B, Double.parseDouble(System.getProperty("duet.jitsi.e2e.burstShiftB", "0.11"))));
            Path silent = SingerSignals.write(work.resolve("listener.wav"), SingerSignals.silence());

            long t2 = System.nanoTime();
            Participant a = join("a", wavA, true, work, room, open);
            a.await("A is moderator (first in the room)", Duration.ofSeconds(30),
                    s -> Boolean.TRUE.equals(s.get("isModerator")));
            Participant b = join("b", wavB, true, work, room, open);
            Participant listener = join("listener", silent, false, work, room, open);
            figure("jitsi_e2e_pages_joined", seconds(t2), "s");
            String epA = a.endpointId();
            String epB = b.endpointId();

            // The moderator starts the duet; the pages do the rest (requests + subscriptions).
            long t3 = System.nanoTime();
            a.startDuet(epA, epB);
            String aHearsSource = epB + "-a0.duet";
            String bHearsSource = epA + "-a0.duet";
            String listenerSource = epA + "-a0.duetmix";
            try {
                awaitSynthetic(a, aHearsSource);
                awaitSynthetic(b, bHearsSource);
                awaitSynthetic(listener, listenerSource);
            } catch (AssertionError | RuntimeException e) {
                saveDiagnostics(stack, duet, work);
                throw e;
            }
            figure("jitsi_e2e_duet_audio_after_start", seconds(t3), "s");
            Thread.sleep(2000); // let the jitter buffers and the listener alignment settle
            String serving0 = duet.assignedMixer();
            saveMixerStats(duet, serving0, work.resolve("mixer-stats-before-capture.json"));

            // 1. who hears whom, and the listener's alignment
            List<Participant> all = List.of(a, b, listener);
            long mixerPid = duet.mixerPid(serving0);
            long jvbPid = stack.pid("jvb");
            double mixerCpu0 = CpuTime.seconds(mixerPid);
            double jvbCpu0 = CpuTime.seconds(jvbPid);
            long capture0 = System.nanoTime();
            List<Map<String, Map<String, Object>>> inbound0 = all.stream().map(Participant::inboundAudio).toList();
            all.forEach(Participant::startCapture);
            Thread.sleep(8000);
            reportReceivers(all, inbound0, all.stream().map(Participant::inboundAudio).toList(), epA, epB);
            // CPU per duet: this is the only meeting on the mixer and on the bridge (which also forwards
            // the singers' own sources to the pages here: the reference the listener records)
            double captureSeconds = seconds(capture0);
            figure("jitsi_e2e_mixer_cpu_per_duet", 100 * (CpuTime.seconds(mixerPid) - mixerCpu0) / captureSeconds, "% of a core");
            figure("jitsi_e2e_bridge_cpu_per_duet", 100 * (CpuTime.seconds(jvbPid) - jvbCpu0) / captureSeconds, "% of a core");
            List<Recording> rec = new ArrayList<>();
            all.forEach(Participant::stopCapture);
            for (Participant p : all) {
                rec.add(p.takeCapture());
                Map<String, Object> st = p.state();
                System.out.println("jitsi e2e: " + p.name + " encoded frames (capture stamps) " + st.get("encodedFrames"));
                System.out.println("jitsi e2e: " + p.name + " audio context latency (ms) " + st.get("audioLatencyMs")
                        + (st.get("componentsFilled") == null ? "" : "; discovery missed, component addresses filled in: "
                        + st.get("componentsFilled")));
            }
            // the listener's mix as it arrived, by media time (before its browser's playout)
            Track mixArrived = listener.receivedAudio(listenerSource);
            saveMixerStats(duet, serving0, work.resolve("mixer-stats-after-capture.json"));
            saveRecordings(work, rec);
            checkWhoHearsWhom(rec.get(0), rec.get(1), rec.get(2));
            reportSingerAddedLatency(rec.get(0), rec.get(1), epA + "-a0", epB + "-a0");
            reportExportAdded(a, b, epA + "-a0", epB + "-a0", work);
            // the front's share: receipt of a frame to the end of its write on the other socket, both ways
            var relay = duet.stats().path("relay_added_delay");
            figure("jitsi_e2e_front_relay_p50", relay.path("p50_us").asDouble(Double.NaN) / 1000, "ms");
            figure("jitsi_e2e_front_relay_p99", relay.path("p99_us").asDouble(Double.NaN) / 1000, "ms");
            // (the listener's alignment is checked last, after the takeover, so that one run measures both)

            // 2. kill -9 the mixer serving the meeting: the other one takes over
            String serving = duet.assignedMixer();
            assertThat(serving).as("the coordinator assigned the meeting to a mixer: " + duet.stats()).isNotNull();
            a.startCapture();
            b.startCapture();
            Thread.sleep(1500);
            double killedAtMs = System.currentTimeMillis();
            duet.kill(serving);
            Thread.sleep(6000);
            a.stopCapture();
            b.stopCapture();
            Recording aAfter = a.takeCapture(java.util.Set.of("output"));
            Recording bAfter = b.takeCapture(java.util.Set.of("output"));
            SingerSignals.write(work.resolve("rec-a-takeover.wav"), aAfter.output().samples());
            SingerSignals.write(work.resolve("rec-b-takeover.wav"), bAfter.output().samples());
            Files.writeString(work.resolve("rec-takeover.txt"), String.format(java.util.Locale.ROOT,
                    "killed at %.3f; rec-a-takeover.wav starts %.3f, rec-b-takeover.wav %.3f (epoch ms)%n", killedAtMs,
                    aAfter.output().startEpochMs(), bAfter.output().startEpochMs()));
            double gapA = ToneOutage.longestAfterMs(aAfter.output().samples(), aAfter.output().startEpochMs(), SingerSignals.TONE_B, killedAtMs);
            double gapB = ToneOutage.longestAfterMs(bAfter.output().samples(), bAfter.output().startEpochMs(), SingerSignals.TONE_A, killedAtMs);
            figure("jitsi_e2e_takeover_a_hears_b_again", gapA, "ms");
            figure("jitsi_e2e_takeover_b_hears_a_again", gapB, "ms");
            String takenOverBy = duet.assignedMixer();
            assertThat(takenOverBy).as("another mixer serves the meeting: " + duet.stats()).isNotNull().isNotEqualTo(serving);
            // The front moved the meeting within 2 s (its own figure, from the loss of the mixer to the
            // replay on the next one) ...
            var stats = duet.stats();
            double switchMs = stats.path("counters").path("failover_last_ms").asDouble(-1);
            figure("jitsi_e2e_takeover_front_switch", switchMs, "ms");
            assertThat(switchMs).as("the front moved the meeting to another mixer within 2 s (ms): " + stats).isBetween(0.0, 2000.0);
            // ... and the singers hear each other again.
            checkTakeoverAtTheEars(Math.max(gapA, gapB));
            checkListenerAlignment(rec.get(0), rec.get(1), rec.get(2), mixArrived, epA + "-a0", epB + "-a0");
            reportMixAlignmentWithoutSteps(rec.get(0), rec.get(1), listener, mixArrived, listenerSource, work);
            checkNoFailedTicks(work);
            figure("jitsi_e2e_total", seconds(t0), "s");
            passed = true;
        } finally {
            closeAll(open);
            Runtime.getRuntime().removeShutdownHook(cleanup);
            System.out.println("jitsi e2e figures (logs in " + work + (passed ? ", removed" : "") + "):");
            figures.forEach((k, v) -> System.out.printf("  %s %.2f%n", k, v));
            writeBenchFigures();
            if (passed) {
                deleteTree(work);
            }
        }
    }

    /**
     * What each page's own jitter buffer held, per source it receives, over the capture: the part of
     * a singer's delay that is the receiving browser's, for Duet's source (which arrives through the
     * export round trip) and for the partner's own source (forwarded by the bridge), side by side.
     */
    private void reportReceivers(List<Participant> pages, List<Map<String, Map<String, Object>>> before,
                                 List<Map<String, Map<String, Object>>> after, String epA, String epB) {
        List<Double> duet = new ArrayList<>();
        List<Double> direct = new ArrayList<>();
        for (int i = 0; i < pages.size(); i++) {
            for (var e : after.get(i).entrySet()) {
                Map<String, Object> a = e.getValue();
                Map<String, Object> b = before.get(i).getOrDefault(e.getKey(), Map.of());
                double emitted = num(a, "jitterBufferEmittedCount") - num(b, "jitterBufferEmittedCount");
                double heldMs = emitted > 0
                        ? 1000 * (num(a, "jitterBufferDelay") - num(b, "jitterBufferDelay")) / emitted : Double.NaN;
                double samples = num(a, "totalSamplesReceived") - num(b, "totalSamplesReceived");
                double concealed = samples > 0
                        ? 100 * (num(a, "concealedSamples") - num(b, "concealedSamples")) / samples : Double.NaN;
                System.out.printf(java.util.Locale.ROOT,
                        "jitsi e2e: %s receives %s: its jitter buffer held %.1f ms (target %.1f ms), jitter %.1f ms,"
                                + " concealed %.2f %%%n", pages.get(i).name, e.getKey(), heldMs,
                        1000 * num(a, "jitterBufferTargetDelay") / Math.max(1, num(a, "jitterBufferEmittedCount")),
                        1000 * num(a, "jitter"), concealed);
                boolean singer = i < 2;
                if (singer && e.getKey().endsWith(".duet")) {
                    duet.add(heldMs);
                } else if (singer && (e.getKey().equals(epA + "-a0") || e.getKey().equals(epB + "-a0"))) {
                    direct.add(heldMs);
                }
            }
        }
        duet.stream().mapToDouble(Double::doubleValue).filter(d -> !Double.isNaN(d)).average()
                .ifPresent(v -> figure("jitsi_e2e_singer_browser_buffer_duet_source", v, "ms"));
        direct.stream().mapToDouble(Double::doubleValue).filter(d -> !Double.isNaN(d)).average()
                .ifPresent(v -> figure("jitsi_e2e_singer_browser_buffer_direct_source", v, "ms"));
    }

    private static double num(Map<String, Object> m, String key) {
        return m.get(key) instanceof Number n ? n.doubleValue() : 0;
    }

    /** Keeps what the pages recorded (16-bit WAV + start times), for a look when a check fails. */
    private static void saveRecordings(Path work, List<Recording> rec) throws IOException {
        StringBuilder starts = new StringBuilder();
        String[] names = {"a", "b", "listener"};
        for (int i = 0; i < rec.size(); i++) {
            Map<String, Track> tracks = new LinkedHashMap<>();
            if (rec.get(i).input() != null) { // the listener's silent microphone is not fetched
                tracks.put("in", rec.get(i).input());
            }
            tracks.put("out", rec.get(i).output());
            rec.get(i).direct().forEach((source, t) -> tracks.put("direct-" + source, t));
            for (var e : tracks.entrySet()) {
                String file = "rec-" + names[i] + "-" + e.getKey() + ".wav";
                SingerSignals.write(work.resolve(file), e.getValue().samples());
                starts.append(file).append(' ').append(String.format("%.3f", e.getValue().startEpochMs())).append('\n');
            }
        }
        Files.writeString(work.resolve("rec-starts.txt"), starts);
    }

    /**
     * The singers hear each other again within the issue's 2 s after the kill: the longest outage of the
     * partner's tone at each singer's ear. 2026-12-02 on the local stack: 1.0-2.9 s with a cold standby
     * mixer, 120-260 ms once mixers warm up at startup (`JitsiWarmUp`); the browsers' jitter buffers
     * alone hold 300-450 ms, which plays on after the kill. {@code -Dduet.jitsi.e2e.takeoverLimitMs}
     * sets another limit.
     */
    private static void checkTakeoverAtTheEars(double outageMs) {
        double limit = Double.parseDouble(System.getProperty("duet.jitsi.e2e.takeoverLimitMs", "2000").trim());
        System.out.printf(java.util.Locale.ROOT, "jitsi e2e: longest outage at the singers' ears after the kill %.0f ms"
                + " (asserted <= %.0f ms)%s%n", outageMs, limit, outageMs > 2000 ? " -- OVER the 2 s target" : "");
        assertThat(outageMs).as("singers hear each other again within 2 s of the kill: the longest outage of the partner's tone (ms)")
                .isLessThanOrEqualTo(limit);
    }

    /**
     * No media tick of either mixer threw. The media loop survives a throwing room (it logs "room tick
     * failed" and goes on), so the audio checks above can pass while part of every tick is skipped:
     * a calibration that threw on every tick went unnoticed through every earlier run this way.
     */
    private static void checkNoFailedTicks(Path work) throws IOException {
        for (int i = 1; i <= MIXER_PORTS.length; i++) {
            Path log = work.resolve("mixer-" + i + ".log");
            if (Files.exists(log)) {
                List<String> lines = Files.readAllLines(log);
                int first = -1;
                for (int k = 0; k < lines.size() && first < 0; k++) {
                    first = lines.get(k).contains("room tick failed") ? k : -1;
                }
                assertThat(first).as("a room tick threw in " + log + ":\n"
                        + (first < 0 ? "" : String.join("\n", lines.subList(first, Math.min(lines.size(), first + 12)))))
                        .isNegative();
            }
        }
    }

    /** Keeps the serving mixer's view (voice placement, jitter targets, mix delays) beside the logs. */
    /**
     * What the bridge, the front and every mixer hold right now, for a run where a page never got a
     * synthetic source: JVB's debug state (its conference's endpoints, their audio sources, the exporter's
     * counters; JVB 11146 {@code rest/root/debug/Debug.java}, on the private HTTP port).
     */
    private static void saveDiagnostics(LocalJitsiStack stack, DuetServices duet, Path work) {
        try {
            Files.writeString(work.resolve("jvb-debug.json"),
                    DuetServices.get(stack.get("JVB_PRIVATE_URL") + "/debug?full=true"));
            Files.writeString(work.resolve("front-stats.json"), duet.frontStatsText());
            for (String m : duet.mixerIds()) {
                Files.writeString(work.resolve("mixer-stats-" + m + ".json"), duet.mixerStats(m));
            }
            System.out.println("jitsi e2e: bridge, front and mixer state saved in " + work);
        } catch (Exception e) {
            System.out.println("jitsi e2e: could not save the diagnostics: " + e);
        }
    }

    private static void saveMixerStats(DuetServices duet, String mixerId, Path file) throws Exception {
        if (mixerId == null) {
            return;
        }
        String stats = duet.mixerStats(mixerId);
        Files.writeString(file, stats);
        System.out.println("jitsi e2e: " + mixerId + " stats -> " + file + ": " + stats);
    }

    private static synchronized void closeAll(List<AutoCloseable> open) {
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception e) {
                System.out.println("jitsi e2e: closing " + open.get(i) + ": " + e);
            }
        }
        open.clear();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static Participant join(String name, Path wav, boolean sing, Path work, String room,
                                    List<AutoCloseable> open) throws IOException {
        Participant p = new Participant(name, Chromium.start(wav, work.resolve("chromium-" + name)));
        open.add(p);
        p.join("http://localhost:" + PAGE_PORT + "/jitsi.html", room, sing);
        return p;
    }

    /** The page plays the synthetic source and the bridge says it is sending. */
    private static void awaitSynthetic(Participant p, String source) {
        p.await(p.name + " plays synthetic source " + source, Duration.ofSeconds(60), s ->
                s.get("playing") instanceof List<?> playing && playing.contains(source)
                        && s.get("sending") instanceof Map<?, ?> sending && Boolean.TRUE.equals(sending.get(source)));
    }

    private void checkWhoHearsWhom(Recording a, Recording b, Recording listener) {
        double aHearsB = band(a.output(), SingerSignals.TONE_B);
        double aHearsA = band(a.output(), SingerSignals.TONE_A);
        double bHearsA = band(b.output(), SingerSignals.TONE_A);
        double bHearsB = band(b.output(), SingerSignals.TONE_B);
        double lHearsA = band(listener.output(), SingerSignals.TONE_A);
        double lHearsB = band(listener.output(), SingerSignals.TONE_B);
        figure("jitsi_e2e_a_own_voice_vs_partner", AudioAnalysis.db(aHearsA / aHearsB), "dB");
        figure("jitsi_e2e_b_own_voice_vs_partner", AudioAnalysis.db(bHearsB / bHearsA), "dB");
        figure("jitsi_e2e_listener_a_level", AudioAnalysis.db(lHearsA / 0.25), "dB re sent");
        figure("jitsi_e2e_listener_b_level", AudioAnalysis.db(lHearsB / 0.25), "dB re sent");
        assertThat(AudioAnalysis.db(aHearsB / 0.25)).as("A hears B (dB re the level B sends)").isGreaterThan(-20);
        assertThat(AudioAnalysis.db(bHearsA / 0.25)).as("B hears A (dB re the level A sends)").isGreaterThan(-20);
        assertThat(AudioAnalysis.db(aHearsA / aHearsB)).as("A's own voice in A's ear, re B's").isLessThan(-40);
        assertThat(AudioAnalysis.db(bHearsB / bHearsA)).as("B's own voice in B's ear, re A's").isLessThan(-40);
        assertThat(AudioAnalysis.db(lHearsA / 0.25)).as("the listener hears A").isGreaterThan(-20);
        assertThat(AudioAnalysis.db(lHearsB / 0.25)).as("the listener hears B").isGreaterThan(-20);
    }

    /**
     * The delay from each singer's own microphone recording to the listener's playout, burst by
     * burst, on the shared wall clock of the pages; the alignment error is A's delay minus B's at
     * the same moment ({@link BurstAlignment}): zero = aligned by capture time.
     */
    private void checkListenerAlignment(Recording a, Recording b, Recording listener, Track mixArrived,
                                        String sourceA, String sourceB) {
        // The reference: the same bursts in the singers' own sources as the bridge forwards them to
        // the listener (two streams, each through its own jitter buffer in the listener's browser).
        Track directA = listener.direct().get(sourceA);
        Track directB = listener.direct().get(sourceB);
        // Capture time: Chromium's own, of each frame the singers' pages sent (FrameAudio). The pages'
        // microphone recordings are reported beside it: a tap that lags capture by its own buffer.
        boolean stamped = a.sent() != null && b.sent() != null;
        Track refA = stamped ? a.sent() : a.input();
        Track refB = stamped ? b.sent() : b.input();
        System.out.println("jitsi e2e: capture-time reference: " + (stamped
                ? "Chromium's capture time of each sent frame" : "the pages' microphone recordings (no sent frames)"));
        if (stamped) {
            BurstAlignment.Result tap = BurstAlignment.measure(a.input(), b.input(), listener.output(),
                    SingerSignals.BURSTS_A, SingerSignals.BURSTS_B);
            BurstAlignment.Result tapA = BurstAlignment.measure(a.sent(), b.sent(), a.input(), b.input(),
                    SingerSignals.BURSTS_A, SingerSignals.BURSTS_B);
            figure("jitsi_e2e_listener_alignment_by_mic_tap_signed_p50", BurstAlignment.percentile(tap.errorsMs(), 50), "ms");
            figure("jitsi_e2e_mic_tap_lag_a", tapA.a().median(), "ms");
            figure("jitsi_e2e_mic_tap_lag_b", tapA.b().median(), "ms");
        }
        double directErrorP50 = Double.NaN;
        System.out.println("jitsi e2e: listener's direct recordings: " + listener.direct().keySet());
        if (directA != null && directB != null) {
            BurstAlignment.Result d = BurstAlignment.measure(refA, refB, directA, directB,
                    SingerSignals.BURSTS_A, SingerSignals.BURSTS_B);
            figure("jitsi_e2e_direct_a_to_listener_delay", d.a().median(), "ms");
            figure("jitsi_e2e_direct_b_to_listener_delay", d.b().median(), "ms");
            figure("jitsi_e2e_direct_alignment_pairs", d.errorsMs().length, "bursts");
            figure("jitsi_e2e_direct_alignment_error_p50", d.errorP50(), "ms");
            directErrorP50 = BurstAlignment.percentile(d.errorsMs(), 50);
            System.out.println("jitsi e2e: direct (bridge-forwarded) alignment errors (ms) "
                    + java.util.Arrays.toString(d.errorsMs()));
        }
        System.out.printf("jitsi e2e: recording clocks (start re median ms, drift ppm): A in %s, B in %s, listener out %s%n",
                clockText(a.input()), clockText(b.input()), clockText(listener.output()));
        BurstAlignment.Result r = BurstAlignment.measure(refA, refB, listener.output(),
                SingerSignals.BURSTS_A, SingerSignals.BURSTS_B);
        figure("jitsi_e2e_a_to_listener_delay", r.a().median(), "ms");
        figure("jitsi_e2e_b_to_listener_delay", r.b().median(), "ms");
        figure("jitsi_e2e_a_to_listener_delay_spread", r.a().spread(), "ms");
        figure("jitsi_e2e_b_to_listener_delay_spread", r.b().spread(), "ms");
        figure("jitsi_e2e_listener_alignment_pairs", r.errorsMs().length, "bursts");
        figure("jitsi_e2e_listener_alignment_error_p50", r.errorP50(), "ms");
        figure("jitsi_e2e_listener_alignment_error_p95", r.errorP95(), "ms");
        System.out.println("jitsi e2e: alignment errors (ms) " + java.util.Arrays.toString(r.errorsMs()));
        double[] near = BurstAlignment.nearPairErrors(r.a(), r.b(), NEAR_PAIR_MS);
        System.out.println("jitsi e2e: alignment errors of bursts that played within " + NEAR_PAIR_MS + " ms of each other (ms) "
                + java.util.Arrays.toString(near));
        double[] nearAbs = java.util.Arrays.stream(near).map(Math::abs).toArray();
        if (near.length > 0) {
            figure("jitsi_e2e_listener_alignment_near_p50", BurstAlignment.percentile(nearAbs, 50), "ms");
            figure("jitsi_e2e_listener_alignment_near_pairs", near.length, "pairs");
            figure("jitsi_e2e_listener_alignment_near_signed_p50", BurstAlignment.percentile(near, 50), "ms");
            figure("jitsi_e2e_listener_alignment_near_p95",
                    BurstAlignment.percentile(java.util.Arrays.stream(near).map(Math::abs).toArray(), 95), "ms");
        }
        // The same on the mix as it reached the listener's page, by media time: what Duet delivered,
        // without the listener's own jitter buffer (which stretches or shrinks time between two bursts).
        double[] mixNearAbs = new double[0];
        if (mixArrived != null) {
            BurstAlignment.Result m = BurstAlignment.measure(refA, refB, mixArrived, SingerSignals.BURSTS_A, SingerSignals.BURSTS_B);
            double[] mixNear = BurstAlignment.nearPairErrors(m.a(), m.b(), NEAR_PAIR_MS);
            mixNearAbs = java.util.Arrays.stream(mixNear).map(Math::abs).toArray();
            System.out.println("jitsi e2e: alignment errors in the mix as it arrived, by media time (ms) "
                    + java.util.Arrays.toString(m.errorsMs()) + "; of bursts within " + NEAR_PAIR_MS + " ms "
                    + java.util.Arrays.toString(mixNear));
            figure("jitsi_e2e_a_to_mix_arrival_delay", m.a().median(), "ms");
            figure("jitsi_e2e_b_to_mix_arrival_delay", m.b().median(), "ms");
            figure("jitsi_e2e_mix_alignment_pairs", mixNear.length, "pairs");
            figure("jitsi_e2e_mix_alignment_signed_p50", BurstAlignment.percentile(mixNear, 50), "ms");
            figure("jitsi_e2e_mix_alignment_p50", BurstAlignment.percentile(mixNearAbs, 50), "ms");
            figure("jitsi_e2e_mix_alignment_p95", BurstAlignment.percentile(mixNearAbs, 95), "ms");
            figure("jitsi_e2e_mix_alignment_all_p95", m.errorP95(), "ms");
        }
        // The signed medians side by side: an offset both paths share comes from upstream of Duet (the
        // Chromium senders, or the pages' own recording of their microphones), not from the mix.
        figure("jitsi_e2e_listener_alignment_signed_p50", BurstAlignment.percentile(r.errorsMs(), 50), "ms");
        if (!Double.isNaN(directErrorP50)) {
            figure("jitsi_e2e_direct_alignment_signed_p50", directErrorP50, "ms");
        }
        assertThat(r.a().delayMs().length).as("bursts of A's microphone found in the listener's audio")
                .isGreaterThanOrEqualTo(6);
        assertThat(r.b().delayMs().length).as("bursts of B's microphone found in the listener's audio")
                .isGreaterThanOrEqualTo(6);
        assertThat(r.errorsMs().length).as("bursts of A with B's around them in the listener's audio")
                .isGreaterThanOrEqualTo(4);
        assertThat(stamped).as("both singers' pages sent their frames with Chromium's capture times (capture stamps)").isTrue();
        // Judged on the bursts of A and B that played close together: between two bursts further
        // apart the listener's own browser moves its playout (time-stretching at load 16-31 moved it by
        // tens of ms within seconds), which is in the interpolated error but not Duet's doing.
        assertThat(near.length).as("bursts of A and B that played within %s ms of each other", NEAR_PAIR_MS)
                .isGreaterThanOrEqualTo(4);
        String limit = System.getProperty("duet.jitsi.e2e.alignmentLimitMs", "5").trim();
        assertThat(BurstAlignment.percentile(nearAbs, 50))
                .as("the listener hears A and B aligned by capture time (median |A - B| of bursts played together, ms)")
                .isLessThanOrEqualTo(Double.parseDouble(limit));
        assertThat(mixNearAbs.length).as("bursts of A and B close together in the listener's mix as it arrived"
                + " (the listener page's received frames: duet-config receivedFrames)").isGreaterThanOrEqualTo(4);
        assertThat(BurstAlignment.percentile(mixNearAbs, 50))
                .as("Duet's listener mix lines A and B up by capture time (median |A - B| by media time, ms)")
                .isLessThanOrEqualTo(Double.parseDouble(limit));
    }

    /**
     * With the mixers' frame trace on (-Dduet.debug.frames=true): the listener mix's alignment by
     * media time with its cursor's steps taken out. A step (the mix reading a little earlier or later
     * on the capture timeline after an underrun or spare slack) moves both voices at once; two bursts
     * compared across it differ by the step though the voices did not move apart. What is left is
     * where the mixer placed the two voices against each other.
     */
    private void reportMixAlignmentWithoutSteps(Recording a, Recording b, Participant listener, Track mixArrived,
                                                String listenerSource, Path work) throws IOException {
        if (!Boolean.getBoolean("duet.debug.frames") || mixArrived == null || a.sent() == null || b.sent() == null) {
            return;
        }
        List<Path> logs = new ArrayList<>();
        for (int i = 0; i < MIXER_PORTS.length; i++) {
            logs.add(work.resolve("mixer-" + (i + 1) + ".log"));
        }
        List<double[]> steps = new ArrayList<>();
        for (double[] s : ExportHops.mixSteps(logs, listenerSource)) {
            double at = listener.placedEpochOfKey(listenerSource, s[0], s[2] + 10);
            if (!Double.isNaN(at)) {
                steps.add(new double[] {at, s[1]});
            }
        }
        BurstAlignment.Result m = BurstAlignment.measure(a.sent(), b.sent(), mixArrived, SingerSignals.BURSTS_A, SingerSignals.BURSTS_B);
        double[] near = BurstAlignment.nearPairErrors(BurstAlignment.withoutSteps(m.a(), steps, 25),
                BurstAlignment.withoutSteps(m.b(), steps, 25), NEAR_PAIR_MS);
        double[] nearAbs = java.util.Arrays.stream(near).map(Math::abs).toArray();
        System.out.println("jitsi e2e: listener mix cursor steps in the capture (epoch ms, ms): "
                + steps.stream().map(java.util.Arrays::toString).toList() + "; near-pair errors without them (ms) "
                + java.util.Arrays.toString(near));
        figure("jitsi_e2e_mix_steps", steps.size(), "steps");
        if (near.length > 0) {
            figure("jitsi_e2e_mix_alignment_stepfree_pairs", near.length, "pairs");
            figure("jitsi_e2e_mix_alignment_stepfree_p50", BurstAlignment.percentile(nearAbs, 50), "ms");
            figure("jitsi_e2e_mix_alignment_stepfree_p95", BurstAlignment.percentile(nearAbs, 95), "ms");
        }
    }

    /**
     * What the export round trip adds for a singer, on the frames themselves: the partner's voice
     * is forwarded untouched, so each Opus frame reaches the singer's page twice, straight from the
     * bridge (recorded, not played) and through Duet; the difference of their receive times leaves
     * both browsers' jitter buffers out. Reported, not asserted (the benchmark's target: 5 ms p50).
     */
    private void reportExportAdded(Participant a, Participant b, String sourceA, String sourceB, Path work) throws IOException {
        double[] ab = a.exportAddedMs(sourceB, sourceB + ".duet");
        double[] ba = b.exportAddedMs(sourceA, sourceA + ".duet");
        double[] all = java.util.stream.DoubleStream.concat(java.util.Arrays.stream(ab), java.util.Arrays.stream(ba)).toArray();
        System.out.printf(java.util.Locale.ROOT, "jitsi e2e: frames received both directly and through Duet: A %d, B %d%n", ab.length, ba.length);
        if (all.length < 50) {
            return;
        }
        figure("jitsi_e2e_export_added_p50", BurstAlignment.percentile(all, 50), "ms");
        figure("jitsi_e2e_export_added_p95", BurstAlignment.percentile(all, 95), "ms");
        reportExportHops(a, b, sourceA, sourceB, work);
    }

    /** With the mixers' frame trace on (-Dduet.debug.frames=true): the round trip split into its hops ({@link ExportHops}). */
    private void reportExportHops(Participant a, Participant b, String sourceA, String sourceB, Path work) throws IOException {
        if (!Boolean.getBoolean("duet.debug.frames")) {
            return;
        }
        List<Path> logs = new ArrayList<>();
        for (int i = 0; i < MIXER_PORTS.length; i++) {
            logs.add(work.resolve("mixer-" + (i + 1) + ".log"));
        }
        ExportHops trace = ExportHops.read(logs);
        List<double[]> hops = new ArrayList<>();
        Participant.ReceivedTwice atA = a.receivedTwice(sourceB, sourceB + ".duet");
        Participant.ReceivedTwice atB = b.receivedTwice(sourceA, sourceA + ".duet");
        hops.addAll(trace.hops(sourceB, atA.direct(), atA.viaDuet()));
        hops.addAll(trace.hops(sourceA, atB.direct(), atB.viaDuet()));
        System.out.println("jitsi e2e: export round trip by hop: " + hops.size() + " frames traced");
        String[] names = {"in", "mixer", "out"};
        for (int k = 0; k < names.length; k++) {
            final int hop = k;
            double[] x = hops.stream().mapToDouble(h -> h[hop]).toArray();
            if (x.length > 0) {
                figure("jitsi_e2e_export_hop_" + names[k] + "_p50", BurstAlignment.percentile(x, 50), "ms");
                figure("jitsi_e2e_export_hop_" + names[k] + "_p95", BurstAlignment.percentile(x, 95), "ms");
            }
        }
    }

    private void reportSingerAddedLatency(Recording a, Recording b, String sourceA, String sourceB) {
        List<Double> added = new ArrayList<>();
        addedLatency(b.input(), a.output(), a.direct().get(sourceB), SingerSignals.BURSTS_B, added);
        addedLatency(a.input(), b.output(), b.direct().get(sourceA), SingerSignals.BURSTS_A, added);
        if (added.isEmpty()) {
            System.out.println("jitsi e2e: no direct recording at the singers, added latency not measured");
            return;
        }
        double[] x = added.stream().mapToDouble(Double::doubleValue).toArray();
        java.util.Arrays.sort(x);
        figure("jitsi_e2e_singer_added_latency_p50", BurstAlignment.percentile(x, 50), "ms");
        figure("jitsi_e2e_singer_added_latency_p95", BurstAlignment.percentile(x, 95), "ms");
    }

    private static void addedLatency(Track partnerMic, Track heard, Track direct, double[] bursts, List<Double> out) {
        if (direct == null) {
            return;
        }
        BurstAlignment.Delays viaDuet = BurstAlignment.delays(partnerMic, heard, bursts);
        BurstAlignment.Delays viaBridge = BurstAlignment.delays(partnerMic, direct, bursts);
        System.out.println("jitsi e2e: partner's bursts via Duet " + java.util.Arrays.toString(viaDuet.delayMs())
                + " ms, direct " + java.util.Arrays.toString(viaBridge.delayMs()) + " ms");
        // each burst heard through Duet against the direct path's median (the two streams go
        // through separate jitter buffers in the page, so burst-by-burst pairs would add their noise)
        double bridge = viaBridge.median();
        if (!Double.isNaN(bridge)) {
            for (double d : viaDuet.delayMs()) {
                out.add(d - bridge);
            }
        }
    }

    private static String clockText(Track t) {
        return String.format(java.util.Locale.ROOT, "%+.2f / %+.0f", t.clock().startEpochMs() - t.startEpochMs(),
                t.clock().driftMsPerSample() * t.sampleRate() * 1000.0);
    }

    private static double band(Track t, double hz) {
        assertThat(t.seconds()).as("recorded at least 4 s").isGreaterThan(4);
        return AudioAnalysis.bandAmplitude(t.samples(), RATE / 2, t.samples().length, hz, RATE);
    }

    /**
     * {@code ./duet bench --only jitsi} runs this test with {@code -Dduet.jitsi.e2e.figuresFile}: every
     * figure as a {@code name value unit} line, plus the issue's names for the three it asks of the
     * Jitsi path (workload: one duet of two Chromium singers and one listener on the local stack).
     */
    private void writeBenchFigures() {
        String file = System.getProperty("duet.jitsi.e2e.figuresFile", "").trim();
        if (file.isEmpty()) {
            return;
        }
        StringBuilder out = new StringBuilder();
        benchLines.forEach((name, line) -> out.append(line).append('\n'));
        // the alignment: the two voices against each other in the mix as it reached the listener's
        // page, by its media time, cursor steps included (what the listener hears); with the trace
        // on, the same with the steps taken out (where the mixer placed the voices) is printed too
        Map<String, String> issueNames = Map.of(
                "jitsi_e2e_export_added_p50", "jitsi_singer_added_latency_p50_ms ms",
                "jitsi_e2e_mix_alignment_p95", "jitsi_listener_alignment_p95_ms ms",
                "jitsi_e2e_mix_alignment_stepfree_p95", "jitsi_listener_alignment_stepfree_p95_ms ms",
                "jitsi_e2e_listener_alignment_near_p95", "jitsi_listener_alignment_played_p95_ms ms",
                "jitsi_e2e_mixer_cpu_per_duet", "jitsi_duet_mixer_cpu_per_duet_percent %",
                "jitsi_e2e_bridge_cpu_per_duet", "jitsi_bridge_cpu_per_duet_percent %");
        issueNames.forEach((from, to) -> {
            Double v = benchValues.get(from);
            if (v != null) {
                String[] nameUnit = to.split(" ");
                out.append(String.format(java.util.Locale.ROOT, "%s %.2f %s%n", nameUnit[0], v, nameUnit[1]));
            }
        });
        try {
            Files.writeString(Path.of(file), out);
        } catch (IOException e) {
            System.out.println("jitsi e2e: cannot write " + file + ": " + e);
        }
    }

    private final Map<String, String> benchLines = new LinkedHashMap<>();
    private final Map<String, Double> benchValues = new LinkedHashMap<>();

    private void figure(String name, double value, String unit) {
        benchLines.put(name, String.format(java.util.Locale.ROOT, "%s %.2f %s", name, value, unit.replace(' ', '_')));
        benchValues.put(name, value);
        figures.put(name + " (" + unit + ")", value);
        System.out.printf("%s %.2f %s%n", name, value, unit);
    }

    private static double seconds(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1e9;
    }
}
