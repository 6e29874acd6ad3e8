package org.duet.jitsi.e2e;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium through Debian's chromedriver (both paths explicit: Selenium Manager
 * never runs, nothing is downloaded), with a fake microphone that loops a WAV file.
 */
final class Chromium {

    static final Path BROWSER = Path.of("/usr/bin/chromium");
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");

    private Chromium() {
    }

    static ChromeDriver start(Path fakeMicrophone, Path profileDir) throws IOException {
        Files.createDirectories(profileDir);
        List<String> args = new ArrayList<>(List.of(
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                "--autoplay-policy=no-user-gesture-required",
                // a headless page counts as hidden: Chromium would lower its renderer's priority and
                // throttle its timers, which on a busy machine starves the pages' audio and scripts
                "--disable-renderer-backgrounding", "--disable-background-timer-throttling",
                "--disable-backgrounding-occluded-windows",
                // host candidates with the namespace's address instead of mDNS names the bridge cannot resolve
                "--disable-features=WebRtcHideLocalIpsWithMdns",
                "--no-first-run", "--no-default-browser-check", "--disable-dev-shm-usage",
                "--use-file-for-fake-audio-capture=" + fakeMicrophone.toAbsolutePath(),
                "--user-data-dir=" + profileDir.toAbsolutePath(), "--window-size=800,600"));
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSER.toFile());
        options.addArguments(args);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(DRIVER.toString()))
                .usingAnyFreePort()
                .build();
        // a recording is megabytes of base64: at load 30+ one answer took over the client's default 3 minutes
        ChromeDriver driver = new ChromeDriver(service, options,
                org.openqa.selenium.remote.http.ClientConfig.defaultConfig().readTimeout(Duration.ofMinutes(8)));
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(120)); // a recording is megabytes: slow on a loaded machine
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(90));
        return driver;
    }
}
