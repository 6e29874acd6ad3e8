package org.duet.bench.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.duet.mixer.rtcp.RtcpWriter;
import org.duet.mixer.rtp.RtpWriter;

/**
 * One thread that paces every singer: frame n of a singer leaves at its capture instant
 * (captureEpoch + n * 20 ms) plus the singer's emulated network delay, as a 20 ms Opus RTP packet
 * replayed from the precomputed loop; every second an RTCP compound (SR + SDES CNAME) whose NTP
 * time is frame n's capture instant goes with it. Delayed RTCP answers queued by the receive
 * thread leave from here too, so one thread owns all sending.
 */
public final class PacedSender implements AutoCloseable {

    public static final long FRAME_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    public static final int PAYLOAD_TYPE = 111;
    private static final int SR_EVERY_FRAMES = 50;

    /** A packet to send at {@code dueNanos}; frame is the RTP frame index, or -1 for RTCP. */
    record Pending(long dueNanos, Endpoint from, byte[] bytes, long frame) {
    }

    private final List<Endpoint> singers;
    private final WallClock clock;
    private final long maxFrames;
    private final NetworkProfile profile;
    private final java.util.Random random = new java.util.Random(20_260_101L);
    private final AtomicLong impairedLoss = new AtomicLong();
    private final PriorityBlockingQueue<Pending> pending =
            new PriorityBlockingQueue<>(64, (a, b) -> Long.compare(a.dueNanos, b.dueNanos));
    private final AtomicLong sendFailures = new AtomicLong();
    private final AtomicLong lateSends = new AtomicLong();
    private final Thread thread;
    private volatile boolean stopped;

    public PacedSender(List<Endpoint> singers, WallClock clock, long maxFrames, NetworkProfile profile) {
        this.profile = profile;
        this.singers = List.copyOf(singers);
        this.clock = clock;
        this.maxFrames = maxFrames;
        this.thread = new Thread(this::run, "bench-sender");
        this.thread.setDaemon(true);
        this.thread.setPriority(Thread.MAX_PRIORITY);
    }

    public void start() {
        thread.start();
    }

    /** Queues an RTCP packet from {@code from} for sending at {@code dueNanos} (any thread). */
    void sendLater(long dueNanos, Endpoint from, byte[] bytes) {
        pending.add(new Pending(dueNanos, from, bytes, -1));
    }

    /** Packets the network profile dropped. */
    public long impairedLoss() {
        return impairedLoss.get();
    }

    /** Sends now, or queues with the profile's delay and jitter; false if the profile drops it. */
    private boolean impair(Endpoint s, byte[] buf, int len, long frame, long due, ByteBuffer bb) {
        if (!profile.impairs()) {
            long sentAt = send(s, bb, len);
            if (frame >= 0) {
                s.markSent(frame, sentAt);
            }
            return true;
        }
        if (random.nextDouble() * 100 < profile.lossPercent()) {
            impairedLoss.incrementAndGet();
            return false;
        }
        double extraMs = profile.delayMs() + (random.nextDouble() * 2 - 1) * profile.jitterMs();
        long at = due + Math.max(0, Math.round(extraMs * 1e6));
        pending.add(new Pending(at, s, java.util.Arrays.copyOf(buf, len), frame));
        return true;
    }

    /** Packets the socket refused (full buffer or closed). */
    public long sendFailures() {
        return sendFailures.get();
    }

    /** RTP packets that left more than 2 ms after their due time (bench overload indicator). */
    public long lateSends() {
        return lateSends.get();
    }

    private void run() {
        int n = singers.size();
        long[] next = new long[n];
        byte[] buf = new byte[1500];
        ByteBuffer bb = ByteBuffer.wrap(buf);
        RtcpWriter rtcp = new RtcpWriter();
        byte[][] cnames = new byte[n][];
        int[] octets = new int[n];
        for (int i = 0; i < n; i++) {
            cnames[i] = singers.get(i).label().getBytes(StandardCharsets.US_ASCII);
        }
        while (!stopped) {
            long now = System.nanoTime();
            long nextDue = now + TimeUnit.MILLISECONDS.toNanos(5);
            boolean anyLeft = false;
            for (int i = 0; i < n; i++) {
                Endpoint s = singers.get(i);
                while (next[i] < maxFrames) {
                    long frame = next[i];
                    long due = s.captureEpochNanos() + frame * FRAME_NANOS + s.delayNanos();
                    if (due > now) {
                        nextDue = Math.min(nextDue, due);
                        break;
                    }
                    if (s.remote() != null) {
                        byte[] payload = s.loop().packet(frame);
                        RtpWriter.writeFixedHeader(buf, 0, frame == 0, PAYLOAD_TYPE, (int) (frame & 0xFFFF),
                                (frame * 960) & 0xFFFFFFFFL, s.ssrc());
                        System.arraycopy(payload, 0, buf, 12, payload.length);
                        if (System.nanoTime() - due > TimeUnit.MILLISECONDS.toNanos(2)) {
                            lateSends.incrementAndGet();
                        }
                        impair(s, buf, 12 + payload.length, frame, due, bb);
                        octets[i] += payload.length;
                        if (frame % SR_EVERY_FRAMES == 0) {
                            long captureNanos = s.captureEpochNanos() + frame * FRAME_NANOS;
                            rtcp.clearReportBlocks();
                            int len = rtcp.writeSenderReport(buf, 0, s.ssrc(), clock.ntpAt(captureNanos),
                                    (frame * 960) & 0xFFFFFFFFL, frame + 1, octets[i]);
                            len += RtcpWriter.writeSdesCname(buf, len, s.ssrc(), cnames[i], 0, cnames[i].length);
                            impair(s, buf, len, -1, due, bb);
                        }
                    }
                    next[i]++;
                }
                anyLeft |= next[i] < maxFrames;
            }
            Pending p;
            while ((p = pending.peek()) != null && p.dueNanos <= now) {
                pending.poll();
                if (p.from.remote() != null) {
                    System.arraycopy(p.bytes, 0, buf, 0, p.bytes.length);
                    long sentAt = send(p.from, bb, p.bytes.length);
                    if (p.frame >= 0) {
                        p.from.markSent(p.frame, sentAt);
                    }
                }
            }
            if (p != null) {
                nextDue = Math.min(nextDue, p.dueNanos);
            }
            if (!anyLeft && pending.isEmpty()) {
                break;
            }
            long wait = nextDue - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
        }
    }

    private long send(Endpoint s, ByteBuffer bb, int len) {
        bb.clear().limit(len);
        try {
            if (s.channel().send(bb, s.remote()) == 0) {
                sendFailures.incrementAndGet();
            }
        } catch (IOException e) {
            sendFailures.incrementAndGet();
        }
        return System.nanoTime();
    }

    @Override
    public void close() {
        stopped = true;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
