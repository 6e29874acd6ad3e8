package org.duet.mixer.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.duet.mixer.config.DuetConfig;
import org.duet.mixer.record.OggOpusFiles;
import org.duet.mixer.record.TakeInfo;
import org.duet.mixer.room.DuetMixer;
import org.duet.mixer.sim.BurstFinder;
import org.duet.mixer.sim.SimulatedDuet;
import org.duet.mixer.sim.SimSinger;
import org.duet.mixer.sync.Metronome;
import org.duet.mixer.web.StandaloneServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * Issue #13 in real browsers: two headless Chromium singers in leader/follower mode through the
 * standalone server's real signaling, WebRTC (ICE, DTLS, SRTP, Opus, Chrome's own RTCP and the
 * page's clock pings) and the page's controls. A page fed from a file cannot sing along, so each
 * singer page runs a test-only clapper ({@code e2e/clapper.js}): WebRTC encoded transforms decode
 * every frame the page receives, find each click (calibration or beat) on its media time, and
 * replace the frames the page sends with the singer's own: silence, and a clap (a 1.5 ms burst at
 * its own pitch: A 5 kHz, B 6.5 kHz) a fixed {@value #CLAPPER_DELAY_MS} ms after the click, both
 * ends anchored on the minimum delay of the frames (so the load on the machine does not move the
 * claps; a clapper listening to the page's audio was starved into clapping tens of ms off, see
 * docs/sync.md). Both singers are calibrated at join on their own clicks; then A's page takes the
 * lead and starts the metronome (100 bpm, no accent, no count-in) from the page's controls. The
 * listener mix is recorded by the server as a take (what listeners are sent; a listener page would
 * be a third Chromium on a 2-core machine); every beat, A's clap and B's clap are found in it with
 * matched filters, and the test checks #13's promise: the two voices and the beat within 5 ms of
 * each other for listeners.
 *
 * <p>What it leaves out: the browsers' own playout and capture (jitter buffer, audio devices) are
 * outside the loop the clapper closes. A singer's real loop includes them; the calibration measures
 * it once, and whatever changes it afterwards moves that singer's voice by as much.
 */
class BrowserLeaderFollowerTest {

    private static final int RATE = 48_000;
    private static final double CLAP_A_HZ = 5000;
    private static final double CLAP_B_HZ = 6500;
    private static final int CLAP_SAMPLES = 72;
    private static final double CLAPPER_DELAY_MS = 200;
    /**
     * The take's length: about 33 beats at 100 bpm. On a loaded machine some packets are lost on
     * the way (a beat a singer did not hear, a clap that did not arrive): only beats with both claps
     * are measured, and at least {@link #MIN_BEATS} must be.
     */
    private static final int RECORD_SECONDS = 20;
    private static final int MIN_BEATS = 10;
    private static final int MAX_TAKES = 3;

    @TempDir
    Path tmp;

    @Test
    @Timeout(300)
    void listenersHearBothVoicesAndTheBeatTogether() throws Exception {
        assumeTrue(HeadlessChromium.available(), "needs Debian chromium and chromium-driver");
        // In the normal suite since 2026-12-02 (passed at load 10-15 on 2 cores: p95 0.52 and 1.44 ms);
        // -Dduet.e2e.browser-sync=false leaves it out.
        assumeTrue(!"false".equals(System.getProperty("duet.e2e.browser-sync")),
                "left out: -Dduet.e2e.browser-sync=false");
        String clapper = new String(BrowserLeaderFollowerTest.class.getResourceAsStream("/e2e/clapper.js").readAllBytes(),
                StandardCharsets.UTF_8);
        DuetConfig config = DuetConfig.withOverrides("duet.http.port = 0\n"
                + "duet.rehearsal.takes.dir = \"" + tmp.resolve("takes") + "\"");
        List<ChromeDriver> browsers = new ArrayList<>();
        String[] lastFailure = {"", ""};
        long t0 = System.nanoTime();
        try (DuetMixer mixer = DuetMixer.start(config);
             StandaloneServer server = StandaloneServer.start(config, mixer)) {
            assumeTrue(server.webRtcAvailable(), "this build has no WebRTC transport");
            // The browsers start while this JVM runs the mixer's code hot: a cold mixer (interpreted, its
            // JIT compiler threads starved at load 15-20) skipped 40 s of ticks and lost half the packets
            // in the first 40 s after the singers joined (2026-12-02), so no calibration at join could work.
            java.util.concurrent.CompletableFuture<ChromeDriver[]> started = java.util.concurrent.CompletableFuture
                    .supplyAsync(() -> {
                        try {
                            return new ChromeDriver[] {singer(tmp.resolve("profile-a"), clapper, CLAP_A_HZ),
                                    singer(tmp.resolve("profile-b"), clapper, CLAP_B_HZ)};
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
            long warm0 = System.nanoTime();
            SimulatedDuet.run(new SimulatedDuet.Scenario(
                    new SimSinger.Profile("a", 10, 2, 0, 350, 50, 12, 50, 6000, true, 1),
                    new SimSinger.Profile("b", 60, 15, 2, -1200, -50, 25, 50, 8000, true, 2), 100, 8, 4));
            System.out.printf("mixer warmed up (a simulated duet) in %.1f s%n", (System.nanoTime() - warm0) / 1e9);
            ChromeDriver[] both = started.get(200, java.util.concurrent.TimeUnit.SECONDS);
            ChromeDriver a = both[0];
            browsers.add(a);
            ChromeDriver b = both[1];
            browsers.add(b);

            String url = server.uri() + "?room=lf";
            URI api = server.uri().resolve("api/rooms/lf/sync");
            System.out.printf("browsers started after %.1f s%n", (System.nanoTime() - t0) / 1e9);
            BrowserDuetTest.join(a, url, "singer-a", "Ana");
            long joinedA = System.nanoTime();
            // A takes the lead from the page before B joins: the room is in leader/follower mode from the
            // start, so no singer's output ever forwards the partner's packets (live mode does, until a
            // beat starts) and each singer's stream keeps one timing from their calibration to the take
            // (a forward/mix switch re-times it, and the singer's playout settles on it afresh).
            a.findElement(By.id("sync-lead")).click();
            BrowserDuetTest.join(b, url, "singer-b", "Ben");
            long joinedB = System.nanoTime();
            System.out.printf("joined after %.1f / %.1f s%n", (joinedA - t0) / 1e9, (joinedB - t0) / 1e9);

            // Calibrated at join, both at once, on the clicks the clappers clap on. A failed calibration
            // (a starved browser's audio path jitters by tens of ms: the mixer refuses a spread train)
            // is asked for again from the page, as a singer would, at most 3 times each.
            double[] calibratedAfter = {Double.NaN, Double.NaN};
            int[] asked = new int[2];
            int[] seenAttempts = new int[2];
            ChromeDriver[] pages = {a, b};
            long deadline = System.nanoTime() + 60_000_000_000L;
            JsonNode sync = null;
            while (System.nanoTime() < deadline && (Double.isNaN(calibratedAfter[0]) || Double.isNaN(calibratedAfter[1]))) {
                sync = get(api);
                JsonNode singers = sync.path("singers");
                for (int who = 0; who < singers.size() && who < 2; who++) { // in the order they joined: A, B
                    JsonNode s = singers.get(who);
                    String state = s.path("calibration").asText();
                    if (Double.isNaN(calibratedAfter[who]) && "done".equals(state)) {
                        calibratedAfter[who] = (System.nanoTime() - (who == 0 ? joinedA : joinedB)) / 1e9;
                        System.out.printf(java.util.Locale.ROOT, "%s calibrated %.2f s after joining: %s; %s%n",
                                who == 0 ? "A" : "B", calibratedAfter[who], s, timing(server.uri(), pages));
                    }
                    if ("failed".equals(state) && !s.path("calibrationMessage").asText().equals(
                            who == 0 ? lastFailure[0] : lastFailure[1])) {
                        lastFailure[who] = s.path("calibrationMessage").asText();
                        System.out.println((who == 0 ? "A" : "B") + " calibration failed: " + lastFailure[who]
                                + "; clapper " + js(pages[who]).executeScript("return JSON.stringify(window.__clapper)"));
                        printPlacements(server.uri().resolve("api/stats"));
                        seenAttempts[who]++;
                        boolean noRetry = lastFailure[who].contains("not heard back"); // the mixer does not retry that
                        if ((noRetry || seenAttempts[who] >= 2) && asked[who] < 3) { // the automatic retry is spent
                            asked[who]++;
                            pages[who].findElement(By.id("sync-calibrate")).click();
                        }
                    }
                }
                Thread.sleep(100);
            }
            System.out.println("sync after join: " + sync);
            printPlacements(server.uri().resolve("api/stats"));
            report("browser_calibration_at_join_first_s", calibratedAfter[0], "s");
            report("browser_calibration_at_join_second_s", calibratedAfter[1], "s");
            report("browser_calibration_requests_from_page", asked[0] + asked[1], "");
            report("browser_load_average_1min", loadAverage(), "");
            assertThat(calibratedAfter).as("both singers calibrated (within 60 s, 3 requests from each page): " + sync)
                    .doesNotContain(Double.NaN);

            // A takes the lead and starts the beat from the page.
            js(a).executeScript("document.getElementById('sync-bpm').value = '100';"
                    + "document.getElementById('sync-bpb').value = '4';"
                    + "document.getElementById('sync-accent').checked = false;"
                    + "document.getElementById('sync-countin').value = '0';");
            a.findElement(By.id("sync-beat-start")).click();
            Thread.sleep(4_000); // the follower hears the beat and claps; outputs settle on their delays
            // The listener mix as the server sends it to listeners, recorded as a take (a listener page
            // would be a third Chromium on a 2-core machine; its own playout is not what is tested). On a
            // loaded machine some beats or claps never make it (a stalled media loop skips ticks, a starved
            // browser misses a frame): only beats with both claps count, and another take is recorded
            // until MIN_BEATS of them are in (at most MAX_TAKES).
            List<Double> aToBeat = new ArrayList<>();
            List<Double> bToBeat = new ArrayList<>();
            int beatsHeard = 0;
            for (int takeNo = 1; takeNo <= MAX_TAKES && aToBeat.size() < MIN_BEATS; takeNo++) {
                TakeInfo take = server.rehearsal().startTake("lf", "test-" + takeNo);
                long recordStart = System.nanoTime();
                List<String> series = new ArrayList<>();
                while (System.nanoTime() - recordStart < RECORD_SECONDS * 1_000_000_000L) {
                    // What moves each singer's loop as the mixer states it, once a second (docs/sync.md)
                    series.add(String.format(java.util.Locale.ROOT, "%5.1f s %s",
                            (System.nanoTime() - recordStart) / 1e9, timing(server.uri(), pages)));
                    Thread.sleep(1_000);
                }
                server.rehearsal().stopTake("lf");
                System.out.println("take " + takeNo + ", while recording (t after the take's start; per singer: clock,"
                        + " transit = best-case arrival - capture estimate, timeline - media time, own mix read delay,"
                        + " calibrated loop, clock offset, mix ticks skipped; the listener's beat delay (the leader's"
                        + " loop now) and the follower's correction; the clappers' received/sent best-case delays R/S, ms):");
                series.forEach(System.out::println);
                take = server.rehearsal().awaitTake("lf", take.id(), 30_000);
                assertThat(take.status()).isEqualTo(TakeInfo.DONE);
                float[] heard = OggOpusFiles.read(tmp.resolve("takes").resolve(take.id()).resolve("mix.opus")).audio();
                report("browser_take_seconds", heard.length / (double) RATE, "s");
                assertThat(heard.length).as("the take recorded the listener mix").isGreaterThan(RATE * 5);

                // Every beat, and each singer's clap on it, in what the listener played.
                double[] beats = findAll(heard, new BurstFinder(Metronome.BEAT_HZ, Metronome.CLICK_SAMPLES, false), 0.15);
                double[] clapsA = findAll(heard, new BurstFinder(CLAP_A_HZ, CLAP_SAMPLES, true), 0.08);
                double[] clapsB = findAll(heard, new BurstFinder(CLAP_B_HZ, CLAP_SAMPLES, true), 0.08);
                StringBuilder perBeat = new StringBuilder();
                for (double k : beats) {
                    double ca = nearest(clapsA, k);
                    double cb = nearest(clapsB, k);
                    if (Math.abs(ca - k) > RATE / 10.0 || Math.abs(cb - k) > RATE / 10.0) {
                        perBeat.append(String.format(java.util.Locale.ROOT, " [%.2f s: a %+.1f b %+.1f ms]", k / RATE,
                                (ca - k) / 48, (cb - k) / 48));
                        continue;
                    }
                    perBeat.append(String.format(java.util.Locale.ROOT, " %+.2f/%+.2f", (ca - k) / 48, (cb - k) / 48));
                    aToBeat.add((ca - k) / 48);
                    bToBeat.add((cb - k) / 48);
                }
                beatsHeard += beats.length;
                System.out.println("take " + takeNo + ": listener: beats " + beats.length + ", A's claps " + clapsA.length
                        + ", B's claps " + clapsB.length + "; per beat A-beat/B-beat ms:" + perBeat);
            }
            JsonNode sync2 = get(api);
            System.out.println("sync while recording: " + sync2);
            printPlacements(server.uri().resolve("api/stats"));
            for (ChromeDriver p : List.of(a, b)) {
                System.out.println("clapper: " + js(p).executeScript("return JSON.stringify(window.__clapper)"));
            }
            assertThat(sync2.path("mode").asText()).isEqualTo("leader-follower");
            int complete = aToBeat.size();
            report("browser_leader_follower_beats", complete, "of " + beatsHeard);
            assertThat(complete).as("beats with both claps in the listener's recordings").isGreaterThanOrEqualTo(MIN_BEATS);
            List<Double> errors = new ArrayList<>();
            double[] ab = new double[complete];
            for (int i = 0; i < complete; i++) {
                ab[i] = bToBeat.get(i) - aToBeat.get(i);
                errors.add(Math.abs(aToBeat.get(i)));
                errors.add(Math.abs(bToBeat.get(i)));
                errors.add(Math.abs(ab[i]));
            }
            // The three pairwise offsets in the listener mix: leader - beat, follower - beat, follower - leader.
            pair("browser_leader_to_beat", aToBeat.stream().mapToDouble(Double::doubleValue).toArray());
            pair("browser_follower_to_beat", bToBeat.stream().mapToDouble(Double::doubleValue).toArray());
            pair("browser_follower_to_leader", ab);
            double[] e = errors.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            double median = e[e.length / 2];
            double p95 = e[(int) Math.min(e.length - 1, Math.round(0.95 * (e.length - 1)))];
            double max = e[e.length - 1];
            report("browser_alignment_error_median_ms", median, "ms");
            report("browser_alignment_error_p95_ms", p95, "ms");
            report("browser_alignment_error_max_ms", max, "ms");
            report("browser_load_average_1min", loadAverage(), "");
            report("browser_leader_follower_wall_s", (System.nanoTime() - t0) / 1e9, "s");
            assertThat(p95).as("listener: beat, A and B within 5 ms of each other (p95), ms").isLessThanOrEqualTo(5.0);
        } finally {
            for (ChromeDriver browser : browsers) {
                try {
                    browser.quit();
                } catch (RuntimeException e) { // a slow driver shutdown must not hide the test's own failure
                    System.out.println("browser quit: " + e.getMessage().lines().findFirst().orElse(""));
                }
            }
        }
    }

    /** A singer's browser with the clapper in every page it opens. */
    private static ChromeDriver singer(Path profile, String clapper, double clapHz) throws java.io.IOException {
        ChromeDriver d = HeadlessChromium.startAtOurPriority(null, profile, 1000, 800);
        String source = clapper.replace("__CLAP_HZ__", Double.toString(clapHz))
                .replace("__DELAY_MS__", Double.toString(CLAPPER_DELAY_MS));
        // The page's CSP allows scripts from 'self' only; the clapper's worklet is a blob (test-only).
        d.executeCdpCommand("Page.setBypassCSP", Map.of("enabled", true));
        d.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", source));
        return d;
    }

    /** Where the mixer places each singer's voice (clock source, transit) and its clock sync, for the log. */
    private static void printPlacements(URI stats) throws Exception {
        JsonNode all = get(stats);
        System.out.println("tick " + all.path("tick"));
        for (JsonNode p : all.findParents("placement")) {
            System.out.println("placement " + p.path("id").asText() + ": " + p.path("placement") + " clock "
                    + p.path("sync") + " stats " + p.path("stats"));
        }
    }

    /**
     * One line: for each singer (in the order they joined) the capture clock, transit, placement
     * (timeline - media time), own mix read delay and the loop the mixer states now; the listener's beat
     * delay; and each clapper's minimum-delay anchors.
     */
    private static String timing(URI base, ChromeDriver[] pages) throws Exception {
        JsonNode sync = get(base.resolve("api/rooms/lf/sync"));
        JsonNode stats = get(base.resolve("api/stats"));
        StringBuilder b = new StringBuilder();
        JsonNode singers = sync.path("singers");
        for (int who = 0; who < singers.size(); who++) {
            String id = singers.get(who).path("id").asText();
            for (JsonNode p : stats.findParents("placement")) {
                if (id.equals(p.path("id").asText())) {
                    JsonNode pl = p.path("placement");
                    b.append(String.format(java.util.Locale.ROOT, "%s[%s tr %.2f m2t %.2f d %.1f loop %.1f off %.1f sk %d] ",
                            who == 0 ? "A" : "B", pl.path("clock").asText(), pl.path("transitMs").asDouble(),
                            pl.path("mediaToTimelineMs").asDouble(), p.path("stats").path("mixDelayMs").asDouble(),
                            singers.get(who).path("loopMs").asDouble(), p.path("sync").path("clockOffsetMs").asDouble(),
                            p.path("stats").path("mixTicksSkipped").asLong()));
                }
            }
        }
        b.append(String.format(java.util.Locale.ROOT, "beat %.1f corr %.1f", sync.path("listenerBeatDelayMs").asDouble(),
                singers.size() > 1 ? singers.get(1).path("correctionMs").asDouble() : Double.NaN));
        for (int who = 0; who < pages.length; who++) {
            Object rs = js(pages[who]).executeScript(
                    "const c = window.__clapper; return c ? c.recvBaseMs + '/' + c.sendBaseMs : 'none'");
            b.append(who == 0 ? " | R/S A " : " B ").append(rs);
        }
        return b.toString();
    }

    private static JsonNode get(URI uri) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return new ObjectMapper().readTree(r.body());
    }

    /** Every burst {@code f} finds in {@code x} (at most one per 100 ms), onsets in samples. */
    private static double[] findAll(float[] x, BurstFinder f, double minAmplitude) {
        List<Double> out = new ArrayList<>();
        int i = f.length();
        while (i < x.length - 2 * f.length()) {
            if (Math.abs(x[i]) < 0.02f) {
                i++;
                continue;
            }
            BurstFinder.Found found = f.find(x, i - f.length() - 4, Math.min(x.length - f.length(), i + 480), minAmplitude);
            if (found == null) {
                i += 240;
                continue;
            }
            out.add(found.onset());
            i = (int) found.onset() + RATE / 10;
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static double nearest(double[] xs, double x) {
        return Arrays.stream(xs).boxed().min((p, q) -> Double.compare(Math.abs(p - x), Math.abs(q - x)))
                .orElse(Double.POSITIVE_INFINITY);
    }

    private static void report(String name, double value, String unit) {
        System.out.printf("%s %.2f %s%n", name, value, unit);
    }

    /** Median (signed) and p95 of |x| of one pairwise offset, ms. */
    private static void pair(String name, double[] x) {
        double[] sorted = x.clone();
        Arrays.sort(sorted);
        double[] abs = Arrays.stream(x).map(Math::abs).sorted().toArray();
        report(name + "_median_ms", sorted[sorted.length / 2], "ms");
        report(name + "_p95_abs_ms", abs[(int) Math.min(abs.length - 1, Math.round(0.95 * (abs.length - 1)))], "ms");
    }

    private static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static JavascriptExecutor js(ChromeDriver browser) {
        return browser;
    }
}
