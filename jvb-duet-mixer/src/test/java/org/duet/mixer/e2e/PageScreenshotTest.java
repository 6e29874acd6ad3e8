package org.duet.mixer.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.duet.mixer.config.DuetConfig;
import org.duet.mixer.room.DuetMixer;
import org.duet.mixer.web.StandaloneServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Renders the page in headless Chromium and saves screenshots under
 * {@code target/screenshots/} for a reviewer: the join form, and a singer's live session.
 */
class PageScreenshotTest {

    @TempDir
    Path tmp;

    @Test
    void rendersJoinFormAndSession() throws Exception {
        assumeTrue(HeadlessChromium.available(), "needs Debian chromium and chromium-driver");
        DuetConfig config = DuetConfig.from(ConfigFactory.parseString("duet.http.port = 0")
                .withFallback(ConfigFactory.load()));
        Path out = Path.of("target", "screenshots");
        Files.createDirectories(out);
        try (DuetMixer mixer = DuetMixer.start(config);
             StandaloneServer server = StandaloneServer.start(config, mixer)) {
            Path mic = TestWavs.write(tmp.resolve("a.wav"), TestWavs.singer(440, 3000, 0));
            ChromeDriver browser = HeadlessChromium.start(mic, tmp.resolve("profile"), 1280, 1000);
            try {
                browser.get(server.uri().toString());
                new WebDriverWait(browser, Duration.ofSeconds(10))
                        .until(d -> d.findElement(By.id("join-button")).isDisplayed());
                Files.write(out.resolve("join.png"), browser.getScreenshotAs(OutputType.BYTES));

                browser.findElement(By.id("name")).sendKeys("Ana");
                browser.findElement(By.id("headphones")).click();
                browser.findElement(By.id("join-button")).click();
                new WebDriverWait(browser, Duration.ofSeconds(15))
                        .until(d -> d.findElement(By.id("session")).isDisplayed());
                Thread.sleep(2500); // let meters and stats fill in
                Files.write(out.resolve("session.png"), browser.getScreenshotAs(OutputType.BYTES));
                assertThat(browser.findElement(By.id("me-role")).getText()).isEqualTo("Singer A");
                assertThat(browser.findElement(By.id("set-aec")).getText()).isEqualTo("off");
                assertThat(browser.findElement(By.id("set-ns")).getText()).isEqualTo("off");
                assertThat(browser.findElement(By.id("set-agc")).getText()).isEqualTo("off");
                // the fake microphone's 440 Hz tone at amplitude 0.25 is about -15 dBFS RMS
                double inputDb = Double.parseDouble(browser.findElement(By.id("input-db")).getText().replace("-∞", "-999"));
                assertThat(inputDb).as("input meter shows the microphone").isBetween(-25.0, -5.0);
                assertThat(browser.findElement(By.id("invite-link")).getAttribute("value"))
                        .isEqualTo(server.uri() + "?room=duet");

                // leave, and come back as a listener on the same page
                browser.findElement(By.id("leave-button")).click();
                new WebDriverWait(browser, Duration.ofSeconds(10))
                        .until(d -> d.findElement(By.id("join-button")).isDisplayed());
                new WebDriverWait(browser, Duration.ofSeconds(10))
                        .ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(d -> {
                            d.findElement(By.cssSelector("input[name=role][value='listener']")).click();
                            return true;
                        });
                assertThat(browser.findElement(By.id("headphones-box")).isDisplayed()).isFalse();
                browser.findElement(By.id("join-button")).click();
                new WebDriverWait(browser, Duration.ofSeconds(15))
                        .until(d -> d.findElement(By.id("session")).isDisplayed());
                assertThat(browser.findElement(By.id("me-role")).getText()).isEqualTo("Listener");
                assertThat(browser.findElement(By.id("mic-card")).isDisplayed()).isFalse();
            } finally {
                browser.quit();
            }
        }
    }
}
