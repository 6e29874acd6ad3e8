package org.duet.bench.duet;


import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.duet.mixer.config.DuetConfig;
import org.duet.mixer.room.DuetMixer;
import org.duet.mixer.format.MediaFormat;
import org.duet.mixer.room.Role;
import org.duet.mixer.room.Room;
import org.duet.mixer.transport.UdpTransport;
import org.duet.mixer.web.StatsJson;

/**
 * A Duet mixer process driven over stdin/stdout, for benchmarking where the standalone web server
 * is not available: the same engine ({@link DuetMixer}, plain-UDP participants) in its own JVM so
 * it can be pinned and its CPU read from /proc. One command per line, one answer line each:
 * <pre>
 *   join ROOM ID ROLE HOST:PORT     -> ok HOST:PORT (Duet's socket for that participant)
 *   backing ROOM /abs/file.wav GAIN -> ok
 *   stats                           -> ok {json like GET /api/stats}
 *   reset-ticks                     -> ok
 *   heap                            -> ok BYTES (heap in use right after a full collection)
 * </pre>
 * Errors answer {@code err message}. End of stdin ends the process.
 */
public final class DuetChildMain {

    private static final ObjectMapper JSON = new ObjectMapper();

    private DuetChildMain() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        // keep the engine's logging off the answer channel
        System.setOut(System.err);
        try (DuetMixer mixer = DuetMixer.start(DuetConfig.load());
             BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            out.println("ready");
            String line;
            while ((line = in.readLine()) != null) {
                try {
                    out.println("ok " + handle(mixer, line.trim().split("\\s+")));
                } catch (Exception e) {
                    out.println("err " + String.valueOf(e.getMessage()).replace('\n', ' '));
                }
            }
        }
    }

    private static String handle(DuetMixer mixer, String[] cmd) throws Exception {
        switch (cmd[0]) {
            case "join" -> {
                Room room = mixer.openRoom(cmd[1]);
                int colon = cmd[4].lastIndexOf(':');
                InetSocketAddress remote = new InetSocketAddress(InetAddress.getByName(cmd[4].substring(0, colon)),
                        Integer.parseInt(cmd[4].substring(colon + 1)));
                UdpTransport t = UdpTransport.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), remote);
                try {
                    room.join(cmd[2], Role.parse(cmd[3]), t, MediaFormat.opusDefaults());
                } catch (Exception | Error e) {
                    t.close();
                    throw e;
                }
                InetSocketAddress local = t.localAddress();
                return local.getAddress().getHostAddress() + ":" + local.getPort();
            }
            case "backing" -> {
                mixer.openRoom(cmd[1]).setBackingTrack(Path.of(cmd[2]), Float.parseFloat(cmd[3]));
                return "";
            }
            case "reset-ticks" -> {
                mixer.resetTickStats();
                return "";
            }
            case "heap" -> { // the soak's leak check: what stays live, not what awaits collection
                System.gc();
                return Long.toString(java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage()
                        .getUsed());
            }
            case "stats" -> {
                return JSON.writeValueAsString(StatsJson.of(mixer));
            }
            default -> throw new IllegalArgumentException("unknown command " + cmd[0]);
        }
    }
}
