package org.duet.bench.janus;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JanusConfigWriterTest {

    @TempDir
    Path tmp;

    @Test
    void keepsOnlyAudioBridgeAndHttpOnLoopbackAndReadsFoldersFromTheShippedConfig() throws Exception {
        Path plugins = Files.createDirectories(tmp.resolve("lib/plugins"));
        Path transports = Files.createDirectories(tmp.resolve("lib/transports"));
        Path events = Files.createDirectories(tmp.resolve("lib/events"));
        Path loggers = Files.createDirectories(tmp.resolve("lib/loggers"));
        for (String p : new String[] {"libjanus_audiobridge.so", "libjanus_audiobridge.so.1", "libjanus_echotest.so",
                "libjanus_videoroom.so.1.1.2"}) {
            Files.createFile(plugins.resolve(p));
        }
        for (String t : new String[] {"libjanus_http.so", "libjanus_websockets.so", "libjanus_pfunix.so"}) {
            Files.createFile(transports.resolve(t));
        }
        Files.createFile(events.resolve("libjanus_sampleevh.so"));
        Files.createFile(loggers.resolve("libjanus_jsonlog.so"));
        Path shipped = tmp.resolve("janus.jcfg");
        Files.writeString(shipped, """
                general: {
                	configs_folder = "/etc/janus"			# Configuration files folder
                	plugins_folder = "%s"			# Plugins folder
                	transports_folder = "%s"	# Transports folder
                	events_folder = "%s"
                	loggers_folder = "%s"
                }
                """.formatted(plugins, transports, events, loggers));

        JanusConfigWriter.Folders folders = JanusConfigWriter.shippedFolders(shipped);
        assertThat(folders.plugins()).isEqualTo(plugins);
        assertThat(folders.transports()).isEqualTo(transports);

        Path out = tmp.resolve("conf");
        JanusConfigWriter.write(out, folders, 18088, 20000, 20999);
        String core = Files.readString(out.resolve("janus.jcfg"));
        assertThat(core).contains("configs_folder = \"" + out + "\"")
                .contains("rtp_port_range = \"20000-20999\"")
                .contains("session_timeout = 0")
                .contains("libjanus_echotest.so").contains("libjanus_videoroom.so.1.1.2")
                .contains("libjanus_pfunix.so,libjanus_websockets.so")
                .contains("libjanus_sampleevh.so").contains("libjanus_jsonlog.so");
        String pluginsLine = core.lines().filter(l -> l.contains("disable") && l.contains("echotest")).findFirst().orElseThrow();
        assertThat(pluginsLine).doesNotContain("audiobridge");
        String transportsLine = core.lines().filter(l -> l.contains("disable") && l.contains("websockets")).findFirst()
                .orElseThrow();
        assertThat(transportsLine).doesNotContain("libjanus_http.so");

        String http = Files.readString(out.resolve("janus.transport.http.jcfg"));
        assertThat(http).contains("port = 18088").contains("ip = \"127.0.0.1\"").contains("https = false")
                .contains("admin_http = false");
        String bridge = Files.readString(out.resolve("janus.plugin.audiobridge.jcfg"));
        assertThat(bridge).contains("local_ip = \"127.0.0.1\"").contains("rtp_port_range = \"20000-20999\"");
    }

    @Test
    void fallsBackToDebianFoldersWithoutAShippedConfig() throws Exception {
        JanusConfigWriter.Folders f = JanusConfigWriter.shippedFolders(tmp.resolve("missing.jcfg"));
        assertThat(f.plugins().toString()).endsWith("janus/plugins");
    }
}
