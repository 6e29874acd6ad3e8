package org.duet.mixer.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.duet.mixer.config.DuetConfig;
import org.duet.mixer.room.DuetMixer;
import org.duet.mixer.web.StandaloneServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The product end to end: three headless Chromiums open the page, two join as singers (their
 * fake microphones play a 440 Hz and a 660 Hz tone with tone-burst clicks at 3 and 4.5 kHz) and
 * one as listener, through the real signaling, WebRTC transport and mixer. Each page records
 * what it sends and what it actually plays (window.duet.capture); from that audio the test
 * checks mix-minus (each singer hears the other and not themselves) and that the listener hears
 * both, and reports the delay from one singer's microphone to the other's ear and the listener's
 * offset between the two singers, as {@code name value unit} lines.
 */
class BrowserDuetTest {

    private static final int RATE = 48_000;
    private static final double TONE_A = 440;
    private static final double TONE_B = 660;
    private static final double BURST_A = 3000;
    private static final double BURST_B = 4500;

    @TempDir
    Path tmp;

    @Test
    @Timeout(150)
    void twoSingersAndAListenerInChromium() throws Exception {
        assumeTrue(HeadlessChromium.available(), "needs Debian chromium and chromium-driver");
        Path wavA = TestWavs.write(tmp.resolve("singer-a.wav"), TestWavs.singer(TONE_A, BURST_A, 0));
        Path wavB = TestWavs.write(tmp.resolve("singer-b.wav"), TestWavs.singer(TONE_B, BURST_B, 0.11));
        DuetConfig config = DuetConfig.withOverrides("duet.http.port = 0");
        List<ChromeDriver> browsers = new ArrayList<>();
        try (DuetMixer mixer = DuetMixer.start(config);
             StandaloneServer server = StandaloneServer.start(config, mixer)) {
            assumeTrue(server.webRtcAvailable(), "this build has no WebRTC transport");
            ChromeDriver a = HeadlessChromium.start(wavA, tmp.resolve("profile-a"), 1200, 900);
            browsers.add(a);
            ChromeDriver b = HeadlessChromium.start(wavB, tmp.resolve("profile-b"), 1200, 900);
            browsers.add(b);
            ChromeDriver listener = HeadlessChromium.start(null, tmp.resolve("profile-l"), 1200, 900);
            browsers.add(listener);

            String url = server.uri() + "?room=e2e";
            join(a, url, "singer-a", "Ana");
            join(b, url, "singer-b", "Ben");
            join(listener, url, "listener", "Lee");
            for (ChromeDriver browser : browsers) {
                awaitAudioFlowing(browser);
            }
            Thread.sleep(2000); // let jitter buffers settle

            onEach(browsers, browser -> js(browser).executeScript("window.duet.capture.start()"));
            long started = System.nanoTime();
            Thread.sleep(6000);
            Path shots = Path.of("target", "screenshots");
            java.nio.file.Files.createDirectories(shots);
            java.nio.file.Files.write(shots.resolve("duet-singer-a.png"), a.getScreenshotAs(org.openqa.selenium.OutputType.BYTES));
            java.nio.file.Files.write(shots.resolve("duet-listener.png"), listener.getScreenshotAs(org.openqa.selenium.OutputType.BYTES));
            onEach(browsers, browser -> js(browser).executeScript("return window.duet.capture.stop()"));
            List<Recording> recordings = onEach(browsers, BrowserDuetTest::take);
            Recording aRec = recordings.get(0);
            Recording bRec = recordings.get(1);
            Recording lRec = recordings.get(2);
            report("browser_capture_wall", (System.nanoTime() - started) / 1e6, "ms");
            for (ChromeDriver browser : browsers) {
                System.out.println("page state: " + js(browser).executeScript(
                        "const s = window.duet.state(); return JSON.stringify({c: s.connection, b: s.browserStats, s: s.serverStats, e: s.errors});"));
            }
            saveForInspection("a", aRec);
            saveForInspection("b", bRec);
            saveForInspection("listener", lRec);

            // Who hears whom (skip the first half second of each recording)
            double aHearsB = tone(aRec.output, TONE_B);
            double aHearsA = tone(aRec.output, TONE_A);
            double bHearsA = tone(bRec.output, TONE_A);
            double bHearsB = tone(bRec.output, TONE_B);
            double lHearsA = tone(lRec.output, TONE_A);
            double lHearsB = tone(lRec.output, TONE_B);
            double aSends = tone(aRec.input, TONE_A);
            report("browser_a_sends_tone", AudioAnalysis.db(aSends), "dBFS");
            report("browser_a_hears_b", AudioAnalysis.db(aHearsB), "dBFS");
            report("browser_a_hears_own", AudioAnalysis.db(aHearsA), "dBFS");
            report("browser_b_hears_a", AudioAnalysis.db(bHearsA), "dBFS");
            report("browser_b_hears_own", AudioAnalysis.db(bHearsB), "dBFS");
            report("browser_listener_hears_a", AudioAnalysis.db(lHearsA), "dBFS");
            report("browser_listener_hears_b", AudioAnalysis.db(lHearsB), "dBFS");
            report("browser_a_own_voice_rejection", AudioAnalysis.db(aHearsB / aHearsA), "dB");
            report("browser_b_own_voice_rejection", AudioAnalysis.db(bHearsA / bHearsB), "dB");

            // Delays, on the shared wall clock: a singer's microphone -> the other's ear / the listener's ear
            double aToB = delayMs(aRec.input, bRec.output, BURST_A, "a->b");
            double bToA = delayMs(bRec.input, aRec.output, BURST_B, "b->a");
            double aToL = delayMs(aRec.input, lRec.output, BURST_A, "a->listener");
            double bToL = delayMs(bRec.input, lRec.output, BURST_B, "b->listener");
            report("browser_click_to_ear_a_to_b", aToB, "ms");
            report("browser_click_to_ear_b_to_a", bToA, "ms");
            report("browser_click_to_ear_a_to_listener", aToL, "ms");
            report("browser_click_to_ear_b_to_listener", bToL, "ms");
            report("browser_listener_offset_a_minus_b", aToL - bToL, "ms");

            assertThat(AudioAnalysis.db(aSends)).as("A's page sends its microphone").isGreaterThan(-20);
            assertThat(AudioAnalysis.db(aHearsB)).as("A hears B").isGreaterThan(-30);
            assertThat(AudioAnalysis.db(bHearsA)).as("B hears A").isGreaterThan(-30);
            assertThat(AudioAnalysis.db(aHearsB / aHearsA)).as("A does not hear A").isGreaterThanOrEqualTo(40);
            assertThat(AudioAnalysis.db(bHearsA / bHearsB)).as("B does not hear B").isGreaterThanOrEqualTo(40);
            assertThat(AudioAnalysis.db(lHearsA)).as("listener hears A").isGreaterThan(-30);
            assertThat(AudioAnalysis.db(lHearsB)).as("listener hears B").isGreaterThan(-30);
            // transport-cc (issue 15): each Chromium negotiated it, and the engine received and parsed
            // its transport-wide feedback about our stream to that page, with plausible contents:
            // on loopback nearly every packet arrives and no queue builds.
            int seen = 0;
            for (org.duet.mixer.room.Participant p : mixer.room("e2e").participants()) {
                org.duet.mixer.adapt.TransportCcEstimator cc = p.transportCc();
                assertThat(p.format().transportCcExtensionId()).as("%s negotiated transport-cc", p).isPositive();
                assertThat(cc).as("%s transport-cc estimate", p).isNotNull();
                double lossPercent = 100.0 * cc.reportedLost() / Math.max(1, cc.reportedPackets());
                String who = p.role().wireName() + "_" + seen++;
                report("browser_tcc_feedbacks_" + who, cc.feedbacks(), "packets");
                report("browser_tcc_reported_" + who, cc.reportedPackets(), "packets");
                report("browser_tcc_unknown_" + who, cc.unknownPackets(), "packets");
                report("browser_tcc_loss_" + who, lossPercent, "%");
                report("browser_tcc_delay_gradient_" + who, cc.delayGradient(), "ms/ms");
                // ~10 s of 10-20 ms packets: libwebrtc sends feedback every 50-250 ms
                assertThat(cc.feedbacks()).as("%s transport-cc feedback parsed", p).isGreaterThan(20);
                assertThat(cc.reportedPackets()).as("%s packets reported", p).isGreaterThan(200);
                assertThat(lossPercent).as("%s reported loss on loopback, %%", p).isLessThan(10);
                // a number (the feedback had usable arrival times), and no large queue on loopback
                // (0.05 is the overuse threshold; a loaded machine's late reads can sit near it)
                assertThat(cc.delayGradient()).as("%s delay gradient on loopback, ms/ms", p).isBetween(-1.0, 1.0);
            }

            assertThat(seen).as("participants checked for transport-cc").isEqualTo(3);

            // Causality: an ear never hears a click before the microphone caught it. (The size of the
            // delay depends on the machine's load and is reported, not asserted.)
            assertThat(aToB).as("A->B delay").isPositive();
            assertThat(bToA).as("B->A delay").isPositive();
        } finally {
            for (ChromeDriver browser : browsers) {
                browser.quit();
            }
        }
    }

    /** Keeps the recordings under target/ (raw float32 LE, 48 kHz) for a person to listen to or plot. */
    private static void saveForInspection(String who, Recording r) throws java.io.IOException {
        Path dir = Path.of("target", "e2e-audio");
        java.nio.file.Files.createDirectories(dir);
        for (var e : Map.of("input", r.input, "output", r.output).entrySet()) {
            ByteBuffer buf = ByteBuffer.allocate(e.getValue().samples.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            buf.asFloatBuffer().put(e.getValue().samples);
            java.nio.file.Files.write(dir.resolve(who + "-" + e.getKey() + ".f32"), buf.array());
            java.nio.file.Files.writeString(dir.resolve(who + "-" + e.getKey() + ".start"),
                    Double.toString(e.getValue().startEpochMs));
        }
    }

    /** Runs {@code action} on every browser at once (each driver is independent), in order of the list. */
    private static <T> List<T> onEach(List<ChromeDriver> browsers, java.util.function.Function<ChromeDriver, T> action)
            throws Exception {
        var pool = java.util.concurrent.Executors.newFixedThreadPool(browsers.size());
        try {
            List<java.util.concurrent.Future<T>> futures = new ArrayList<>();
            for (ChromeDriver browser : browsers) {
                futures.add(pool.submit(() -> action.apply(browser)));
            }
            List<T> results = new ArrayList<>();
            for (var f : futures) {
                results.add(f.get(60, java.util.concurrent.TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    static void join(ChromeDriver browser, String url, String role, String name) {
        browser.get(url);
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(10));
        wait.until(d -> d.findElement(By.id("join-button")).isDisplayed());
        // The page re-renders the role list when the server's roles arrive: click what is there then.
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(d -> {
            d.findElement(By.cssSelector("input[name=role][value='" + role + "']")).click();
            return true;
        });
        browser.findElement(By.id("name")).sendKeys(name);
        if (!role.equals("listener")) {
            browser.findElement(By.id("headphones")).click();
        }
        browser.findElement(By.id("join-button")).click();
        wait.until(d -> d.findElement(By.id("session")).isDisplayed());
    }

    /** Connected, and the browser has received a second's worth of the mix. */
    @SuppressWarnings("unchecked")
    static void awaitAudioFlowing(ChromeDriver browser) {
        new WebDriverWait(browser, Duration.ofSeconds(30)).until(d -> {
            Map<String, Object> state = (Map<String, Object>) js(browser).executeScript("return window.duet.state()");
            Object errors = state.get("lastError");
            if (errors != null) {
                throw new AssertionError("page reports an error: " + errors);
            }
            Map<String, Object> stats = (Map<String, Object>) state.get("browserStats");
            return "connected".equals(state.get("connection")) && stats != null
                    && stats.get("packetsIn") instanceof Number n && n.longValue() > 50;
        });
    }

    private record Track(float[] samples, double startEpochMs) {
    }

    private record Recording(Track input, Track output) {
    }

    @SuppressWarnings("unchecked")
    private static Recording take(ChromeDriver browser) {
        Map<String, Object> r = (Map<String, Object>) js(browser).executeScript("return window.duet.capture.take()");
        return new Recording(track((Map<String, Object>) r.get("input")), track((Map<String, Object>) r.get("output")));
    }

    private static Track track(Map<String, Object> m) {
        assertThat(((Number) m.get("sampleRate")).intValue()).isEqualTo(RATE);
        byte[] bytes = Base64.getDecoder().decode((String) m.get("samples"));
        float[] samples = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(samples);
        return new Track(samples, ((Number) m.get("startEpochMs")).doubleValue());
    }

    private static double tone(Track t, double hz) {
        assertThat(t.samples.length).as("recorded at least 4 s").isGreaterThan(RATE * 4);
        return AudioAnalysis.bandAmplitude(t.samples, RATE / 2, t.samples.length, hz, RATE);
    }

    /** Median delay of {@code to} behind {@code from}, matching the bursts at {@code burstHz}, in ms. */
    private static double delayMs(Track from, Track to, double burstHz, String what) {
        float[] ref = AudioAnalysis.bandPass(from.samples, burstHz, 8, RATE);
        float[] sig = AudioAnalysis.bandPass(to.samples, burstHz, 8, RATE);
        int base = (int) Math.round((from.startEpochMs - to.startEpochMs) * RATE / 1000.0);
        AudioAnalysis.ClickDelays d = AudioAnalysis.clickDelays(ref, sig, base, -RATE / 20, RATE * 3);
        String name = what.replace("->", "_to_");
        report("browser_click_spread_" + name, (d.p90Lag() - d.p10Lag()) * 1000.0 / RATE, "ms");
        report("browser_clicks_matched_" + name, d.matched(), "of " + d.bursts());
        assertThat(d.bursts()).as("bursts in the sender's microphone recording").isGreaterThanOrEqualTo(6);
        assertThat(d.matched()).as("the clicks of " + what + " are found in the other's audio")
                .isGreaterThanOrEqualTo(Math.max(3, d.bursts() / 4));
        return d.medianLag() * 1000.0 / RATE;
    }

    private static void report(String name, double value, String unit) {
        System.out.printf("%s %.2f %s%n", name, value, unit);
    }

    private static JavascriptExecutor js(ChromeDriver browser) {
        return browser;
    }
}
