package org.duet.bench.browser;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.duet.bench.analysis.Percentiles;
import org.duet.bench.report.Figure;
import org.duet.mixer.config.DuetConfig;
import org.duet.mixer.room.DuetMixer;
import org.duet.mixer.web.StandaloneServer;

/**
 * Browser singers, mouth to ear ({@code ./duet bench --only browser}, docs/browser-latency.md).
 *
 * <p>Two headless Chromiums open the Duet page and join one room as singer A and singer B, A
 * first (as two people would: the first singer waits alone, then the partner joins), through
 * Duet's standalone server in this JVM (real signaling, ICE, DTLS-SRTP, the mixer's forwarding).
 * The same two pages then open a direct RTCPeerConnection to each other (loopback host
 * candidates only) carrying the same microphone tracks. Each page records, on one clock, its
 * microphone, what Duet sends it and what the direct call brings; the figures are the delays of
 * the clicks from one page's microphone to the other's ear by both paths, in the same run, so load
 * and device buffering affect both alike. Both calls use the page's latency levers (js/latency.js);
 * {@code --page "ptime=20&jbt=default&latency=interactive"} measures them off, one at a time.
 */
public final class BrowserFigures {

    private static final double TONE_A = 440;
    private static final double TONE_B = 660;
    private static final double CLICK_A = 3000;
    private static final double CLICK_B = 4500;
    /** Clicks heard this early in the recording count as the start (the figures also cover the rest). */
    private static final double START_WINDOW_S = 4;

    private BrowserFigures() {
    }

    /** {@code java ... BrowserFigures [seconds] [page params]}: the figures, one line each. */
    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        String page = args.length > 1 ? args[1] : "";
        for (Figure f : run(seconds, page)) {
            System.out.println(f.line());
        }
    }

    public static List<Figure> run(int seconds, String pageParams) throws Exception {
        if (!HeadlessPage.available()) {
            System.err.println("bench: browser figures need Debian's chromium and chromium-driver; skipped");
            return List.of();
        }
        Path work = Files.createTempDirectory("duet-browser-bench-");
        Path wavA = ClickSignal.write(work.resolve("a.wav"), ClickSignal.singer(TONE_A, CLICK_A, 0));
        Path wavB = ClickSignal.write(work.resolve("b.wav"), ClickSignal.singer(TONE_B, CLICK_B, 0.2));
        DuetConfig config = DuetConfig.withOverrides("duet.http.port = 0");
        String load = Files.readString(Path.of("/proc/loadavg")).trim();
        try (DuetMixer mixer = DuetMixer.start(config);
             StandaloneServer server = StandaloneServer.start(config, mixer);
             HeadlessPage a = HeadlessPage.start(wavA, work.resolve("profile-a"));
             HeadlessPage b = HeadlessPage.start(wavB, work.resolve("profile-b"))) {
            if (!server.webRtcAvailable()) {
                throw new IllegalStateException("this build has no WebRTC transport");
            }
            String url = server.uri() + "?room=browser-bench" + (pageParams.isEmpty() ? "" : "&" + pageParams);
            a.joinAsSinger(url, "singer-a", "A");
            a.awaitAudio(50, 30);
            Thread.sleep(2000); // A waits alone for a moment, as a first singer does
            b.joinAsSinger(url, "singer-b", "B");
            long bJoined = System.nanoTime();
            b.awaitAudio(20, 30);
            // The direct reference call between the same two pages.
            for (HeadlessPage p : List.of(a, b)) {
                p.js("window.__benchErrors = []; window.addEventListener('error', (e) => __benchErrors.push(String(e.message)));"
                        + "window.addEventListener('unhandledrejection', (e) => __benchErrors.push(String(e.reason)));");
            }
            String offer = (String) a.js("return window.duet.direct.offer()");
            String answer = (String) b.js("return window.duet.direct.answer(arguments[0])", offer);
            a.js("return window.duet.direct.accept(arguments[0])", answer);
            awaitDirect(a, b);
            System.err.printf("bench: browser: both calls up %.1f s after B joined; levers %s; load %s%n",
                    (System.nanoTime() - bJoined) / 1e9, a.js("return JSON.stringify(window.duet.levers())"), load);

            for (HeadlessPage p : List.of(a, b)) {
                System.err.println("bench: browser page: " + p.js("return JSON.stringify({errors: window.__benchErrors, "
                        + "receivers: window.duet.direct.pc.getReceivers().map((r) => r.track && r.track.readyState)})"));
            }
            a.js("return window.duet.capture.start()");
            b.js("return window.duet.capture.start()");
            Totals before = Totals.read(a, b);
            Thread.sleep(seconds * 1000L);
            Totals after = Totals.read(a, b);
            a.js("return window.duet.capture.stop()");
            b.js("return window.duet.capture.stop()");
            @SuppressWarnings("unchecked")
            Map<String, Object> ra = (Map<String, Object>) a.js("return window.duet.capture.take()");
            @SuppressWarnings("unchecked")
            Map<String, Object> rb = (Map<String, Object>) b.js("return window.duet.capture.take()");
            HeadlessPage.Track micA = HeadlessPage.track(ra, "input");
            HeadlessPage.Track micB = HeadlessPage.track(rb, "input");
            List<ClickDelays.Click> duetAB = clicks(micA, HeadlessPage.track(rb, "output"), CLICK_A);
            List<ClickDelays.Click> duetBA = clicks(micB, HeadlessPage.track(ra, "output"), CLICK_B);
            List<ClickDelays.Click> p2pAB = clicks(micA, HeadlessPage.track(rb, "direct"), CLICK_A);
            List<ClickDelays.Click> p2pBA = clicks(micB, HeadlessPage.track(ra, "direct"), CLICK_B);
            log("duet a->b", duetAB);
            log("duet b->a", duetBA);
            log("p2p a->b", p2pAB);
            log("p2p b->a", p2pBA);

            List<Figure> f = new ArrayList<>();
            List<ClickDelays.Click> duet = concat(duetAB, duetBA);
            List<ClickDelays.Click> p2p = concat(p2pAB, p2pBA);
            double duetMs = median(duet);
            double p2pMs = median(p2p);
            f.add(new Figure("browser_mouth_to_ear_duet_ms", duetMs, "ms"));
            f.add(new Figure("browser_mouth_to_ear_p2p_ms", p2pMs, "ms"));
            f.add(new Figure("browser_duet_minus_p2p_ms", duetMs - p2pMs, "ms"));
            f.add(new Figure("browser_clicks_duet", duet.size(), "clicks"));
            f.add(new Figure("browser_clicks_p2p", p2p.size(), "clicks"));
            f.add(new Figure("browser_mouth_to_ear_duet_p90_ms", percentile(duet, 90), "ms"));
            f.add(new Figure("browser_mouth_to_ear_p2p_p90_ms", percentile(p2p, 90), "ms"));
            f.add(new Figure("browser_mouth_to_ear_duet_a_to_b_ms", median(duetAB), "ms"));
            f.add(new Figure("browser_mouth_to_ear_duet_b_to_a_ms", median(duetBA), "ms"));
            f.add(new Figure("browser_mouth_to_ear_p2p_a_to_b_ms", median(p2pAB), "ms"));
            f.add(new Figure("browser_mouth_to_ear_p2p_b_to_a_ms", median(p2pBA), "ms"));
            f.add(new Figure("browser_start_duet_ms", median(early(duet)), "ms"));
            f.add(new Figure("browser_start_p2p_ms", median(early(p2p)), "ms"));
            f.add(new Figure("browser_jitter_buffer_duet_ms", after.jitterBufferMs(before, true), "ms"));
            f.add(new Figure("browser_jitter_buffer_p2p_ms", after.jitterBufferMs(before, false), "ms"));
            f.add(new Figure("browser_concealed_duet_ratio", after.concealedRatio(before, true), "ratio"));
            f.add(new Figure("browser_concealed_p2p_ratio", after.concealedRatio(before, false), "ratio"));
            f.add(new Figure("browser_sent_packet_ms", after.packetMs(before), "ms"));
            return f;
        } finally {
            deleteTree(work);
        }
    }

    private static void deleteTree(Path dir) {
        try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException e) {
            System.err.println("bench: could not remove " + dir + ": " + e.getMessage());
        }
    }

    private static void awaitDirect(HeadlessPage a, HeadlessPage b) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            if ("connected".equals(a.js("return window.duet.direct.state()"))
                    && "connected".equals(b.js("return window.duet.direct.state()"))) {
                Thread.sleep(500); // first packets through
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the direct call between the pages did not connect in 10 s");
    }

    private static List<ClickDelays.Click> clicks(HeadlessPage.Track mic, HeadlessPage.Track ear, double clickHz) {
        int base = (int) Math.round((mic.startEpochMs() - ear.startEpochMs()) * ClickSignal.RATE / 1000.0);
        return ClickDelays.find(mic.samples(), ear.samples(), base, clickHz, 0, 800);
    }

    private static void log(String what, List<ClickDelays.Click> clicks) {
        StringBuilder sb = new StringBuilder("bench: browser " + what + " (s: ms):");
        for (ClickDelays.Click c : clicks) {
            sb.append(String.format(java.util.Locale.ROOT, " %.1f:%.0f", c.atS(), c.delayMs()));
        }
        System.err.println(sb);
    }

    private static List<ClickDelays.Click> concat(List<ClickDelays.Click> x, List<ClickDelays.Click> y) {
        List<ClickDelays.Click> all = new ArrayList<>(x);
        all.addAll(y);
        return all;
    }

    private static List<ClickDelays.Click> early(List<ClickDelays.Click> clicks) {
        return clicks.stream().filter(c -> c.atS() < START_WINDOW_S).toList();
    }

    private static double median(List<ClickDelays.Click> clicks) {
        return percentile(clicks, 50);
    }

    private static double percentile(List<ClickDelays.Click> clicks, double p) {
        if (clicks.isEmpty()) {
            return Double.NaN;
        }
        return Percentiles.of(clicks.stream().mapToDouble(ClickDelays.Click::delayMs).toArray(), p);
    }

    /** getStats totals of both pages' two calls at one moment. */
    private record Totals(Map<String, Object> aDuet, Map<String, Object> bDuet, Map<String, Object> aP2p,
                          Map<String, Object> bP2p) {

        @SuppressWarnings("unchecked")
        static Totals read(HeadlessPage a, HeadlessPage b) {
            return new Totals((Map<String, Object>) a.js("return window.duet.totals('duet')"),
                    (Map<String, Object>) b.js("return window.duet.totals('duet')"),
                    (Map<String, Object>) a.js("return window.duet.totals('direct')"),
                    (Map<String, Object>) b.js("return window.duet.totals('direct')"));
        }

        /** Mean time a sample spent in the two receivers' jitter buffers over the window. */
        double jitterBufferMs(Totals before, boolean duet) {
            double delay = delta(before, duet, m -> num(m, "jitterBufferDelay"));
            double emitted = delta(before, duet, m -> num(m, "jitterBufferEmittedCount"));
            return emitted > 0 ? 1000 * delay / emitted : Double.NaN;
        }

        double concealedRatio(Totals before, boolean duet) {
            double concealed = delta(before, duet, m -> num(m, "concealedSamples"));
            double total = delta(before, duet, m -> num(m, "totalSamplesReceived"));
            return total > 0 ? concealed / total : Double.NaN;
        }

        /** Audio per packet A sends to Duet: the Opus frame length its encoder uses. */
        double packetMs(Totals before) {
            double packets = num(aDuet, "packetsSent") - num(before.aDuet, "packetsSent");
            double ms = num(aDuet, "at") - num(before.aDuet, "at");
            return packets > 0 ? ms / packets : Double.NaN;
        }

        private double delta(Totals before, boolean duet, ToDoubleFunction<Map<String, Object>> f) {
            return duet ? f.applyAsDouble(aDuet) - f.applyAsDouble(before.aDuet) + f.applyAsDouble(bDuet)
                    - f.applyAsDouble(before.bDuet)
                    : f.applyAsDouble(aP2p) - f.applyAsDouble(before.aP2p) + f.applyAsDouble(bP2p)
                    - f.applyAsDouble(before.bP2p);
        }

        private static double num(Map<String, Object> m, String key) {
            return m != null && m.get(key) instanceof Number n ? n.doubleValue() : 0;
        }
    }
}
