package org.duet.mixer.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.duet.mixer.backing.BackingState;
import org.duet.mixer.config.DuetConfig;
import org.duet.mixer.record.OggOpusFiles;
import org.duet.mixer.record.TakeInfo;
import org.duet.mixer.room.DuetMixer;
import org.duet.mixer.testing.SignalAnalysis;
import org.duet.mixer.web.StandaloneServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The rehearsal card in three headless Chromiums (two singers, one listener): singer A uploads a
 * backing track (a 2 kHz tone, WAV) through the page's file input, every page shows it, A starts
 * it and records a take; the tone is then heard in both singers' and the listener's recordings
 * (what each page plays, window.duet.capture) and is in the take's mix and backing files. A
 * corrupt file and an oversize file are refused with the right codes and messages, and leave the
 * playing track alone.
 */
class BrowserRehearsalTest {

    private static final int RATE = 48_000;
    private static final double BACKING_HZ = 2000;

    @TempDir
    Path tmp;

    @Test
    @Timeout(480)
    void backingUploadedThroughThePageIsHeardEverywhereAndBadFilesAreRefused() throws Exception {
        assumeTrue(HeadlessChromium.available(), "needs Debian chromium and chromium-driver");
        Path wavA = TestWavs.write(tmp.resolve("singer-a.wav"), TestWavs.singer(440, 3000, 0));
        Path wavB = TestWavs.write(tmp.resolve("singer-b.wav"), TestWavs.singer(660, 4500, 0.11));
        Path backing = tmp.resolve("backing-2k.wav");
        Files.write(backing, org.duet.mixer.testing.TestAudioFiles.wav(4, 22_050, 1, BACKING_HZ, 0.25));
        Path corrupt = tmp.resolve("broken.wav");
        byte[] bad = Files.readAllBytes(backing).clone();
        for (int i = 12; i < bad.length; i++) {
            bad[i] = (byte) (i * 37);
        }
        Files.write(corrupt, java.util.Arrays.copyOf(bad, 4000));
        Path oversize = tmp.resolve("long.wav");
        Files.write(oversize, org.duet.mixer.testing.TestAudioFiles.wav(6, 48_000, 2, 1000, 0.25)); // 1.1 MiB

        DuetConfig config = DuetConfig.withOverrides("duet.http.port = 0\n"
                + "duet.rehearsal.backing.max-bytes = 512KiB\n"
                + "duet.rehearsal.takes.dir = \"" + tmp.resolve("takes") + "\"");
        List<ChromeDriver> browsers = new ArrayList<>();
        try (DuetMixer mixer = DuetMixer.start(config);
             StandaloneServer server = StandaloneServer.start(config, mixer)) {
            assumeTrue(server.webRtcAvailable(), "this build has no WebRTC transport");
            ChromeDriver a = HeadlessChromium.start(wavA, tmp.resolve("profile-a"), 1200, 1400);
            browsers.add(a);
            ChromeDriver b = HeadlessChromium.start(wavB, tmp.resolve("profile-b"), 1200, 1400);
            browsers.add(b);
            ChromeDriver listener = HeadlessChromium.start(null, tmp.resolve("profile-l"), 1200, 1400);
            browsers.add(listener);
            String url = server.uri() + "?room=rehearse";
            join(a, url, "singer-a", "Ana");
            join(b, url, "singer-b", "Ben");
            join(listener, url, "listener", "Lee");
            for (ChromeDriver browser : browsers) {
                awaitAudioFlowing(browser);
            }

            // Upload through the page's file input; everyone sees the track.
            a.findElement(By.id("backing-file")).sendKeys(backing.toAbsolutePath().toString());
            for (ChromeDriver browser : browsers) {
                new WebDriverWait(browser, Duration.ofSeconds(30)).until(d -> backingName(browser) != null);
                assertThat(backingName(browser)).isEqualTo("backing-2k.wav");
            }
            new WebDriverWait(a, Duration.ofSeconds(10)).until(d -> d.findElement(By.id("backing-start")).isEnabled());
            a.findElement(By.id("backing-loop")).click();
            a.findElement(By.id("backing-start")).click();
            for (ChromeDriver browser : browsers) {
                new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> Boolean.TRUE.equals(backingField(browser, "playing")));
            }
            a.findElement(By.id("take-record")).click();
            new WebDriverWait(a, Duration.ofSeconds(10)).until(d -> js(a).executeScript(
                    "const r = window.duet.rehearsal(); return r && r.take ? r.take.id : null") != null);
            Thread.sleep(1500); // the mixes and the browsers' jitter buffers carry the track by now

            onEach(browsers, br -> js(br).executeScript("window.duet.capture.start()"));
            Thread.sleep(3500);
            onEach(browsers, br -> js(br).executeScript("return window.duet.capture.stop()"));
            List<float[]> heard = onEach(browsers, BrowserRehearsalTest::output);
            Path shots = Path.of("target", "screenshots");
            Files.createDirectories(shots);
            Files.write(shots.resolve("rehearsal-singer-a.png"), a.getScreenshotAs(OutputType.BYTES));
            Files.write(shots.resolve("rehearsal-listener.png"), listener.getScreenshotAs(OutputType.BYTES));

            // 40 ms windows, median: a playout step in a mix or a browser's jitter buffer is a phase
            // jump in the steady track, which half-second windows read as a drop (SignalAnalysisTest)
            String[] who = {"singer_a", "singer_b", "listener"};
            for (int i = 0; i < 3; i++) {
                float[] x = heard.get(i);
                assertThat(x.length).as(who[i] + " recorded").isGreaterThan(RATE * 2);
                double level = SignalAnalysis.medianShortToneLevelDb(x, RATE / 2, x.length - RATE / 2, BACKING_HZ);
                System.out.printf("rehearsal_backing_in_%s %.2f dBFS (track at -12.04)%n", who[i], level);
                assertThat(level).as("the backing track in " + who[i] + "'s ear").isGreaterThan(-30);
            }

            a.findElement(By.id("take-record")).click();
            String takeId = (String) js(a).executeScript("const r = window.duet.rehearsal(); return r.takes.length ? r.takes[r.takes.length-1].id : null");
            TakeInfo take = server.rehearsal().awaitTake("rehearse", takeId, 10_000);
            assertThat(take.status()).isEqualTo(TakeInfo.DONE);
            Path takeDir = tmp.resolve("takes").resolve(take.id());
            float[] mixFile = OggOpusFiles.read(takeDir.resolve("mix.opus")).audio();
            float[] backingFile = OggOpusFiles.read(takeDir.resolve("backing.opus")).audio();
            double inMix = SignalAnalysis.medianShortToneLevelDb(mixFile, RATE / 2, mixFile.length - RATE, BACKING_HZ);
            double inBacking = SignalAnalysis.medianShortToneLevelDb(backingFile, RATE / 2, backingFile.length - RATE, BACKING_HZ);
            System.out.printf("rehearsal_take_backing_in_mix %.2f dBFS, in_backing_track %.2f dBFS (%d ms take)%n",
                    inMix, inBacking, take.durationMs());
            assertThat(inMix).as("backing in the take's listener mix").isBetween(-14.0, -10.0);
            assertThat(inBacking).as("backing in the take's backing track").isBetween(-14.0, -10.0);
            new WebDriverWait(a, Duration.ofSeconds(10)).until(d -> d.findElements(By.cssSelector("#takes-list li a")).size() >= 3);

            // Bad files: refused with the right code, and the playing track is untouched.
            a.findElement(By.id("backing-file")).sendKeys(corrupt.toAbsolutePath().toString());
            Map<String, Object> err = awaitError(a, "corrupt-file");
            System.out.println("rehearsal_corrupt_refused: " + err.get("message"));
            assertThat((String) err.get("message")).contains("broken.wav").containsAnyOf("could not be decoded", "damaged");
            a.findElement(By.id("error-close")).click();
            a.findElement(By.id("backing-file")).sendKeys(oversize.toAbsolutePath().toString());
            err = awaitError(a, "file-too-large");
            System.out.println("rehearsal_oversize_refused: " + err.get("message"));
            assertThat((String) err.get("message")).contains("long.wav").contains("at most 512 KiB");
            BackingState after = server.rehearsal().backingState("rehearse");
            assertThat(after.name()).isEqualTo("backing-2k.wav");
            assertThat(after.playing()).isTrue();
            assertThat(a.findElement(By.id("error-text")).getText()).contains("long.wav");
        } finally {
            for (ChromeDriver browser : browsers) {
                browser.quit();
            }
        }
    }

    private static Object backingField(ChromeDriver browser, String field) {
        return js(browser).executeScript("const r = window.duet.rehearsal(); return r && r.backing ? r.backing['"
                + field + "'] : null");
    }

    private static String backingName(ChromeDriver browser) {
        return (String) backingField(browser, "name");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> awaitError(ChromeDriver browser, String code) {
        return new WebDriverWait(browser, Duration.ofSeconds(30)).until(d -> {
            Map<String, Object> e = (Map<String, Object>) js(browser).executeScript("return window.duet.state().lastError");
            return e != null && code.equals(e.get("code")) ? e : null;
        });
    }

    static void join(ChromeDriver browser, String url, String role, String name) {
        try {
            browser.get(url);
        } catch (org.openqa.selenium.TimeoutException e) {
            browser.get(url); // a starved renderer (loaded machine): one more try
        }
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(10));
        wait.until(d -> d.findElement(By.id("join-button")).isDisplayed());
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

    @SuppressWarnings("unchecked")
    static void awaitAudioFlowing(ChromeDriver browser) {
        new WebDriverWait(browser, Duration.ofSeconds(30)).until(d -> {
            Map<String, Object> state = (Map<String, Object>) js(browser).executeScript("return window.duet.state()");
            if (state.get("lastError") != null) {
                throw new AssertionError("page reports an error: " + state.get("lastError"));
            }
            Map<String, Object> stats = (Map<String, Object>) state.get("browserStats");
            return "connected".equals(state.get("connection")) && stats != null
                    && stats.get("packetsIn") instanceof Number n && n.longValue() > 50;
        });
    }

    @SuppressWarnings("unchecked")
    private static float[] output(ChromeDriver browser) {
        Map<String, Object> r = (Map<String, Object>) js(browser).executeScript("return window.duet.capture.take()");
        Map<String, Object> m = (Map<String, Object>) r.get("output");
        assertThat(((Number) m.get("sampleRate")).intValue()).isEqualTo(RATE);
        byte[] bytes = Base64.getDecoder().decode((String) m.get("samples"));
        float[] samples = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(samples);
        return samples;
    }

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

    private static JavascriptExecutor js(ChromeDriver browser) {
        return browser;
    }
}
