package org.duet.mixer;

import java.nio.file.Path;
import java.util.Arrays;
import org.duet.mixer.config.DuetConfig;
import org.duet.mixer.demo.PlainRtpDemo;
import org.duet.mixer.web.StandaloneServer;

/**
 * The mixer process. {@code serve} runs the standalone duet server (web UI, signaling, HTTP API);
 * {@code demo} is the same with demo defaults; {@code mixer} runs the Jitsi transport (jitsi/MixerMode);
 * {@code rtp-demo} runs a browser-less duet of two
 * plain-RTP singers and writes what each one heard to WAV files.
 */
public final class Main {

    private static final String USAGE = "usage: Main [demo|serve] [--host ADDRESS] [--port N]\n"
            + "       Main mixer [--host ADDRESS] [--port N] [--secret S] [--web]   (Jitsi transport)\n"
            + "       Main rtp-demo [seconds] [out-dir]";

    private Main() {
    }

    /** {@code --host} and {@code --port} become config overrides (system properties win in HOCON). */
    private static void applyOptions(String[] options) {
        for (int i = 0; i < options.length; i++) {
            String option = options[i];
            if (i + 1 >= options.length) {
                usage("missing value for " + option);
            }
            String value = options[++i];
            switch (option) {
                case "--port" -> {
                    if (!value.matches("\\d{1,5}") || Integer.parseInt(value) > 65_535) {
                        usage("--port takes a port number, got " + value);
                    }
                    System.setProperty("duet.http.port", value);
                }
                case "--host" -> System.setProperty("duet.http.host", value);
                default -> usage("unknown option " + option);
            }
        }
    }

    private static void usage(String problem) {
        System.err.println("duet: " + problem);
        System.err.println(USAGE);
        System.exit(2);
    }

    public static void main(String[] args) throws Exception {
        String cmd = args.length > 0 ? args[0] : "demo";
        String[] rest = Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
        switch (cmd) {
            case "serve", "demo" -> {
                applyOptions(rest);
                StandaloneServer.serve(DuetConfig.load());
            }
            case "mixer" -> org.duet.mixer.jitsi.MixerMode.main(rest);
            case "rtp-demo" -> PlainRtpDemo.run(DuetConfig.load(), rest.length > 0 ? Integer.parseInt(rest[0]) : 6,
                    Path.of(rest.length > 1 ? rest[1] : "target/duet-demo"));
            default -> {
                System.err.println(USAGE);
                System.exit(2);
            }
        }
    }
}
