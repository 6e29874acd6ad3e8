package org.duet.mixer.jitsi;

import java.util.concurrent.CountDownLatch;
import org.duet.mixer.config.DuetConfig;
import org.duet.mixer.jitsi.brewery.BreweryAnnouncer;
import org.duet.mixer.room.DuetMixer;
import org.duet.mixer.web.StandaloneServer;

/**
 * {@code duet mixer}: the mixer as a Jitsi deployment runs it. The Jitsi transport listens for
 * the bridge's media export; the brewery announcer (when {@code duet.jitsi.brewery.enabled})
 * tells the coordinators it is there; the standalone web server is optional ({@code --web}).
 */
public final class MixerMode {

    private static final String USAGE = "usage: duet mixer [--host ADDRESS] [--port N] [--secret S] [--web]";

    private MixerMode() {
    }

    public static void main(String[] args) throws InterruptedException {
        boolean web = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--web" -> web = true;
                case "--host", "--port", "--secret" -> {
                    if (i + 1 >= args.length) {
                        usage("missing value for " + args[i]);
                    }
                    String value = args[++i];
                    if (args[i - 1].equals("--port") && !value.matches("\\d{1,5}")) {
                        usage("--port takes a port number, got " + value);
                    }
                    System.setProperty("duet.jitsi." + args[i - 1].substring(2), value);
                }
                default -> usage("unknown option " + args[i]);
            }
        }
        run(DuetConfig.load(), web);
    }

    private static void usage(String problem) {
        System.err.println("duet: " + problem);
        System.err.println(USAGE);
        System.exit(2);
    }

    /** Runs until the process is stopped. */
    public static void run(DuetConfig config, boolean web) throws InterruptedException {
        DuetMixer mixer = DuetMixer.start(config);
        JitsiServer jitsi = JitsiServer.start(mixer, config);
        if (config.raw().getBoolean("duet.jitsi.warm-up")) {
            JitsiWarmUp.run(jitsi); // before the brewery hears of this mixer
        }
        StandaloneServer page = web ? StandaloneServer.start(config, mixer) : null;
        BreweryAnnouncer announcer = BreweryAnnouncer.startIfEnabled(config, mixer, jitsi);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (announcer != null) {
                announcer.close(); // graceful-shutdown presence first, so no new meeting comes here
            }
            jitsi.close();
            if (page != null) {
                page.close();
            }
            mixer.close();
            stopped.countDown();
        }, "duet-shutdown"));
        System.out.println("Duet mixer is running. Jitsi transport: " + jitsi.uri() + "/<meeting id>"
                + " (metrics " + jitsi.httpUri() + "metrics)"
                + (page == null ? "" : "; standalone page: " + page.uri())
                + (announcer == null ? "; brewery announcer off" : "; announcing in " + announcer.describe())
                + ". Ctrl-C stops it.");
        stopped.await();
    }
}
