package org.duet.bench.janus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.duet.bench.proc.ManagedProcess;
import org.duet.bench.workload.MixerUnderTest;

/**
 * Janus AudioBridge as the peer under test: its own process (pinned like Duet), configured by
 * {@link JanusConfigWriter}; one room per duet at 48 kHz with plain-RTP participants. Each singer
 * joins with an {@code rtp} object naming where Janus sends that singer's mix (the mix of everyone
 * else: AudioBridge's mix-minus) and gets back the port Janus listens on; the listener mix is an
 * {@code rtp_forward} of the room's full mix to the listener's socket.
 */
public final class JanusAudioBridge implements MixerUnderTest {

    private static final String PLUGIN = "janus.plugin.audiobridge";
    private final ManagedProcess process;
    private final JanusApi api;
    private final long adminHandle;
    private final int prebuffering;

    private JanusAudioBridge(ManagedProcess process, JanusApi api, long adminHandle, int prebuffering) {
        this.process = process;
        this.api = api;
        this.adminHandle = adminHandle;
        this.prebuffering = prebuffering;
    }

    /** Installs Janus from Debian if missing (apt-get install -y janus). */
    public static Path ensureInstalled() throws IOException, InterruptedException {
        Path bin = Path.of("/usr/bin/janus");
        if (Files.isExecutable(bin)) {
            return bin;
        }
        System.err.println("bench: installing Janus from Debian (apt-get install -y janus)");
        Process p = new ProcessBuilder("apt-get", "install", "-y", "-q", "janus").inheritIO().start();
        try {
            if (!p.waitFor(15, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IOException("apt-get install janus failed");
            }
        } finally {
            p.destroyForcibly();
        }
        if (!Files.isExecutable(bin)) {
            throw new IOException("janus is not at " + bin + " after installing");
        }
        return bin;
    }

    /**
     * Starts Janus pinned to {@code core} with its configuration in {@code dir}.
     *
     * @param prebuffering AudioBridge's per-participant prebuffering in packets (Janus default 6)
     */
    public static JanusAudioBridge start(Path dir, int core, int httpPort, int rtpLow, int rtpHigh, int prebuffering)
            throws IOException, InterruptedException {
        Path bin = ensureInstalled();
        JanusConfigWriter.write(dir, JanusConfigWriter.shippedFolders(Path.of("/etc/janus/janus.jcfg")), httpPort,
                rtpLow, rtpHigh);
        ManagedProcess p = ManagedProcess.start("janus", List.of(bin.toString(), "-F", dir.toString(), "-C",
                dir.resolve("janus.jcfg").toString(), "-o", "-d", "3"), core, dir.resolve("janus.log"), dir);
        try {
            JanusApi api = new JanusApi(URI.create("http://127.0.0.1:" + httpPort));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!api.ready()) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    throw new IOException("Janus did not start:\n" + p.tail(30));
                }
                Thread.sleep(100);
            }
            api.createSession();
            long admin = api.attach(PLUGIN);
            return new JanusAudioBridge(p, api, admin, prebuffering);
        } catch (IOException | InterruptedException | RuntimeException e) {
            p.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return "janus";
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public DuetPorts addDuet(int index, InetSocketAddress singerA, InetSocketAddress singerB,
                             InetSocketAddress listener) throws IOException, InterruptedException {
        long room = 1000 + index;
        ObjectNode create = JanusApi.body("create");
        create.put("room", room);
        create.put("description", "duet " + index);
        create.put("sampling_rate", 48000);
        create.put("allow_rtp_participants", true);
        create.put("audiolevel_ext", false);
        create.put("default_prebuffering", prebuffering);
        create.put("record", false);
        api.syncRequest(adminHandle, create);
        InetSocketAddress a = joinRtp(room, "singer-a-" + index, singerA);
        InetSocketAddress b = joinRtp(room, "singer-b-" + index, singerB);
        ObjectNode forward = JanusApi.body("rtp_forward");
        forward.put("room", room);
        forward.put("host", listener.getAddress().getHostAddress());
        forward.put("port", listener.getPort());
        forward.put("ptype", 111);
        forward.put("codec", "opus");
        forward.put("always_on", true);
        api.syncRequest(adminHandle, forward);
        return new DuetPorts(a, b, null);
    }

    private InetSocketAddress joinRtp(long room, String display, InetSocketAddress remote)
            throws IOException, InterruptedException {
        long handle = api.attach(PLUGIN);
        ObjectNode join = JanusApi.body("join");
        join.put("room", room);
        join.put("display", display);
        join.put("muted", false);
        join.put("codec", "opus");
        ObjectNode rtp = join.putObject("rtp");
        rtp.put("ip", remote.getAddress().getHostAddress());
        rtp.put("port", remote.getPort());
        rtp.put("payload_type", 111);
        rtp.put("fec", true);
        JsonNode joined = api.asyncRequest(handle, join, Duration.ofSeconds(10));
        JsonNode r = joined.path("rtp");
        if (!"joined".equals(joined.path("audiobridge").asText()) || !r.has("port")) {
            throw new IOException("unexpected join answer from Janus: " + joined);
        }
        return new InetSocketAddress(r.path("ip").asText("127.0.0.1"), r.path("port").asInt());
    }

    @Override
    public void close() {
        process.close();
    }
}
