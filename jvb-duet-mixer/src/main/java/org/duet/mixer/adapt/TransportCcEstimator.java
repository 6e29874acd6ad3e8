package org.duet.mixer.adapt;

import java.util.function.IntToLongFunction;
import org.duet.mixer.rtcp.TransportFeedback;

/**
 * What one receiver's transport-wide feedback (RTPFB FMT 15) says about the path of what we send
 * them: loss, and whether a queue is building (the delay gradient). Fed one feedback at a time
 * ({@link #begin}, the parser's {@link TransportFeedback#emit} into this sink, {@link #end}); the
 * send time of each transport-wide sequence number comes from {@code sendTimes} (the output
 * subscriber's history).
 *
 * <p>Delay gradient: for every packet that arrived, the one-way delay up to a constant (arrival on
 * the receiver's clock minus departure on ours) against its departure; the least-squares slope over
 * one feedback (packets of at least 20 ms of sending) is how fast a queue grows, in ms per ms. It is
 * smoothed over feedbacks (weight 0.3 for the newest); above {@link #OVERUSE_SLOPE} (a queue
 * growing by 50 ms per second) the path is overused. A simplification of the delay-based
 * controller of draft-ietf-rmcat-gcc (its trendline filter with a fixed threshold instead of an
 * adaptive one): for one audio stream of 24 to 128 kb/s the only question is "is the bottleneck
 * queue growing", not the bandwidth to the last kb/s.
 *
 * <p>Loss: packets reported not received among those we know we sent, summed until at least
 * {@link #MIN_INTERVAL_PACKETS} were reported and {@link #MIN_INTERVAL_NANOS} passed, then handed
 * out as one interval (as a report block's fraction lost, but every half second instead of every
 * few seconds). Media loop only; nothing is allocated per feedback.
 */
public final class TransportCcEstimator implements TransportFeedback.Sink {

    /** Smoothed delay gradient (ms of queue growth per ms sent) above which the path is overused. */
    public static final double OVERUSE_SLOPE = 0.05;
    static final int MIN_INTERVAL_PACKETS = 20;
    static final long MIN_INTERVAL_NANOS = 500_000_000L;
    private static final double SMOOTHING = 0.3;
    private static final double MIN_SPAN_MS = 20;

    private final IntToLongFunction sendTimes;

    // one feedback
    private long firstSendNanos;
    private double firstDelayMs;
    private int n;
    private double sx;
    private double sy;
    private double sxy;
    private double sxx;
    private double maxX;
    private int total;
    private int lost;

    // across feedbacks
    private volatile double smoothedSlope = Double.NaN;
    private int intervalTotal;
    private int intervalLost;
    private long intervalStartNanos = Long.MIN_VALUE;
    // written on the media loop only, read from any thread (volatile: a snapshot for stats and tests)
    private volatile long feedbacks;
    private volatile long unknownPackets;
    private volatile long reportedPackets;
    private volatile long reportedLost;

    /** @param sendTimes departure ({@link System#nanoTime()}) of a transport-wide sequence number, or MIN_VALUE */
    public TransportCcEstimator(IntToLongFunction sendTimes) {
        this.sendTimes = sendTimes;
    }

    /** Starts one feedback packet. */
    public void begin() {
        n = 0;
        sx = sy = sxy = sxx = 0;
        maxX = 0;
        total = 0;
        lost = 0;
        firstSendNanos = Long.MIN_VALUE;
    }

    @Override
    public void onPacket(int sequence, boolean received, long arrivalMicros) {
        long sent = sendTimes.applyAsLong(sequence);
        if (sent == Long.MIN_VALUE) {
            unknownPackets++; // not ours, or older than the history: says nothing about our stream
            return;
        }
        total++;
        if (!received) {
            lost++;
            return;
        }
        double delayMs = arrivalMicros / 1000.0 - sent / 1e6;
        if (firstSendNanos == Long.MIN_VALUE) {
            firstSendNanos = sent;
            firstDelayMs = delayMs;
        }
        double x = (sent - firstSendNanos) / 1e6;
        double y = delayMs - firstDelayMs;
        n++;
        sx += x;
        sy += y;
        sxy += x * y;
        sxx += x * x;
        maxX = Math.max(maxX, x);
    }

    /** Ends the feedback begun with {@link #begin}: updates the gradient and the loss interval. */
    public void end(long nowNanos) {
        feedbacks++;
        reportedPackets += total;
        reportedLost += lost;
        if (n >= 3 && maxX >= MIN_SPAN_MS) {
            double den = n * sxx - sx * sx;
            if (den > 0) {
                double slope = (n * sxy - sx * sy) / den;
                smoothedSlope = Double.isNaN(smoothedSlope) ? slope
                        : (1 - SMOOTHING) * smoothedSlope + SMOOTHING * slope;
            }
        }
        if (intervalStartNanos == Long.MIN_VALUE) {
            intervalStartNanos = nowNanos;
        }
        intervalTotal += total;
        intervalLost += lost;
    }

    /** True when an interval of loss is complete: at least 20 packets over at least 500 ms. */
    public boolean lossIntervalReady(long nowNanos) {
        return intervalTotal >= MIN_INTERVAL_PACKETS && intervalStartNanos != Long.MIN_VALUE
                && nowNanos - intervalStartNanos >= MIN_INTERVAL_NANOS;
    }

    /** The loss of the interval just completed, percent, and starts the next one. */
    public double takeLossPercent(long nowNanos) {
        double loss = intervalTotal == 0 ? 0 : 100.0 * intervalLost / intervalTotal;
        intervalTotal = 0;
        intervalLost = 0;
        intervalStartNanos = nowNanos;
        return loss;
    }

    /** Whether a queue is building on the path (smoothed delay gradient above {@link #OVERUSE_SLOPE}). */
    public boolean overusing() {
        return smoothedSlope > OVERUSE_SLOPE;
    }

    /** The smoothed delay gradient, ms per ms; NaN before the first usable feedback. */
    public double delayGradient() {
        return smoothedSlope;
    }

    public long feedbacks() {
        return feedbacks;
    }

    /** Packets of ours reported so far (received or lost), over all feedback. */
    public long reportedPackets() {
        return reportedPackets;
    }

    /** Of {@link #reportedPackets}, those reported lost. */
    public long reportedLost() {
        return reportedLost;
    }

    /** Reported packets we have no send time for (not stamped by us, or too old). */
    public long unknownPackets() {
        return unknownPackets;
    }
}
