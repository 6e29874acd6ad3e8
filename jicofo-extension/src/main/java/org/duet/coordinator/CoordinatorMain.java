package org.duet.coordinator;

import java.util.concurrent.CountDownLatch;
import org.duet.coordinator.brewery.BreweryClient;
import org.duet.coordinator.brewery.MixerRegistry;
import org.duet.coordinator.config.CoordinatorConfig;
import org.duet.coordinator.front.DuetFront;

/**
 * {@code duet-coordinator}: joins the mixer brewery and runs the duet front until the process is stopped.
 * Started by {@code ./duet coordinator}; configured by {@code -Dconfig.file=coordinator.conf} (HOCON,
 * {@code duet-coordinator { xmpp {...}, brewery {...}, front {...} }}, defaults in reference.conf).
 */
public final class CoordinatorMain {

    private CoordinatorMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        CoordinatorConfig config = CoordinatorConfig.load();
        MixerRegistry registry = new MixerRegistry(config.brewery().staleAfter(), config.brewery().conferenceLoad());
        BreweryClient brewery = new BreweryClient(config.xmpp(), config.brewery(), registry).start();
        DuetFront front = DuetFront.start(config.front(), registry, brewery::joined);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            front.close();
            brewery.close();
            stopped.countDown();
        }, "duet-coordinator-shutdown"));
        System.out.println("duet-coordinator: front at " + front.uri() + "<meetingId>, brewery "
                + config.brewery().room() + " as " + config.xmpp().username() + "@" + config.xmpp().domain()
                + " via " + config.xmpp().host() + ":" + config.xmpp().port()
                + (config.front().secret().isEmpty() ? " (no shared secret: front.secret is empty)" : ""));
        stopped.await();
    }
}
