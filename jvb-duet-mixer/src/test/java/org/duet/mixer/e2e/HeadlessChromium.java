package org.duet.mixer.e2e;

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
 * Debian's Chromium, headless, driven through Debian's chromedriver. Both paths are given
 * explicitly so Selenium Manager never runs (it would try to download a browser or driver).
 */
final class HeadlessChromium {

    static final Path BROWSER = Path.of("/usr/bin/chromium");
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");

    private HeadlessChromium() {
    }

    static boolean available() {
        return Files.isExecutable(BROWSER) && Files.isExecutable(DRIVER);
    }

    /**
     * @param fakeMicrophone a WAV file the fake microphone loops, or null for Chromium's beep
     * @param profileDir     a new, empty --user-data-dir for this browser
     */
    static ChromeDriver start(Path fakeMicrophone, Path profileDir, int width, int height) throws IOException {
        return start(options(fakeMicrophone, profileDir, width, height));
    }

    /**
     * As {@link #start(Path, Path, int, int)}, but the browser stays at the priority it was started
     * with. Run as root, Chromium raises its own browser process to nice -8 and its children to 0
     * (measured: started under {@code nice -n 15}), so on a busy 2-core machine a niced mixer in the
     * same test starves behind its own browsers: its media loop fell behind and skipped 30 % of its
     * ticks, calibration clicks among them (docs/sync.md). Without CAP_SYS_NICE (setpriv, util-linux)
     * it cannot; a non-root user never could.
     */
    static ChromeDriver startAtOurPriority(Path fakeMicrophone, Path profileDir, int width, int height)
            throws IOException {
        ChromeOptions options = options(fakeMicrophone, profileDir, width, height);
        Path setpriv = Path.of("/usr/bin/setpriv");
        if ("root".equals(System.getProperty("user.name")) && Files.isExecutable(setpriv)) {
            Path wrapper = profileDir.resolveSibling(profileDir.getFileName() + "-chromium.sh");
            Files.writeString(wrapper, "#!/bin/sh\nexec " + setpriv + " --inh-caps=-sys_nice --bounding-set=-sys_nice "
                    + BROWSER + " \"$@\"\n");
            wrapper.toFile().setExecutable(true);
            options.setBinary(wrapper.toFile());
        }
        return start(options);
    }

    private static ChromeDriver start(ChromeOptions options) {
        System.setProperty("webdriver.chrome.driver", DRIVER.toString());
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(DRIVER.toString()))
                .usingAnyFreePort()
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20));
        return driver;
    }

    /** The options {@link #start} uses, for a driver started elsewhere (e.g. inside a network namespace). */
    static ChromeOptions options(Path fakeMicrophone, Path profileDir, int width, int height) throws IOException {
        Files.createDirectories(profileDir);
        List<String> args = new ArrayList<>(List.of(
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                "--allow-loopback-in-peer-connection", "--autoplay-policy=no-user-gesture-required",
                "--no-first-run", "--no-default-browser-check", "--disable-dev-shm-usage",
                "--user-data-dir=" + profileDir.toAbsolutePath(), "--window-size=" + width + "," + height));
        if (fakeMicrophone != null) {
            args.add("--use-file-for-fake-audio-capture=" + fakeMicrophone.toAbsolutePath());
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSER.toFile());
        options.addArguments(args);
        return options;
    }
}
