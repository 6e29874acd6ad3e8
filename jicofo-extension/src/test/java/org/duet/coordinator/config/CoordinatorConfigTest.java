package org.duet.coordinator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CoordinatorConfigTest {

    @Test
    void defaultsComeFromReferenceConfAndOverridesApply() {
        CoordinatorConfig c = CoordinatorConfig.from(ConfigFactory.parseString(
                "duet-coordinator { front { port = 0, secret = s }, xmpp { password = p } }"));
        assertThat(c.front().port()).isZero();
        assertThat(c.front().secret()).isEqualTo("s");
        assertThat(c.front().path()).isEqualTo("/translate");
        assertThat(c.xmpp().username()).isEqualTo("duet-coordinator");
        assertThat(c.xmpp().password()).isEqualTo("p");
        assertThat(c.brewery().room()).isEqualTo("duetbrewery@internal-muc.meet.jitsi");
        assertThat(c.brewery().staleAfter()).isEqualTo(Duration.ofSeconds(15));
        assertThat(c.front().retryInterval()).isEqualTo(Duration.ofMillis(200));
    }

    @Test
    void badValuesAreRefusedWithTheKey() {
        assertThatThrownBy(() -> CoordinatorConfig.from(ConfigFactory.parseString("duet-coordinator.front.port = 70000")))
                .hasMessageContaining("port");
        assertThatThrownBy(() -> CoordinatorConfig.from(ConfigFactory.parseString("duet-coordinator.front.path = \"x/\"")))
                .hasMessageContaining("path");
        assertThatThrownBy(() -> CoordinatorConfig.from(ConfigFactory.parseString(
                "duet-coordinator.front.retry-interval = 0s"))).hasMessageContaining("retry-interval");
    }
}
