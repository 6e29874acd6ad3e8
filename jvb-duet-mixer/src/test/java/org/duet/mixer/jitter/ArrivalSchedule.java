package org.duet.mixer.jitter;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A scripted network: packets with sequence number, RTP timestamp, SSRC, payload and arrival
 * time. {@link #play} walks a virtual clock in fixed steps, inserting what has arrived and then
 * draining the buffer, exactly as the media loop would. Deterministic: no real time involved.
 */
final class ArrivalSchedule {

    static final long MS = 1_000_000L;

    record Packet(int seq, long ts, long ssrc, long arrivalNanos, byte[] payload, int order) {
    }

    final List<Packet> packets = new ArrayList<>();
    final List<InsertResult> results = new ArrayList<>();

    void add(int seq, long ts, long ssrc, long arrivalNanos, byte[] payload) {
        packets.add(new Packet(seq & 0xFFFF, ts & 0xFFFF_FFFFL, ssrc, arrivalNanos, payload, packets.size()));
    }

    /** Sends each frame of the stream at the end of its media time plus a fixed path delay plus jitter. */
    static ArrivalSchedule regular(EncodedStream s, int firstSeq, long firstTs, long ssrc, long pathDelayNanos,
                                   long[] jitterNanos, boolean[] drop) {
        ArrivalSchedule a = new ArrivalSchedule();
        long frameNanos = s.frameSamples * 1_000_000_000L / 48_000;
        for (int i = 0; i < s.size(); i++) {
            if (drop != null && drop[i]) {
                continue;
            }
            long sent = (i + 1) * frameNanos;
            long arrival = sent + pathDelayNanos + (jitterNanos == null ? 0 : jitterNanos[i]);
            a.add(firstSeq + i, firstTs + (long) i * s.frameSamples, ssrc, arrival, s.packets[i]);
        }
        return a;
    }

    /** Runs the clock from 0 to {@code endNanos} in {@code stepNanos} steps. */
    void play(JitterBuffer jb, DecodedFrameSink sink, long stepNanos, long endNanos) {
        player(jb, sink, stepNanos).runUntil(endNanos);
    }

    Player player(JitterBuffer jb, DecodedFrameSink sink, long stepNanos) {
        return new Player(jb, sink, stepNanos);
    }

    /** The virtual clock, resumable so a test can look at the buffer between phases. */
    final class Player {
        private final JitterBuffer jb;
        private final DecodedFrameSink sink;
        private final long step;
        private final List<Packet> byArrival = new ArrayList<>(packets);
        private int next;
        private long now;

        Player(JitterBuffer jb, DecodedFrameSink sink, long step) {
            this.jb = jb;
            this.sink = sink;
            this.step = step;
            byArrival.sort(Comparator.comparingLong(Packet::arrivalNanos).thenComparingInt(Packet::order));
        }

        void runUntil(long endNanos) {
            for (; now <= endNanos; now += step) {
                while (next < byArrival.size() && byArrival.get(next).arrivalNanos() <= now) {
                    Packet p = byArrival.get(next++);
                    results.add(jb.insert(p.seq(), p.ts(), p.ssrc(), p.arrivalNanos(), p.payload(), 0,
                            p.payload().length));
                }
                jb.drainDue(now, sink);
            }
        }

        long now() {
            return now;
        }
    }

    long lastArrival() {
        long max = 0;
        for (Packet p : packets) {
            max = Math.max(max, p.arrivalNanos());
        }
        return max;
    }

    long count(InsertResult r) {
        return results.stream().filter(x -> x == r).count();
    }
}
