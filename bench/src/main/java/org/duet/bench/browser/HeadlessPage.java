package org.duet.bench.browser;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One Duet page in Debian's headless Chromium, driven through Debian's chromedriver (both paths
 * given, so Selenium Manager never runs and nothing is downloaded). Its fake microphone loops a WAV.
 */
final class HeadlessPage implements AutoCloseable {

    static final Path BROWSER = Path.of("/usr/bin/chromium");
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");

    /** One recorded tap: samples at 48 kHz and the wall-clock time (epoch ms) of the first one. */
    record Track(float[] samples, double startEpochMs) {
    }

    private final ChromeDriver driver;

    private HeadlessPage(ChromeDriver driver) {
        this.driver = driver;
    }

    static boolean available() {
        return Files.isExecutable(BROWSER) && Files.isExecutable(DRIVER);
    }

    static HeadlessPage start(Path microphoneWav, Path profileDir) throws IOException {
        Files.createDirectories(profileDir);
        List<String> args = new ArrayList<>(List.of(
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                "--allow-loopback-in-peer-connection", "--autoplay-policy=no-user-gesture-required",
                "--no-first-run", "--no-default-browser-check", "--disable-dev-shm-usage",
                // a hidden page must not be throttled: both pages are "background" to a headless browser
                "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                "--user-data-dir=" + profileDir.toAbsolutePath(), "--window-size=1000,800",
                "--use-file-for-fake-audio-capture=" + microphoneWav.toAbsolutePath()));
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSER.toFile());
        options.addArguments(args);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(DRIVER.toString()))
                .usingAnyFreePort()
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(60));
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        return new HeadlessPage(driver);
    }

    /** Opens {@code url} and joins as {@code role}, wearing headphones. */
    void joinAsSinger(String url, String role, String name) {
        driver.get(url);
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(20));
        wait.until(d -> d.findElement(By.id("join-button")).isDisplayed());
        wait.ignoring(StaleElementReferenceException.class).until(d -> {
            d.findElement(By.cssSelector("input[name=role][value='" + role + "']")).click();
            return true;
        });
        driver.findElement(By.id("name")).sendKeys(name);
        driver.findElement(By.id("headphones")).click();
        driver.findElement(By.id("join-button")).click();
        wait.until(d -> d.findElement(By.id("session")).isDisplayed());
    }

    /** Connected, and at least {@code packets} packets of the mix received. */
    @SuppressWarnings("unchecked")
    void awaitAudio(int packets, int seconds) {
        new WebDriverWait(driver, Duration.ofSeconds(seconds)).until(d -> {
            Map<String, Object> state = (Map<String, Object>) js("return window.duet.state()");
            Map<String, Object> stats = (Map<String, Object>) state.get("browserStats");
            return "connected".equals(state.get("connection")) && stats != null
                    && stats.get("packetsIn") instanceof Number n && n.longValue() > packets;
        });
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** Decodes one tap of window.duet.capture.take(). */
    @SuppressWarnings("unchecked")
    static Track track(Map<String, Object> taken, String name) {
        Map<String, Object> m = (Map<String, Object>) taken.get(name);
        if (m == null) {
            throw new IllegalStateException("the page recorded no '" + name + "' tap");
        }
        int rate = ((Number) m.get("sampleRate")).intValue();
        if (rate != ClickSignal.RATE) {
            throw new IllegalStateException("the page's audio runs at " + rate + " Hz, not 48000");
        }
        byte[] bytes = Base64.getDecoder().decode((String) m.get("samples"));
        float[] samples = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(samples);
        return new Track(samples, ((Number) m.get("startEpochMs")).doubleValue());
    }

    @Override
    public void close() {
        driver.quit();
    }
}
