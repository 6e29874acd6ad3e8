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

    @TempDir
    Path tmp;

    @Test
    @Timeout(240)
    void listenersHearBothVoicesAndTheBeatTogether() throws Exception {
        assumeTrue(HeadlessChromium.available(), "needs Debian chromium and chromium-driver");
        // Opt-in until it has passed: on 2026-12-02 (load 12-37, a Jitsi stack and other Chromiums) one
        // run of nine got through calibration (spread 0.0 ms) and measured the follower's claps 0.2-0.9 ms
        // from the beat but the leader's a steady 6 ms late; the others were refused at calibration
        // because the starved media loop skipped 40-75 % of its ticks during the clicks, which never left
        // the mixer (the calibration now says so: "only N of 6 clicks left the mixer"), or timed out
        // starting Chromium (docs/sync.md).
        assumeTrue(Boolean.getBoolean("duet.e2e.browser-sync"), "opt-in: -Dduet.e2e.browser-sync=true");
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
            ChromeDriver a = singer(tmp.resolve("profile-a"), clapper, CLAP_A_HZ);
            browsers.add(a);
            ChromeDriver b = singer(tmp.resolve("profile-b"), clapper, CLAP_B_HZ);
            browsers.add(b);

            String url = server.uri() + "?room=lf";
            URI api = server.uri().resolve("api/rooms/lf/sync");
            System.out.printf("browsers started after %.1f s%n", (System.nanoTime() - t0) / 1e9);
            BrowserDuetTest.join(a, url, "singer-a", "Ana");
            long joinedA = System.nanoTime();
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
            assertThat(calibratedAfter).as("both singers calibrated (within 60 s, 3 requests from each page): " + sync)
                    .doesNotContain(Double.NaN);

            // A takes the lead and starts the beat from the page.
            js(a).executeScript("document.getElementById('sync-bpm').value = '100';"
                    + "document.getElementById('sync-bpb').value = '4';"
                    + "document.getElementById('sync-accent').checked = false;"
                    + "document.getElementById('sync-countin').value = '0';");
            a.findElement(By.id("sync-lead")).click();
            Thread.sleep(300);
            a.findElement(By.id("sync-beat-start")).click();
            Thread.sleep(4_000); // the follower hears the beat and claps; outputs settle on their delays
            // The listener mix as the server sends it to listeners, recorded as a take (a listener page
            // would be a third Chromium on a 2-core machine; its own playout is not what is tested).
            TakeInfo take = server.rehearsal().startTake("lf", "test");
            Thread.sleep(RECORD_SECONDS * 1_000L);
            server.rehearsal().stopTake("lf");
            take = server.rehearsal().awaitTake("lf", take.id(), 10_000);
            assertThat(take.status()).isEqualTo(TakeInfo.DONE);
            float[] heard = OggOpusFiles.read(tmp.resolve("takes").resolve(take.id()).resolve("mix.opus")).audio();
            assertThat(heard.length).as("the take recorded the listener mix").isGreaterThan(RATE * (RECORD_SECONDS - 2));
            sync = get(api);
            System.out.println("sync while recording: " + sync);
            printPlacements(server.uri().resolve("api/stats"));
            for (ChromeDriver p : List.of(a, b)) {
                System.out.println("clapper: " + js(p).executeScript("return JSON.stringify(window.__clapper)"));
            }
            assertThat(sync.path("mode").asText()).isEqualTo("leader-follower");

            // Every beat, and each singer's clap on it, in what the listener played.
            double[] beats = findAll(heard, new BurstFinder(Metronome.BEAT_HZ, Metronome.CLICK_SAMPLES, false), 0.15);
            double[] clapsA = findAll(heard, new BurstFinder(CLAP_A_HZ, CLAP_SAMPLES, true), 0.08);
            double[] clapsB = findAll(heard, new BurstFinder(CLAP_B_HZ, CLAP_SAMPLES, true), 0.08);
            List<Double> errors = new ArrayList<>();
            StringBuilder perBeat = new StringBuilder();
            int complete = 0;
            for (double k : beats) {
                double ca = nearest(clapsA, k);
                double cb = nearest(clapsB, k);
                if (Math.abs(ca - k) > RATE / 10.0 || Math.abs(cb - k) > RATE / 10.0) {
                    perBeat.append(String.format(java.util.Locale.ROOT, " [%.2f s: a %+.1f b %+.1f ms]", k / RATE,
                            (ca - k) / 48, (cb - k) / 48));
                    continue;
                }
                complete++;
                perBeat.append(String.format(java.util.Locale.ROOT, " %+.2f/%+.2f", (ca - k) / 48, (cb - k) / 48));
                errors.add(Math.abs(ca - k) / 48);
                errors.add(Math.abs(cb - k) / 48);
                errors.add(Math.abs(cb - ca) / 48);
            }
            System.out.println("listener: beats at " + beats.length + ", A's claps " + clapsA.length + ", B's claps "
                    + clapsB.length + "; per beat A-beat/B-beat ms:" + perBeat);
            double[] e = errors.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            report("browser_leader_follower_beats", complete, "of " + beats.length);
            assertThat(complete).as("beats with both claps in the listener's recording").isGreaterThanOrEqualTo(MIN_BEATS);
            double median = e[e.length / 2];
            double p95 = e[(int) Math.min(e.length - 1, Math.round(0.95 * (e.length - 1)))];
            double max = e[e.length - 1];
            report("browser_alignment_error_median_ms", median, "ms");
            report("browser_alignment_error_p95_ms", p95, "ms");
            report("browser_alignment_error_max_ms", max, "ms");
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

    private static JavascriptExecutor js(ChromeDriver browser) {
        return browser;
    }
}
