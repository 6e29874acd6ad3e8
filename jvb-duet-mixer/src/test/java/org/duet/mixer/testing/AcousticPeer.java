package org.duet.mixer.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import org.duet.mixer.clock.NtpTime;
import org.duet.mixer.clock.ServerClock;
import org.duet.mixer.dsp.Biquad;
import org.duet.mixer.jitter.WindowedMinimum;
import org.duet.mixer.opus.OpusApplication;
import org.duet.mixer.opus.OpusCodecs;
import org.duet.mixer.opus.OpusDecoder;
import org.duet.mixer.opus.OpusEncoder;
import org.duet.mixer.opus.OpusSettings;
import org.duet.mixer.rtcp.RtcpWriter;
import org.duet.mixer.rtp.RtpDropReason;
import org.duet.mixer.rtp.RtpPacket;
import org.duet.mixer.rtp.RtpRtcpDemux;
import org.duet.mixer.rtp.RtpWriter;
import org.duet.mixer.transport.UdpTransport;

/**
 * A plain-RTP singer in a real room, in real time over loopback UDP, with speakers: it plays the mix
 * it receives through a playout buffer that adapts as a browser's does (a target delay over the
 * fastest packets of the last two seconds: 20 ms over the 97th percentile of how much later the
 * last 5 s of packets came, 40 to 300 ms, up at once and not down again; a packet after its
 * turn is concealed), and its microphone captures its own voice plus what
 * its speakers played {@code acousticMs} earlier through its room: {@code flat} times it plus a
 * band-pass (Q 8) at {@code hz} with gain {@code peak}. {@link #closeLoopAt} says from when the
 * room returns anything (before: as on headphones). 20 ms Opus frames, an RTCP SR every second,
 * its capture clock the server's. Records what it played (decoded audio) and what it captured.
 *
 * <p>Whether a packet was in time is judged by its arrival time against its playout time, not by
 * when this thread ran, so a loaded machine delays the thread without changing what was heard.
 */
public final class AcousticPeer implements AutoCloseable {

    static final int FRAME = 960;
    private static final long FRAME_NANOS = 20_000_000L;
    private static final long MIN_TARGET_NANOS = 40_000_000L;
    /** The playout steps (skips, or pauses) only when it is this far from where it is due: 60 ms. */
    private static final int STEP = 2_880;
    private static final long MAX_TARGET_NANOS = 300_000_000L;

    private final String name;
    private final DatagramChannel channel;
    private final OpusEncoder encoder;
    private final OpusDecoder decoder;
    private final long ssrc = ThreadLocalRandom.current().nextLong(1, 1L << 32);
    private volatile InetSocketAddress mixer;
    private volatile boolean running = true;
    private Thread device;
    private Thread receiver;

    // the room
    private final double flat;
    private final double peak;
    private final Biquad resonance;
    private final int acousticSamples;
    private volatile long closeLoopAtNanos = Long.MAX_VALUE;

    // received, by mix sample since the first packet: payload and arrival
    private final Object lock = new Object();
    private final TreeMap<Long, byte[]> pending = new TreeMap<>();
    private final TreeMap<Long, Long> arrivals = new TreeMap<>();
    private long firstTs = -1;
    private long streamSsrc = -1;
    /** Fastest arrival minus media time over the last two seconds. */
    private final WindowedMinimum fastest = new WindowedMinimum(20, 100_000_000L);
    private volatile long targetNanos = 60_000_000L;
    private volatile long latePackets;
    private final long[] excess = new long[250];
    private final long[] sortedExcess = new long[250];
    private int excessCount;

    // played and captured, for the test
    private float[] speaker = new float[0];
    private float[] captured = new float[0];
    private float[] returned = new float[0];
    /** Device samples where the playout skipped or paused: the echo path moved. */
    private final java.util.List<Integer> moves = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    private volatile int framesDone;
    private long startNanos;

    public AcousticPeer(String name, double flat, double peak, double hz, int acousticMs) throws IOException {
        this.name = name;
        this.flat = flat;
        this.peak = peak;
        this.resonance = new Biquad().bandPass(hz, 8, 48_000);
        this.acousticSamples = acousticMs * 48;
        this.channel = DatagramChannel.open();
        channel.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
        channel.bind(new InetSocketAddress("127.0.0.1", 0));
        this.encoder = OpusCodecs.newEncoder(new OpusSettings(1, 64_000, 5, false, 0, false, OpusApplication.AUDIO, FRAME));
        this.decoder = OpusCodecs.newDecoder(1);
    }

    /** A singer on headphones: nothing of what they hear reaches their microphone. */
    public static AcousticPeer onHeadphones(String name) throws IOException {
        return new AcousticPeer(name, 0, 0, 1000, 0);
    }

    public InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    /** Joins {@code room} as {@code role} over a real loopback UDP socket. */
    public org.duet.mixer.room.Participant join(org.duet.mixer.room.Room room, String id, org.duet.mixer.room.Role role)
            throws Exception {
        UdpTransport t = UdpTransport.open(new InetSocketAddress("127.0.0.1", 0), localAddress());
        org.duet.mixer.room.Participant p = room.join(id, role, t, org.duet.mixer.format.MediaFormat.opusDefaults());
        mixer = t.localAddress();
        receiver = new Thread(this::receiveLoop, name + "-rx");
        receiver.setDaemon(true);
        receiver.start();
        return p;
    }

    /** From {@code nanos} ({@link System#nanoTime}) on, the room returns what the speakers play. */
    public void closeLoopAt(long nanos) {
        closeLoopAtNanos = nanos;
    }

    /** Sings {@code voice} (48 kHz mono) from {@code start} ({@link System#nanoTime}) in real time; returns at once. */
    public void start(float[] voice, long start) {
        startNanos = start;
        speaker = new float[voice.length + FRAME];
        captured = new float[voice.length];
        returned = new float[voice.length];
        device = new Thread(() -> deviceLoop(voice, start), name + "-device");
        device.setDaemon(true);
        device.start();
    }

    /** Waits (bounded) until the whole voice was sung. */
    public void await(long timeoutMillis) throws InterruptedException {
        if (device != null) {
            device.join(timeoutMillis);
        }
    }

    private void deviceLoop(float[] voice, long start) {
        short[] pcm = new short[FRAME];
        short[] out = new short[5760];
        byte[] opus = new byte[1500];
        byte[] packet = new byte[1500];
        byte[] rtcp = new byte[256];
        RtpWriter writer = new RtpWriter();
        RtcpWriter rtcpWriter = new RtcpWriter();
        RtpPacket rtp = new RtpPacket();
        ByteBuffer buf = ByteBuffer.allocate(1500);
        int seq = ThreadLocalRandom.current().nextInt(1 << 16);
        long ts0 = ThreadLocalRandom.current().nextLong(1L << 32);
        long unixStart = start + ServerClock.unixNanosMinusNanoTime();
        long octets = 0;
        // playout state: mix sample played next, and decoding in media order
        long played = Long.MIN_VALUE;
        long decodedThrough = 0;
        float[] mixPcm = new float[48_000 * 4];   // decoded mix ring, by mix sample
        int lastFrame = 480;
        int frames = voice.length / FRAME;
        for (int f = 0; f < frames && running; f++) {
            long frameStart = start + f * FRAME_NANOS;
            long due = frameStart + FRAME_NANOS;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            // ---- the speakers: 20 ms of the mix, as the playout buffer gives it ----
            int at = f * FRAME;
            long base;
            synchronized (lock) {
                base = firstTs < 0 ? Long.MIN_VALUE : baseline() + targetNanos;
            }
            if (base != Long.MIN_VALUE) {
                long want = Math.floorDiv((frameStart - base) * 48, 1_000_000L); // mix sample due now
                want -= Math.floorMod(want, 480); // on the mix's 10 ms grid: concealment comes in whole frames
                if (played == Long.MIN_VALUE) {
                    if (want >= 0) { // the first packet's turn came
                        played = want;
                        decodedThrough = want;
                    }
                } else if (want > played + STEP) {
                    played = want; // far behind what is due: skip ahead
                    moves.add(at); // what plays when, so the echo path, moved
                    decodedThrough = Math.max(decodedThrough, played);
                }
                // Between steps it plays on continuously, as a browser does (it stretches or squeezes
                // its playout slowly rather than jumping with every wobble of the fastest arrivals:
                // an echo path that jumped 20 ms every few seconds was never held by the detector).
                if (played != Long.MIN_VALUE && want >= played - STEP) {
                    // decode what this block plays, in media order; a frame counts only if it arrived in time
                    while (decodedThrough < played + FRAME) {
                        long k = decodedThrough;
                        long playsAt = base + k * 1_000_000L / 48;
                        long nextKey;
                        byte[] data;
                        synchronized (lock) {
                            java.util.Map.Entry<Long, byte[]> e = pending.ceilingEntry(k);
                            data = e != null && e.getKey() == k && arrivals.get(k) <= playsAt ? e.getValue() : null;
                            java.util.Map.Entry<Long, byte[]> later = pending.higherEntry(k);
                            nextKey = later == null ? Long.MAX_VALUE : later.getKey();
                            pending.headMap(k, data != null).clear();
                            arrivals.headMap(k, data != null).clear();
                        }
                        int n = 0;
                        if (data != null && rtp.parse(data, 0, data.length) == RtpDropReason.NONE) {
                            n = decoder.decode(data, rtp.payloadOffset(), rtp.payloadLength(), out, 0, out.length);
                            if (n > 0) {
                                lastFrame = n;
                            }
                        }
                        if (n <= 0) {
                            int gap = (int) Math.min(lastFrame, Math.max(1, nextKey - k));
                            n = Math.max(0, decoder.conceal(out, 0, gap));
                            if (n == 0) {
                                n = gap;
                                java.util.Arrays.fill(out, 0, n, (short) 0);
                            }
                        }
                        for (int i = 0; i < n; i++) {
                            mixPcm[(int) ((k + i) % mixPcm.length)] = out[i] / 32768f;
                        }
                        decodedThrough += n;
                    }
                    for (int i = 0; i < FRAME; i++) {
                        speaker[at + i] = mixPcm[(int) ((played + i) % mixPcm.length)];
                    }
                    played += FRAME;
                } else if (played != Long.MIN_VALUE) { // far ahead of what is due (the target grew): a pause, silence
                    moves.add(at);
                }
            }
            // ---- the microphone: their voice plus what the room returns of the speakers ----
            boolean closed = frameStart >= closeLoopAtNanos;
            for (int i = 0; i < FRAME; i++) {
                int n = at + i;
                float played0 = n - acousticSamples >= 0 ? speaker[n - acousticSamples] : 0f;
                float room = (float) (flat * played0 + peak * resonance.process(played0));
                float v = voice[n] + (closed ? room : 0f);
                captured[n] = v;
                returned[n] = closed ? room : 0f;
                pcm[i] = (short) Math.round(Math.max(-1f, Math.min(1f, v)) * 32767f);
            }
            int len = encoder.encode(pcm, 0, FRAME, opus, 0, opus.length);
            if (len > 0) {
                long ts = (ts0 + (long) f * FRAME) & 0xFFFFFFFFL;
                int h = writer.reset().payloadType(111).sequenceNumber((seq + f) & 0xFFFF).timestamp(ts).ssrc(ssrc)
                        .write(packet, 0);
                System.arraycopy(opus, 0, packet, h, len);
                send(buf, packet, h + len);
                octets += len;
                if (f % 50 == 0) {
                    long ntp = NtpTime.fromUnixNanos(unixStart + (f + 1) * FRAME_NANOS);
                    rtcpWriter.clearReportBlocks();
                    int m = rtcpWriter.writeSenderReport(rtcp, 0, ssrc, ntp, (ts + FRAME) & 0xFFFFFFFFL, f + 1, octets);
                    send(buf, rtcp, m);
                }
            }
            framesDone = f + 1;
        }
    }

    private void send(ByteBuffer out, byte[] data, int len) {
        InetSocketAddress to = mixer;
        if (to == null) {
            return;
        }
        out.clear();
        out.put(data, 0, len).flip();
        try {
            channel.send(out, to);
        } catch (IOException e) {
            // the mixer went away; the test notices from what was heard
        }
    }

    private void receiveLoop() {
        ByteBuffer in = ByteBuffer.allocate(2048);
        RtpPacket rtp = new RtpPacket();
        try {
            channel.configureBlocking(true);
        } catch (IOException e) {
            return;
        }
        while (running) {
            in.clear();
            try {
                if (channel.receive(in) == null) {
                    continue;
                }
            } catch (IOException e) {
                return; // closed
            }
            long arrival = System.nanoTime();
            int len = in.position();
            byte[] data = java.util.Arrays.copyOf(in.array(), len);
            if (RtpRtcpDemux.isRtcp(data, 0, len) || rtp.parse(data, 0, len) != RtpDropReason.NONE) {
                continue;
            }
            synchronized (lock) {
                if (firstTs < 0 || rtp.ssrc() != streamSsrc) {
                    if (firstTs >= 0) {
                        continue; // another stream: not expected in these tests
                    }
                    firstTs = rtp.timestamp();
                    streamSsrc = rtp.ssrc();
                }
                long k = (rtp.timestamp() - firstTs) & 0xFFFFFFFFL;
                if (k >= 1L << 31) {
                    continue; // before the first packet
                }
                observe(arrival, arrival - k * 1_000_000L / 48);
                pending.put(k, data);
                arrivals.put(k, arrival);
                long base = baseline() + targetNanos;
                if (arrival > base + k * 1_000_000L / 48) {
                    latePackets++; // after its turn: concealed
                }
                // the target follows the arrivals' spread, as a browser's jitter buffer does: 20 ms over
                // the 97th percentile of how late the last 5 s of packets came against the fastest
                excess[excessCount++ % excess.length] = arrival - k * 1_000_000L / 48 - baseline();
                int n = Math.min(excessCount, excess.length);
                System.arraycopy(excess, 0, sortedExcess, 0, n);
                java.util.Arrays.sort(sortedExcess, 0, n);
                long wanted = Math.max(MIN_TARGET_NANOS, Math.min(MAX_TARGET_NANOS,
                        sortedExcess[(int) (0.97 * (n - 1))] + 20_000_000L));
                // up at once, never down within a test's seconds (browsers shrink their buffer over
                // tens of seconds; a target that crept down 10 ms a second moved the echo all the time)
                targetNanos = Math.max(targetNanos, wanted);
            }
        }
    }

    /** Fastest arrival minus media time over the last two seconds. */
    private long baseline() {
        long min = fastest.min(System.nanoTime());
        return min == Long.MAX_VALUE ? Long.MIN_VALUE / 4 : min;
    }

    private void observe(long now, long offset) {
        fastest.observe(now, offset);
    }

    /** What the speakers played, by device sample from the start (decoded mix, silence before it came). */
    public float[] played() {
        return java.util.Arrays.copyOf(speaker, framesDone * FRAME);
    }

    /** What the microphone captured, by device sample from the start. */
    public float[] captured() {
        return java.util.Arrays.copyOf(captured, framesDone * FRAME);
    }

    /** What the room returned into the microphone (the echo as it entered, before coding), by device sample. */
    public float[] returned() {
        return java.util.Arrays.copyOf(returned, framesDone * FRAME);
    }

    /** Device samples (from the start) where the playout skipped ahead or paused: the echo path moved there. */
    public int[] playoutMoves() {
        synchronized (moves) {
            return moves.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    /** Device sample at {@link System#nanoTime} {@code nanos}. */
    public int sampleAt(long nanos) {
        return (int) Math.max(0, (nanos - startNanos) * 48 / 1_000_000L);
    }

    public long latePackets() {
        return latePackets;
    }

    /** The playout's target delay now, ms. */
    public double targetMs() {
        return targetNanos / 1e6;
    }

    @Override
    public void close() {
        running = false;
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing
        }
        if (device != null) {
            try {
                device.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        encoder.close();
        decoder.close();
    }
}
