package org.duet.mixer.engine;

/**
 * Where in the tick period a stream's packets arrive: the circular mean of their arrival times
 * modulo the tick, with how tightly they cluster. A room ticks just after its limiting voice's
 * packets arrive (see {@link LoopTask#tickPhaseNanos()}), so a mix reads audio the moment it is
 * final instead of up to a whole tick later.
 *
 * <pre>
 *   tick period (10 ms)     |----------|----------|----------|
 *   20 ms packets arrive    ^                     ^
 *   locked ticks             '-guard            '-guard
 * </pre>
 *
 * Each arrival is a unit vector at angle 2 pi (arrival mod tick) / tick; the vectors are averaged
 * exponentially (about the last 50 packets). The mean's angle is the phase, its length (0..1) how
 * clustered the arrivals are: on a jittery path they spread round the circle and no phase is
 * better than another. Allocation-free; owned by the media loop thread.
 */
public final class ArrivalPhase {

    private static final double WEIGHT = 1.0 / 50;

    private long periodNanos;
    private double cos;
    private double sin;
    private long count;

    public ArrivalPhase(long periodNanos) {
        this.periodNanos = periodNanos;
    }

    public void onArrival(long arrivalNanos) {
        double angle = 2 * Math.PI * Math.floorMod(arrivalNanos, periodNanos) / periodNanos;
        double w = count < 50 ? 1.0 / (count + 1) : WEIGHT; // plain mean until the window is full
        cos += w * (Math.cos(angle) - cos);
        sin += w * (Math.sin(angle) - sin);
        count++;
    }

    /** Arrivals seen so far. */
    public long count() {
        return count;
    }

    /** 0 (spread evenly round the period) to 1 (all at one instant). */
    public double concentration() {
        return Math.hypot(cos, sin);
    }

    /** The mean arrival time modulo the period, in [0, period). */
    public long phaseNanos() {
        double angle = Math.atan2(sin, cos);
        if (angle < 0) {
            angle += 2 * Math.PI;
        }
        return Math.min(periodNanos - 1, (long) (angle / (2 * Math.PI) * periodNanos));
    }

    /**
     * How far before the mean the early arrivals come, from the concentration (for a wrapped
     * normal, R = exp(-sigma^2 / 2)): about two standard deviations, in nanos.
     */
    public long spreadNanos() {
        double r = Math.max(1e-9, Math.min(1, concentration()));
        double sigma = Math.sqrt(-2 * Math.log(r)); // radians
        return (long) (2 * sigma / (2 * Math.PI) * periodNanos);
    }

    /** The period arrivals are folded into (a stream's packet duration); a change starts over. */
    public void setPeriod(long periodNanos) {
        if (periodNanos > 0 && periodNanos != this.periodNanos) {
            this.periodNanos = periodNanos;
            reset();
        }
    }

    public long periodNanos() {
        return periodNanos;
    }

    public void reset() {
        cos = 0;
        sin = 0;
        count = 0;
    }
}
