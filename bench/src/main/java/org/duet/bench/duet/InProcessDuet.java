package org.duet.bench.duet;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.duet.bench.workload.MixerUnderTest;
import org.duet.mixer.config.DuetConfig;
import org.duet.mixer.room.DuetMixer;
import org.duet.mixer.format.MediaFormat;
import org.duet.mixer.room.MixerStats;
import org.duet.mixer.room.Role;
import org.duet.mixer.room.Room;
import org.duet.mixer.room.RoleTakenException;
import org.duet.mixer.transport.UdpTransport;

/**
 * The Duet engine inside the bench's own JVM, for what only in-process counters show: bytes
 * allocated by Duet's threads (the media loop and the UDP receive thread, by
 * {@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes}) and, of those, bytes allocated
 * inside Opus calls (the engine's codec meter), per packet and per codec call.
 */
public final class InProcessDuet implements MixerUnderTest {

    /** Allocation over the measured window. */
    public record Allocation(long duetThreadBytes, long codecBytes, long codecCalls, long packets,
                             List<String> threads) {
        public double ownBytesPerPacket() {
            return packets == 0 ? Double.NaN : Math.max(0, duetThreadBytes - codecBytes) / (double) packets;
        }

        public double codecBytesPerCall() {
            return codecCalls == 0 ? Double.NaN : codecBytes / (double) codecCalls;
        }
    }

    private record Snapshot(long threadBytes, MixerStats stats, List<String> threads) {
    }

    private final DuetMixer mixer;
    private final Path backingTrack;
    private Snapshot start;
    private Snapshot end;

    private InProcessDuet(DuetMixer mixer, Path backingTrack) {
        this.mixer = mixer;
        this.backingTrack = backingTrack;
    }

    /** @param opusBackend "libopus", "concentus" or "auto" */
    public static InProcessDuet start(Path backingTrack, String opusBackend) {
        DuetConfig config = DuetConfig.withOverrides("""
                duet.opus.meter-allocation = true
                duet.mixer.loops = 1
                duet.opus.backend = %s
                """.formatted(opusBackend));
        return new InProcessDuet(DuetMixer.start(config), backingTrack);
    }

    @Override
    public String name() {
        return "duet-in-process";
    }

    @Override
    public long pid() {
        return ProcessHandle.current().pid();
    }

    @Override
    public DuetPorts addDuet(int index, InetSocketAddress singerA, InetSocketAddress singerB,
                             InetSocketAddress listener) throws IOException {
        Room room = mixer.openRoom("duet-" + index);
        InetSocketAddress a = join(room, "a" + index, Role.parse("singer-a"), singerA);
        InetSocketAddress b = join(room, "b" + index, Role.parse("singer-b"), singerB);
        InetSocketAddress l = join(room, "l" + index, Role.parse("listener"), listener);
        if (backingTrack != null) {
            room.setBackingTrack(backingTrack, 0.5f);
        }
        return new DuetPorts(a, b, l);
    }

    private static InetSocketAddress join(Room room, String id, Role role, InetSocketAddress remote) throws IOException {
        UdpTransport t = UdpTransport.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), remote);
        try {
            room.join(id, role, t, MediaFormat.opusDefaults());
        } catch (RoleTakenException | RuntimeException e) {
            t.close();
            throw new IOException("join " + id + " failed: " + e.getMessage(), e);
        }
        return t.localAddress();
    }

    @Override
    public void markWindow(boolean isStart) {
        Snapshot s = snapshot();
        if (isStart) {
            start = s;
        } else {
            end = s;
        }
    }

    /** Allocation between the window marks; null before both are taken. */
    public Allocation allocation() {
        if (start == null || end == null) {
            return null;
        }
        MixerStats a = start.stats, b = end.stats;
        return new Allocation(end.threadBytes - start.threadBytes, b.codecAllocatedBytes() - a.codecAllocatedBytes(),
                b.codecCalls() - a.codecCalls(),
                (b.packetsIn() + b.packetsOut()) - (a.packetsIn() + a.packetsOut()), end.threads);
    }

    public MixerStats stats() {
        return mixer.stats();
    }

    /** Bytes allocated so far by every live thread whose name marks it as Duet's ("duet..."). */
    private Snapshot snapshot() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long total = 0;
        List<String> names = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("duet")) {
                long bytes = mx.getThreadAllocatedBytes(t.getId());
                if (bytes > 0) {
                    total += bytes;
                    names.add(t.getName());
                }
            }
        }
        names.sort(null);
        return new Snapshot(total, mixer.stats(), names);
    }

    @Override
    public void close() {
        mixer.close();
    }
}
