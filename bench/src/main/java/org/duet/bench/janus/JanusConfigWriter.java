package org.duet.bench.janus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Writes a Janus configuration into a temporary directory: loopback only, the HTTP API on one
 * loopback port (no admin API, no HTTPS, no other transport), only the AudioBridge plugin, no event
 * handlers or loggers, sessions that never time out (the bench polls only while joining). Folder
 * locations are read from the Debian package's shipped /etc/janus/janus.jcfg.
 */
public final class JanusConfigWriter {

    /** Where the Debian package put its shared objects. */
    public record Folders(Path plugins, Path transports, Path events, Path loggers) {
    }

    private JanusConfigWriter() {
    }

    public static Folders shippedFolders(Path shippedJanusJcfg) throws IOException {
        String text = Files.exists(shippedJanusJcfg) ? Files.readString(shippedJanusJcfg) : "";
        Path lib = Path.of("/usr/lib/x86_64-linux-gnu/janus");
        return new Folders(
                Path.of(value(text, "plugins_folder", lib.resolve("plugins").toString())),
                Path.of(value(text, "transports_folder", lib.resolve("transports").toString())),
                Path.of(value(text, "events_folder", lib.resolve("events").toString())),
                Path.of(value(text, "loggers_folder", lib.resolve("loggers").toString())));
    }

    static String value(String jcfg, String key, String fallback) {
        Matcher m = Pattern.compile("(?m)^\\s*" + Pattern.quote(key) + "\\s*=\\s*\"([^\"]+)\"").matcher(jcfg);
        return m.find() ? m.group(1) : fallback;
    }

    /**
     * @param httpPort       loopback port of the Janus HTTP API
     * @param rtpPortLow     first UDP port AudioBridge may bind for plain-RTP participants
     * @param rtpPortHigh    last such port
     */
    public static void write(Path dir, Folders folders, int httpPort, int rtpPortLow, int rtpPortHigh)
            throws IOException {
        Files.createDirectories(dir);
        String disabledPlugins = disableAllBut(folders.plugins(), "libjanus_audiobridge.so");
        String disabledTransports = disableAllBut(folders.transports(), "libjanus_http.so");
        String disabledEvents = disableAllBut(folders.events(), null);
        String disabledLoggers = disableAllBut(folders.loggers(), null);
        Files.writeString(dir.resolve("janus.jcfg"), """
                general: {
                	configs_folder = "%s"
                	plugins_folder = "%s"
                	transports_folder = "%s"
                	events_folder = "%s"
                	loggers_folder = "%s"
                	debug_level = 3
                	session_timeout = 0
                	server_name = "duet-bench-janus"
                }
                certificates: {
                }
                media: {
                	rtp_port_range = "%d-%d"
                }
                nat: {
                	ice_enforce_list = "lo"
                	nice_debug = false
                }
                plugins: {
                	disable = "%s"
                }
                transports: {
                	disable = "%s"
                }
                loggers: {
                	disable = "%s"
                }
                events: {
                	broadcast = false
                	disable = "%s"
                }
                """.formatted(dir, folders.plugins(), folders.transports(), folders.events(), folders.loggers(),
                rtpPortLow, rtpPortHigh, disabledPlugins, disabledTransports, disabledLoggers, disabledEvents));
        Files.writeString(dir.resolve("janus.transport.http.jcfg"), """
                general: {
                	json = "plain"
                	base_path = "/janus"
                	http = true
                	port = %d
                	ip = "127.0.0.1"
                	https = false
                }
                admin: {
                	admin_http = false
                	admin_https = false
                }
                cors: {
                }
                """.formatted(httpPort));
        Files.writeString(dir.resolve("janus.plugin.audiobridge.jcfg"), """
                general: {
                	local_ip = "127.0.0.1"
                	rtp_port_range = "%d-%d"
                	events = false
                }
                """.formatted(rtpPortLow, rtpPortHigh));
    }

    /** Comma-separated names of every shared object in {@code folder} except {@code keep}. */
    static String disableAllBut(Path folder, String keep) throws IOException {
        List<String> names = new ArrayList<>();
        if (Files.isDirectory(folder)) {
            try (Stream<Path> files = Files.list(folder)) {
                files.map(p -> p.getFileName().toString())
                        .filter(n -> n.endsWith(".so") || n.contains(".so."))
                        .filter(n -> keep == null || !n.startsWith(keep))
                        .sorted()
                        .forEach(names::add);
            }
        }
        return String.join(",", names);
    }
}
