package org.duet.mixer.rtcp;

import org.duet.mixer.clock.NtpTime;

/**
 * What a receiver knows about one RTP source, kept the way RFC 3550 appendix A says: sequence number
 * tracking with wrap, misorder and restart detection (A.1), expected and lost counts with the fraction lost
 * per report interval (A.3), interarrival jitter in RTP timestamp units (A.8), and LSR/DLSR from the
 * source's last Sender Report (6.4.1). It fills one report block of an RR or SR. Plain fields, no
 * allocation, single-threaded (the media loop).
 *
 * <p>Probation (A.1's MIN_SEQUENTIAL) defaults to off: sources come from signaling and, over WebRTC, are
 * SRTP-authenticated, so the first packet already counts. Pass 2 to get A.1 exactly.
 */
public final class ReceptionStatistics {
    private static final int RTP_SEQ_MOD = 1 << 16;
    private static final int MAX_DROPOUT = 3000;
    private static final int MAX_MISORDER = 100;

    private final long sourceSsrc;
    private final int minSequential;

    private boolean started;
    private int maxSeq;
    private long cycles;
    private int baseSeq;
    private int badSeq;
    private int probation;
    private long received;
    private long expectedPrior;
    private long receivedPrior;

    private boolean haveTransit;
    private long lastArrivalNanos;
    private long lastRtpTimestamp;
    private double jitter;

    private long lastSrCompact;
    private long lastSrArrivalNanos;
    private boolean haveSenderReport;

    public ReceptionStatistics(long sourceSsrc) {
        this(sourceSsrc, 0);
    }

    /** @param minSequential packets in sequence needed before a new source counts (A.1); 0 or 1 = none */
    public ReceptionStatistics(long sourceSsrc, int minSequential) {
        this.sourceSsrc = sourceSsrc & 0xFFFF_FFFFL;
        this.minSequential = minSequential;
    }

    public long sourceSsrc() {
        return sourceSsrc;
    }

    /**
     * Accounts one received RTP packet.
     *
     * @param seq          its sequence number (0..65535)
     * @param rtpTimestamp its RTP timestamp
     * @param arrivalNanos its arrival time ({@link System#nanoTime()} scale)
     * @param clockRate    the RTP clock rate of its payload type (48000 for Opus)
     * @return false when A.1 does not count it (probation, or a large jump not yet confirmed as a restart)
     */
    public boolean onRtp(int seq, long rtpTimestamp, long arrivalNanos, int clockRate) {
        seq &= 0xFFFF;
        if (!started) {
            started = true;
            if (minSequential <= 1) {
                initSequence(seq);
                received = 1;
                updateJitter(rtpTimestamp, arrivalNanos, clockRate);
                return true;
            }
            initSequence(seq);
            maxSeq = (seq - 1) & 0xFFFF;
            probation = minSequential;
        }
        if (!updateSequence(seq)) {
            return false;
        }
        updateJitter(rtpTimestamp, arrivalNanos, clockRate);
        return true;
    }

    private void initSequence(int seq) {
        baseSeq = seq;
        maxSeq = seq;
        badSeq = RTP_SEQ_MOD + 1; // matches no sequence number
        cycles = 0;
        received = 0;
        receivedPrior = 0;
        expectedPrior = 0;
        haveTransit = false;
    }

    /** RFC 3550 A.1 update_seq. */
    private boolean updateSequence(int seq) {
        int udelta = (seq - maxSeq) & 0xFFFF;
        if (probation > 0) {
            if (seq == ((maxSeq + 1) & 0xFFFF)) {
                probation--;
                maxSeq = seq;
                if (probation == 0) {
                    initSequence(seq);
                    received++;
                    return true;
                }
            } else {
                probation = minSequential - 1;
                maxSeq = seq;
            }
            return false;
        } else if (udelta < MAX_DROPOUT) {
            if (seq < maxSeq) {
                cycles += RTP_SEQ_MOD; // wrapped
            }
            maxSeq = seq;
        } else if (udelta <= RTP_SEQ_MOD - MAX_MISORDER) {
            if (seq == badSeq) {
                initSequence(seq); // two in a row after a big jump: the sender restarted
            } else {
                badSeq = (seq + 1) & 0xFFFF;
                return false;
            }
        }
        // else: duplicate or reordered, counted as received (A.1)
        received++;
        return true;
    }

    /** RFC 3550 A.8, in arrival order, with the arrival clock converted to RTP units. */
    private void updateJitter(long rtpTimestamp, long arrivalNanos, int clockRate) {
        if (haveTransit) {
            double arrivalDelta = (arrivalNanos - lastArrivalNanos) * (double) clockRate / 1e9;
            int timestampDelta = (int) (rtpTimestamp - lastRtpTimestamp);
            double d = Math.abs(arrivalDelta - timestampDelta);
            jitter += (d - jitter) / 16.0;
        }
        haveTransit = true;
        lastArrivalNanos = arrivalNanos;
        lastRtpTimestamp = rtpTimestamp;
    }

    /** Records the source's Sender Report, for LSR/DLSR in the next report block. */
    public void onSenderReport(long ntpTimestamp, long arrivalNanos) {
        lastSrCompact = NtpTime.middle32(ntpTimestamp);
        lastSrArrivalNanos = arrivalNanos;
        haveSenderReport = true;
    }

    /** True once a packet has been counted. */
    public boolean hasData() {
        return started && probation == 0;
    }

    /** Cycles (multiples of 65536) plus the highest sequence number received. */
    public long extendedHighestSequence() {
        return cycles + maxSeq;
    }

    /** Packets expected: extended highest sequence minus the first, plus one (A.3). */
    public long expected() {
        return hasData() ? extendedHighestSequence() - baseSeq + 1 : 0;
    }

    /** Packets received, duplicates included (A.1). */
    public long received() {
        return received;
    }

    /** Expected minus received; negative with duplicates (A.3). */
    public long cumulativeLost() {
        return expected() - received;
    }

    /** Cumulative lost clamped to the report block's signed 24-bit field. */
    public int cumulativeLostClamped() {
        return (int) Math.max(-0x800000L, Math.min(0x7FFFFFL, cumulativeLost()));
    }

    /** Interarrival jitter estimate, RTP timestamp units (A.8). */
    public double jitter() {
        return jitter;
    }

    /**
     * Fraction lost since the previous call, in 1/256 (A.3), and starts a new interval. Call once per
     * report sent.
     */
    public int takeFractionLost() {
        long expected = expected();
        long expectedInterval = expected - expectedPrior;
        long receivedInterval = received - receivedPrior;
        expectedPrior = expected;
        receivedPrior = received;
        long lostInterval = expectedInterval - receivedInterval;
        if (expectedInterval == 0 || lostInterval <= 0) {
            return 0;
        }
        return (int) Math.min(255, (lostInterval << 8) / expectedInterval);
    }

    /** Middle 32 bits of the last SR's NTP time, 0 if none yet. */
    public long lastSr() {
        return haveSenderReport ? lastSrCompact : 0;
    }

    /** Delay since the last SR at {@code nowNanos}, in 1/65536 s, 0 if none yet. */
    public long delaySinceLastSr(long nowNanos) {
        return haveSenderReport ? NtpTime.nanosToCompact(nowNanos - lastSrArrivalNanos) : 0;
    }

    /**
     * Stages this source's report block in {@code writer} (starting a new fraction-lost interval).
     *
     * @return false when there is nothing to report yet or the writer already holds 31 blocks
     */
    public boolean writeReportBlock(RtcpWriter writer, long nowNanos) {
        if (!hasData() || writer.reportBlockCount() == RtcpWriter.MAX_REPORT_BLOCKS) {
            return false;
        }
        return writer.addReportBlock(sourceSsrc, takeFractionLost(), cumulativeLostClamped(),
                extendedHighestSequence() & 0xFFFF_FFFFL, (long) jitter, lastSr(), delaySinceLastSr(nowNanos));
    }

    /** Forgets everything (e.g. the source's SSRC was reused after a BYE). */
    public void reset() {
        started = false;
        probation = 0;
        initSequence(0);
        jitter = 0;
        haveSenderReport = false;
        lastSrCompact = 0;
        lastSrArrivalNanos = 0;
    }
}
