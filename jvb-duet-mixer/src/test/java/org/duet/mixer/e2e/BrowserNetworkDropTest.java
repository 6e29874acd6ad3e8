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
import java.util.concurrent.TimeUnit;
import org.duet.mixer.config.DuetConfig;
import org.duet.mixer.room.DuetMixer;
import org.duet.mixer.room.Participant;
import org.duet.mixer.room.Room;
import org.duet.mixer.web.StandaloneServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A browser singer whose network drops without a clean close comes back by itself. Singer A's
 * Chromium (and its chromedriver) runs inside a network namespace the test creates, joined to the
 * server by a veth pair; singer B's Chromium runs beside the server. Mid-duet A's link goes down
 * for 5 s: its WebSocket and its UDP simply stop, nothing tells either side. When the link comes
 * back, A's page (js/reconnect.js) must rejoin with its resume token, take singer-a back from its
 * own dead session and send audio again, and each singer must hear the other again (decoded tones
 * in what each page plays). Prints the delays from the network's return; asserts a generous bound
 * (the target, 2 s, is a figure on a loaded machine, not a timed assertion).
 *
 * <p>Both chromedrivers are started here ({@link DriverProcess}), so the teardown is sure to end
 * them: every WebDriver call has a read timeout, the quit is bounded, then each driver's process
 * tree and every process carrying its tag is killed, and whatever still runs inside the namespace
 * is killed before the namespace is deleted. The test fails if any of them is still alive after.
 */
class BrowserNetworkDropTest {

    private static final int RATE = 48_000;

    @TempDir
    Path tmp;

    @Test
    @Timeout(240)
    void aSingerCutOffFor5sTakesItsRoleBackByItselfAndIsHeardAgain() throws Exception {
        assumeTrue(HeadlessChromium.available(), "needs Debian chromium and chromium-driver");
        NetworkNamespace ns = NetworkNamespace.create();
        assumeTrue(ns != null, "needs root and iproute2 to create a network namespace");
        long t0 = System.nanoTime();
        DriverProcess driverA = null;
        DriverProcess driverB = null;
        List<ProcessHandle> trees = new ArrayList<>();
        try {
            DuetConfig config = DuetConfig.withOverrides("duet.http.port = 0\nduet.http.host = \"" + ns.outside
                    + "\"\nduet.webrtc.bind-address = \"" + ns.outside + "\"\nduet.access.open-rooms = true");
            try (DuetMixer mixer = DuetMixer.start(config);
                 StandaloneServer server = StandaloneServer.start(config, mixer)) {
                assumeTrue(server.webRtcAvailable(), "this build has no WebRTC transport");
                String origin = "http://" + ns.outside + ":" + server.uri().getPort();
                Path wavA = TestWavs.write(tmp.resolve("singer-a.wav"), TestWavs.singer(440, 3000, 0));
                Path wavB = TestWavs.write(tmp.resolve("singer-b.wav"), TestWavs.singer(660, 4500, 0.11));

                ChromeOptions optionsA = HeadlessChromium.options(wavA, tmp.resolve("profile-a"), 1000, 800);
                optionsA.addArguments("--unsafely-treat-insecure-origin-as-secure=" + origin);
                driverA = DriverProcess.start("a", List.of("/usr/sbin/ip", "netns", "exec", ns.name), ns.inside,
                        ns.outside, optionsA, tmp.resolve("chromedriver-a.log"));
                ChromeOptions optionsB = HeadlessChromium.options(wavB, tmp.resolve("profile-b"), 1000, 800);
                optionsB.addArguments("--unsafely-treat-insecure-origin-as-secure=" + origin);
                driverB = DriverProcess.start("b", List.of(), "127.0.0.1", null, optionsB,
                        tmp.resolve("chromedriver-b.log"));
                WebDriver a = driverA.driver();
                WebDriver b = driverB.driver();
                phase("browsers started", t0);

                String url = origin + "/?room=drop";
                join(a, url, "singer-a", "Ana");
                join(b, url, "singer-b", "Ben");
                awaitAudioFlowing(a);
                awaitAudioFlowing(b);
                phase("both singers joined, audio flowing", t0);
                Room room = mixer.room("drop");
                Participant before = singer(room, "singer-a");
                assertThat(before).as("A holds singer-a").isNotNull();

                ns.cut(); // no FIN, no RST: A's socket and its media just stop
                Thread.sleep(5000);
                assertThat(singer(room, "singer-a")).as("the dead session still holds the role during the drop")
                        .isNotNull();
                ns.restore();
                phase("network back", t0);
                long back = System.nanoTime();
                long roleBack = -1;
                long audioBack = -1;
                long deadline = back + TimeUnit.SECONDS.toNanos(60);
                while (System.nanoTime() < deadline) {
                    Participant p = singer(room, "singer-a");
                    if (p != null && !p.id().equals(before.id())) {
                        if (roleBack < 0) {
                            roleBack = System.nanoTime();
                        }
                        if (p.stats().packetsIn() >= 5) { // 100 ms of A's voice reached the mixer
                            audioBack = System.nanoTime();
                            break;
                        }
                    }
                    Thread.sleep(20);
                }
                System.out.printf("browser_drop_role_back_after_network_return %.0f ms%n", ms(roleBack, back));
                System.out.printf("browser_drop_audio_back_after_network_return %.0f ms%n", ms(audioBack, back));
                assertThat(roleBack).as("A's page rejoined singer-a by itself within 60 s").isPositive();
                assertThat(audioBack).as("A's audio reached the mixer again within 60 s").isPositive();

                // each hears the other again, in what the pages actually play
                awaitAudioFlowing(a);
                phase("A receives again", t0);
                // A is calibrated again at rejoin, and while its clicks play A's mix carries only them
                // (sync/RoomSync); a fake microphone returns none, so that lasts until the calibration
                // gives up: listen after it
                long calibrationWait = System.nanoTime();
                String rejoined = singer(room, "singer-a").id();
                while (System.nanoTime() - calibrationWait < TimeUnit.SECONDS.toNanos(20)
                        && !calibrationOver(room, rejoined)) {
                    Thread.sleep(50);
                }
                System.out.printf("browser_drop_calibration_after_rejoin_over_after %.0f ms (%s)%n",
                        ms(System.nanoTime(), calibrationWait), calibrationOver(room, rejoined) ? "over" : "still on");
                Thread.sleep(1500);
                js(a).executeScript("window.duet.capture.start()");
                js(b).executeScript("window.duet.capture.start()");
                Thread.sleep(5000);
                js(a).executeScript("return window.duet.capture.stop()");
                js(b).executeScript("return window.duet.capture.stop()");
                float[] atA = output(a);
                float[] atB = output(b);
                double aHearsB = db(AudioAnalysis.bandAmplitude(atA, RATE / 2, atA.length, 660, RATE));
                double bHearsA = db(AudioAnalysis.bandAmplitude(atB, RATE / 2, atB.length, 440, RATE));
                System.out.printf("browser_drop_after_rejoin_a_hears_b %.1f dBFS%nbrowser_drop_after_rejoin_b_hears_a"
                        + " %.1f dBFS%n", aHearsB, bHearsA);
                assertThat(bHearsA).as("B hears A again").isGreaterThan(-30);
                assertThat(aHearsB).as("A hears B again").isGreaterThan(-30);
                assertThat(room.participants()).as("one singer-a, the dead session is gone")
                        .filteredOn(p -> p.role().wireName().equals("singer-a")).hasSize(1);
                phase("checked", t0);
            }
        } finally {
            // Bounded teardown, in this order: the link up again (the test may have failed while it
            // was cut, and A's quit goes over it), both browsers quit then killed with their trees,
            // then everything still inside the namespace killed and the namespace deleted.
            boolean interrupted = Thread.interrupted(); // a JUnit timeout must not skip the cleanup
            long t1 = System.nanoTime();
            try {
                ns.restore();
            } catch (java.io.IOException e) {
                System.out.println("restore before teardown: " + e.getMessage());
            }
            for (DriverProcess d : new DriverProcess[] {driverA, driverB}) {
                if (d != null) {
                    trees.addAll(d.tree());
                    d.close();
                }
            }
            ns.close();
            System.out.printf("browser_drop_teardown %.1f s%n", (System.nanoTime() - t1) / 1e9);
            phase("done", t0);
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        for (DriverProcess d : new DriverProcess[] {driverA, driverB}) {
            if (d != null) {
                trees.addAll(d.tree()); // anything still carrying the driver's tag
            }
        }
        assertThat(DriverProcess.alive(trees)).as("no chromedriver, Chromium or crash handler left running").isEmpty();
    }

    private static void phase(String what, long t0) {
        System.out.printf("browser_drop: %s at %.1f s%n", what, (System.nanoTime() - t0) / 1e9);
    }

    private static Participant singer(Room room, String role) {
        for (Participant p : room.participants()) {
            if (p.role().wireName().equals(role)) {
                return p;
            }
        }
        return null;
    }

    private static double ms(long at, long from) {
        return at < 0 ? Double.NaN : (at - from) / 1e6;
    }

    private static double db(double amplitude) {
        return 20 * Math.log10(Math.max(amplitude, 1e-9));
    }

    private static void join(WebDriver browser, String url, String role, String name) {
        browser.get(url);
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        wait.until(d -> d.findElement(By.id("join-button")).isDisplayed());
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(d -> {
            d.findElement(By.cssSelector("input[name=role][value='" + role + "']")).click();
            return true;
        });
        browser.findElement(By.id("name")).sendKeys(name);
        browser.findElement(By.id("headphones")).click();
        browser.findElement(By.id("join-button")).click();
        wait.until(d -> d.findElement(By.id("session")).isDisplayed());
    }

    /** Connected, and receiving the mix. */
    @SuppressWarnings("unchecked")
    private static void awaitAudioFlowing(WebDriver browser) {
        long[] first = {-1};
        new WebDriverWait(browser, Duration.ofSeconds(60)).until(d -> {
            Map<String, Object> state = (Map<String, Object>) js(browser).executeScript("return window.duet.state()");
            Map<String, Object> stats = (Map<String, Object>) state.get("browserStats");
            if (!"connected".equals(state.get("connection")) || stats == null
                    || !(stats.get("packetsIn") instanceof Number n)) {
                return false;
            }
            if (first[0] < 0) {
                first[0] = n.longValue();
            }
            return n.longValue() > first[0] + 25;
        });
    }

    @SuppressWarnings("unchecked")
    /** The singer's latency calibration has finished, either way (or none is planned). */
    private static boolean calibrationOver(Room room, String singerId) {
        for (var singer : room.syncState().singers()) {
            if (singer.id().equals(singerId)) {
                var state = singer.calibration() == null ? null : singer.calibration().state();
                return state == org.duet.mixer.sync.LatencyCalibration.State.DONE
                        || state == org.duet.mixer.sync.LatencyCalibration.State.FAILED;
            }
        }
        return false;
    }

    private static float[] output(WebDriver browser) {
        Map<String, Object> r = (Map<String, Object>) js(browser).executeScript("return window.duet.capture.take()");
        Map<String, Object> out = (Map<String, Object>) r.get("output");
        byte[] bytes = Base64.getDecoder().decode((String) out.get("samples"));
        float[] samples = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(samples);
        assertThat(samples.length).as("recorded at least 3 s").isGreaterThan(RATE * 3);
        return samples;
    }

    private static JavascriptExecutor js(WebDriver browser) {
        return (JavascriptExecutor) browser;
    }
}
