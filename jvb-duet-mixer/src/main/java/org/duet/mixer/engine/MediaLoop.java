package org.duet.mixer.engine;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;
import org.duet.mixer.format.DatagramLimits;
import org.duet.mixer.logging.LogThrottle;
import org.jctools.queues.MpmcArrayQueue;
import org.jctools.queues.MpscArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The media loop: one thread that owns a set of rooms. It handles received packets as they come
 * (so forwarded audio leaves at once), runs each room's mix tick on a fixed schedule at that
 * room's own phase within the tick period ({@link LoopTask#tickPhaseNanos()}: just after its
 * voices' packets arrive), and runs commands from signaling between the two. Nothing here blocks on I/O or on a lock signaling holds.
 *
 * <p>Commands are the only way other threads change a room's media state, which is therefore
 * touched by this thread alone and needs no locks.
 */
public final class MediaLoop implements Runnable, AutoCloseable {

    /** Failures are counted always and logged at most once per 10 s each, so a flood cannot fill the disk. */
    private static final LogThrottle COMMAND_FAILURES = new LogThrottle(10_000);
    private static final LogThrottle PACKET_FAILURES = new LogThrottle(10_000);
    private static final LogThrottle TICK_FAILURES = new LogThrottle(10_000);

    private static final Logger LOG = LoggerFactory.getLogger(MediaLoop.class);

    /**
     * How many ticks behind the loop may fall before it skips ahead rather than run the backlog.
     * -Dduet.mixer.skip-behind-ticks: the bench's CPU-time capacity run sets it high, so a loop the
     * shared machine starves still does all the work it is measured for (docs/performance.md).
     */
    private static final long SKIP_BEHIND_TICKS = Math.max(1, Long.getLong("duet.mixer.skip-behind-ticks", 5));
    /**
     * Received RTP that waited longer than this in the inbound queue is dropped unhandled and
     * counted ({@link #staleDropped}): after the loop was starved for seconds, its backlog (up to a
     * sender's share of the queue, 20 s of 20 ms packets) would otherwise be decoded and analysed
     * in full, and handling old audio kept the loop behind (docs/performance.md). RTCP is always
     * handled. -Dduet.mixer.stale-packet-ms (0: never drop).
     */
    private static final long STALE_NANOS = Long.getLong("duet.mixer.stale-packet-ms", 1000) * 1_000_000L;

    private final long tickNanos;
    private final Thread thread;
    private final MpscArrayQueue<InboundPacket> inbound;
    private final MpmcArrayQueue<InboundPacket> pool;
    private final MpscArrayQueue<Runnable> commands = new MpscArrayQueue<>(4096);
    private final CopyOnWriteArrayList<Scheduled> tasks = new CopyOnWriteArrayList<>();

    /** A task and when it ticks next (loop thread only; Long.MIN_VALUE: at the next slot). */
    private static final class Scheduled {
        final LoopTask task;
        long next = Long.MIN_VALUE;

        Scheduled(LoopTask task) {
            this.task = task;
        }
    }
    private volatile boolean running = true;

    private final SingleWriterRecorder tickMicros = new SingleWriterRecorder(1, 10_000_000, 3);
    private final Histogram tickTotal = new Histogram(1, 10_000_000, 3);
    private final AtomicLong ticks = new AtomicLong();
    private final AtomicLong deadlineMisses = new AtomicLong();
    private final AtomicLong packetsHandled = new AtomicLong();
    private final AtomicLong packetsDropped = new AtomicLong();
    private final AtomicLong oversizeDropped = new AtomicLong();
    private final AtomicLong handlerErrors = new AtomicLong();
    private final AtomicLong shareDropped = new AtomicLong();
    private final AtomicLong poolEmptyDropped = new AtomicLong();
    private final AtomicLong queueFullDropped = new AtomicLong();
    private final AtomicLong staleDropped = new AtomicLong();
    /** Packets one sender may have waiting at once: an eighth of the queue (at least 64). */
    private final int perSenderShare;
    private volatile long loopThreadId = -1;

    /**
     * Phase resolution: a room's ticks can sit at any of this many points of the tick period
     * (250 us apart at 10 ms), so each room ticks just after its voices' packets arrive.
     */
    static final int PHASE_SLOTS = 40;
    private final long slotNanos;
    /** The first tick's time; slots count from it. */
    private long origin;
    // the tick period being run: its start, the rooms' tick time in it so far, whether one was late
    private long periodStart;
    private long periodBusyNanos;
    private boolean periodRan;
    private boolean periodLate;

    public MediaLoop(String name, long tickNanos, int queueCapacity) {
        this.tickNanos = tickNanos;
        this.slotNanos = Math.max(1, tickNanos / PHASE_SLOTS);
        this.inbound = new MpscArrayQueue<>(queueCapacity);
        this.perSenderShare = Math.max(64, queueCapacity / 8);
        this.pool = new MpmcArrayQueue<>(queueCapacity);
        for (int i = 0; i < queueCapacity; i++) {
            pool.offer(new InboundPacket());
        }
        this.thread = new Thread(this, name);
        this.thread.setDaemon(true);
        this.thread.setPriority(Thread.MAX_PRIORITY);
    }

    public void start() {
        thread.start();
    }

    /** A receiver that feeds {@code handler} on this loop, for a transport to deliver into. */
    public LoopReceiver receiverFor(PacketHandler handler) {
        return new LoopReceiver(this, handler);
    }

    /** Runs {@code command} on the loop thread, before the next packet or tick. */
    public void execute(Runnable command) {
        if (!commands.offer(command)) {
            throw new IllegalStateException("media loop command queue is full");
        }
        LockSupport.unpark(thread);
    }

    public void addTask(LoopTask task) {
        tasks.add(new Scheduled(task));
    }

    public void removeTask(LoopTask task) {
        tasks.removeIf(s -> s.task == task);
    }

    public int taskCount() {
        return tasks.size();
    }

    public boolean inLoopThread() {
        return Thread.currentThread() == thread;
    }

    /** The loop thread's id, for per-thread allocation and CPU accounting. */
    public long threadId() {
        return loopThreadId;
    }

    void enqueue(LoopReceiver from, byte[] buf, int off, int len, boolean isRtcp, long arrivalNanos) {
        if (len > DatagramLimits.MAX_DATAGRAM || len < 0) {
            oversizeDropped.incrementAndGet();
            return;
        }
        if (from.queued.incrementAndGet() > perSenderShare) {
            from.queued.decrementAndGet();
            shareDropped.incrementAndGet();
            packetsDropped.incrementAndGet();
            return;
        }
        InboundPacket p = pool.relaxedPoll();
        if (p == null) {
            from.queued.decrementAndGet();
            poolEmptyDropped.incrementAndGet();
            packetsDropped.incrementAndGet();
            return;
        }
        PacketHandler handler = from.handler;
        p.owner = from;
        System.arraycopy(buf, off, p.data, 0, len);
        p.length = len;
        p.rtcp = isRtcp;
        p.arrivalNanos = arrivalNanos;
        p.target = handler;
        if (!inbound.offer(p)) {
            p.target = null;
            p.owner = null;
            from.queued.decrementAndGet();
            pool.offer(p);
            queueFullDropped.incrementAndGet();
            packetsDropped.incrementAndGet();
            return;
        }
        LockSupport.unpark(thread);
    }

    @Override
    public void run() {
        loopThreadId = Thread.currentThread().getId();
        origin = System.nanoTime() + tickNanos;
        periodStart = origin;
        long slotTime = origin;
        while (running) {
            runCommands();
            drainInbound();
            long now = System.nanoTime();
            if (now - slotTime >= 0) {
                runSlot(slotTime);
                slotTime = nextSlotTime(slotTime);
                long behind = System.nanoTime() - slotTime;
                if (behind > SKIP_BEHIND_TICKS * tickNanos) {
                    // Far behind (a stalled machine): skip, rather than burst out a backlog of ticks.
                    long skipped = behind / tickNanos;
                    deadlineMisses.addAndGet(skipped);
                    slotTime += skipped * tickNanos;
                    for (int i = 0, n = tasks.size(); i < n; i++) {
                        Scheduled t = taskAt(i);
                        if (t != null && t.next != Long.MIN_VALUE && t.next - slotTime < 0) {
                            long period = periodOf(t.task);
                            t.next += (Math.floorDiv(slotTime - t.next - 1, period) + 1) * period;
                        }
                    }
                }
                continue;
            }
            if (inbound.isEmpty() && commands.isEmpty()) {
                LockSupport.parkNanos(this, slotTime - now);
            }
        }
    }

    /**
     * When {@code task}, having ticked at {@code ticked}, ticks next: at the first slot at or after
     * its wanted phase (modulo its period), half a period to a period and a half later. So a room
     * whose phase or period changes gets one longer or shorter interval, never two ticks in a row or
     * a skipped one. A room ticking every period P makes the media of [t, t + P) at its tick t (see
     * {@link LoopTask#tickPeriodNanos()}); at P = 20 ms its media steps stay at most two loop ticks apart.
     */
    private long nextTick(LoopTask task, long ticked) {
        long period = periodOf(task);
        long phase = task.tickPhaseNanos();
        if (phase < 0) {
            return ticked + period;
        }
        // the first slot at or after the wanted phase, as an offset from the loop's origin
        long fromOrigin = Math.floorMod(phase - origin, period);
        long offset = (fromOrigin + slotNanos - 1) / slotNanos * slotNanos % period;
        long after = ticked + period / 2 - origin;
        long periods = Math.floorDiv(after - offset, period) + 1;
        return origin + periods * period + offset;
    }

    /** The task's tick period: a whole number of loop ticks, at least one. */
    private long periodOf(LoopTask task) {
        long p = task.tickPeriodNanos();
        return p <= tickNanos ? tickNanos : p / tickNanos * tickNanos;
    }

    private Scheduled taskAt(int i) {
        try {
            return tasks.get(i);
        } catch (IndexOutOfBoundsException e) {
            return null;
        }
    }

    /** The next slot time after {@code slotTime} at which some task is due (at most a tick later). */
    private long nextSlotTime(long slotTime) {
        long best = slotTime + tickNanos;
        for (int i = 0, n = tasks.size(); i < n; i++) {
            Scheduled t = taskAt(i);
            if (t == null) {
                break;
            }
            if (t.next == Long.MIN_VALUE) {
                return slotTime + slotNanos; // just added: ticks at the next slot
            }
            if (t.next - best < 0) {
                best = t.next;
            }
        }
        return best - slotTime > 0 ? best : slotTime + slotNanos;
    }

    private void runCommands() {
        Runnable c;
        while ((c = commands.relaxedPoll()) != null) {
            try {
                c.run();
            } catch (Throwable e) { // one room's bug (even an Error) must not stop the other rooms
                handlerErrors.incrementAndGet();
                COMMAND_FAILURES.warn(LOG, "media loop command failed", e);
            }
        }
    }

    private void drainInbound() {
        long now = STALE_NANOS > 0 ? System.nanoTime() : 0;
        for (int i = 0; i < 4096; i++) { // bounded so a flood cannot starve the tick
            InboundPacket p = inbound.relaxedPoll();
            if (p == null) {
                return;
            }
            if (STALE_NANOS > 0 && (i & 63) == 63) {
                now = System.nanoTime(); // a long backlog takes a while to handle
            }
            try {
                if (STALE_NANOS > 0 && !p.rtcp && now - p.arrivalNanos > STALE_NANOS) {
                    staleDropped.incrementAndGet();
                    packetsDropped.incrementAndGet();
                    continue; // the finally block returns the buffer
                }
                p.target.handlePacket(p.data, 0, p.length, p.rtcp, p.arrivalNanos);
                packetsHandled.incrementAndGet();
            } catch (Throwable e) {
                // Malformed input must never take the loop down; handlers count their own drops.
                handlerErrors.incrementAndGet();
                PACKET_FAILURES.warn(LOG, "packet handler failed", e);
            } finally {
                p.owner.queued.decrementAndGet();
                p.owner = null;
                p.target = null;
                pool.offer(p);
            }
        }
    }

    /** Ticks every task due at {@code scheduled} (a slot time). */
    private void runSlot(long scheduled) {
        if (scheduled - periodStart >= tickNanos) {
            closePeriod();
            periodStart += Math.floorDiv(scheduled - periodStart, tickNanos) * tickNanos;
        }
        long start = System.nanoTime();
        for (int i = 0, n = tasks.size(); i < n; i++) { // indexed: no iterator allocated per slot
            Scheduled t = taskAt(i);
            if (t == null) {
                break; // a task was removed concurrently
            }
            if (t.next != Long.MIN_VALUE && t.next - scheduled > 0) {
                continue;
            }
            try {
                t.task.tick(scheduled);
            } catch (Throwable e) { // this room's tick only: the loop and its other rooms go on
                handlerErrors.incrementAndGet();
                TICK_FAILURES.warn(LOG, "room tick failed", e);
            }
            try {
                t.next = nextTick(t.task, scheduled);
            } catch (Throwable e) {
                handlerErrors.incrementAndGet();
                t.next = scheduled + tickNanos;
            }
        }
        long end = System.nanoTime();
        periodBusyNanos += end - start;
        periodRan = true;
        if (end - scheduled > tickNanos) {
            periodLate = true;
        }
    }

    /**
     * One tick period is over: its tick time is what every room's tick took together in it (rooms
     * tick at their own phases, so this is the loop's load per tick, as with one shared phase).
     */
    private void closePeriod() {
        if (!periodRan) {
            return;
        }
        long micros = Math.max(1, periodBusyNanos / 1000);
        tickMicros.recordValue(Math.min(micros, 10_000_000));
        ticks.incrementAndGet();
        if (periodLate) {
            deadlineMisses.incrementAndGet();
        }
        periodBusyNanos = 0;
        periodRan = false;
        periodLate = false;
    }

    /** Tick durations since the previous call, merged into a running total that is returned. */
    public synchronized Histogram tickHistogram() {
        tickTotal.add(tickMicros.getIntervalHistogram());
        return tickTotal.copy();
    }

    /** Forgets tick timings gathered so far (benchmarks call this after warm-up). */
    public synchronized void resetTickStats() {
        tickMicros.getIntervalHistogram();
        tickTotal.reset();
        ticks.set(0);
        deadlineMisses.set(0);
    }

    public long ticks() {
        return ticks.get();
    }

    public long deadlineMisses() {
        return deadlineMisses.get();
    }

    public long packetsHandled() {
        return packetsHandled.get();
    }

    public long packetsDropped() {
        return packetsDropped.get() + oversizeDropped.get();
    }

    /** Packets dropped because their sender already had its share of the inbound queue waiting. */
    /** Packets dropped because no pooled buffer was free. */
    public long poolEmptyDropped() {
        return poolEmptyDropped.get();
    }

    /** Packets dropped because the inbound queue was full. */
    public long queueFullDropped() {
        return queueFullDropped.get();
    }

    /** Datagrams larger than the datagram limit, dropped before queueing. */
    public long oversizeDropped() {
        return oversizeDropped.get();
    }

    /** RTP that waited in the inbound queue longer than -Dduet.mixer.stale-packet-ms (a starved loop), dropped unhandled. */
    public long staleDropped() {
        return staleDropped.get();
    }

    public long shareDropped() {
        return shareDropped.get();
    }

    public long handlerErrors() {
        return handlerErrors.get();
    }

    public long tickNanos() {
        return tickNanos;
    }

    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
