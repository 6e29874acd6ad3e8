package org.duet.mixer;

import java.nio.file.Path;
import java.util.Arrays;
import org.duet.mixer.config.DuetConfig;
import org.duet.mixer.demo.PlainRtpDemo;
import org.duet.mixer.web.StandaloneServer;

/**
 * The mixer process. {@code serve} runs the standalone duet server (web UI, signaling, HTTP API);
 * {@code demo} is the same with demo defaults; {@code rtp-demo} runs a browser-less duet of two
 * plain-RTP singers and writes what each one heard to WAV files.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        String cmd = args.length > 0 ? args[0] : "demo";
        String[] rest = Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
        switch (cmd) {
            case "serve", "demo" -> StandaloneServer.serve(DuetConfig.load());
            case "rtp-demo" -> PlainRtpDemo.run(DuetConfig.load(), rest.length > 0 ? Integer.parseInt(rest[0]) : 6,
                    Path.of(rest.length > 1 ? rest[1] : "target/duet-demo"));
            default -> {
                System.err.println("usage: Main [demo|serve|rtp-demo [seconds] [out-dir]]");
                System.exit(2);
            }
        }
    }
}
