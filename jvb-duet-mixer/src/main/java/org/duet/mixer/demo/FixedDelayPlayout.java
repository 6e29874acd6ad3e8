package org.duet.mixer.demo;

import org.duet.mixer.jitter.FrameKind;
import org.duet.mixer.opus.OpusDecoder;
import org.duet.mixer.opus.OpusPacketInfo;
import org.duet.mixer.rtp.TimestampUnwrapper;

/**
 * A fixed-delay playout buffer, the simplest receiver there is: media time T plays at the
 * earliest arrival seen for it over the last second (the baseline) plus the playout delay. At its
 * deadline a frame is decoded from its own packet if that arrived, else rebuilt from the in-band
 * FEC of the next packet if that arrived and carries it, else concealed. Fixed, so a comparison
 * between encoder settings measures the stream, not how a buffer adapts. One thread; times are
 * whatever clock the caller uses (real or simulated nanoseconds).
 */
public final class FixedDelayPlayout {

    private static final int SLOTS = 512;
    private final OpusDecoder decoder;
    private final long delayNanos;
    private final byte[][] payload = new byte[SLOTS][];
    private final long[] slotTs = new long[SLOTS];
    private final short[] pcm = new short[5760];
    private final TimestampUnwrapper unwrap = new TimestampUnwrapper();
    private final long[] minima = new long[5];
    private final long[] bucketEpoch = new long[5];
    private boolean anchored;
    private long anchorTs;
    private long anchorNanos;
    private long nextTs;
    private int lastSamples = 960;

    private long samplesPlayed;
    private long samplesConcealed;
    private long samplesFec;

    public FixedDelayPlayout(OpusDecoder decoder, long delayNanos) {
        this.decoder = decoder;
        this.delayNanos = delayNanos;
    }

    /** A packet's Opus payload arrived at {@code now}. */
    public void insert(long ts32, long now, byte[] p, int off, int len) {
        long ts = unwrap.unwrap(ts32);
        if (!anchored) {
            anchored = true;
            anchorTs = ts;
            nextTs = ts;
        }
        // Baseline: the earliest arrival for the media time over the last second, so a sender
        // whose clock runs slow or skips (a loaded mixer) is followed, as browsers do.
        long offset = now - (ts - anchorTs) * 1_000_000_000L / 48_000;
        long epoch = Math.floorDiv(now, 200_000_000L);
        int bucket = (int) Math.floorMod(epoch, minima.length);
        if (bucketEpoch[bucket] != epoch) {
            bucketEpoch[bucket] = epoch;
            minima[bucket] = offset;
        } else {
            minima[bucket] = Math.min(minima[bucket], offset);
        }
        long base = Long.MAX_VALUE;
        for (int i = 0; i < minima.length; i++) {
            if (epoch - bucketEpoch[i] < minima.length) {
                base = Math.min(base, minima[i]);
            }
        }
        anchorNanos = base;
        if (ts < nextTs || ts - nextTs > 48_000L * 2) {
            return; // too late for its deadline, or absurd
        }
        int slot = (int) Math.floorMod(Math.floorDiv(ts, 480), SLOTS);
        payload[slot] = java.util.Arrays.copyOfRange(p, off, off + len);
        slotTs[slot] = ts;
    }

    private byte[] at(long ts) {
        int slot = (int) Math.floorMod(Math.floorDiv(ts, 480), SLOTS);
        return payload[slot] != null && slotTs[slot] == ts ? payload[slot] : null;
    }

    /** Plays every frame whose deadline passed by {@code now}. */
    public void play(long now) {
        if (!anchored) {
            return;
        }
        for (int guard = 0; guard < 200; guard++) {
            long due = anchorNanos + (nextTs - anchorTs) * 1_000_000_000L / 48_000 + delayNanos;
            if (now < due) {
                return;
            }
            byte[] own = at(nextTs);
            if (own != null) {
                int n = decoder.decode(own, 0, own.length, pcm, 0, 5760);
                int samples = n > 0 ? n : lastSamples;
                if (n <= 0) {
                    decoder.conceal(pcm, 0, samples);
                }
                payload[(int) Math.floorMod(Math.floorDiv(nextTs, 480), SLOTS)] = null;
                count(samples, n > 0 ? FrameKind.NORMAL : FrameKind.CONCEALED);
                lastSamples = samples;
                nextTs += samples;
                continue;
            }
            // Missing: how far to the next packet that did arrive (timestamps sit on a 10 ms grid)?
            int gap = lastSamples;
            byte[] next = null;
            for (int k = 1; k <= 6; k++) {
                next = at(nextTs + 480L * k);
                if (next != null) {
                    gap = 480 * k;
                    break;
                }
            }
            int samples = Math.min(lastSamples, gap);
            if (next != null && gap == samples && OpusPacketInfo.hasInbandFec(next, 0, next.length)
                    && decoder.decodeFec(next, 0, next.length, pcm, 0, samples) == samples) {
                count(samples, FrameKind.FEC);
            } else {
                decoder.conceal(pcm, 0, samples);
                count(samples, FrameKind.CONCEALED);
            }
            nextTs += samples;
        }
    }

    private void count(int samples, FrameKind kind) {
        samplesPlayed += samples;
        if (kind == FrameKind.CONCEALED) {
            samplesConcealed += samples;
        } else if (kind == FrameKind.FEC) {
            samplesFec += samples;
        }
    }

    public void resetCounters() {
        samplesPlayed = 0;
        samplesConcealed = 0;
        samplesFec = 0;
    }

    /** Share of played audio that was concealment, since the last reset. */
    public double concealedRate() {
        return samplesPlayed == 0 ? Double.NaN : (double) samplesConcealed / samplesPlayed;
    }

    public double fecRate() {
        return samplesPlayed == 0 ? Double.NaN : (double) samplesFec / samplesPlayed;
    }
}
