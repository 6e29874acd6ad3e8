package org.duet.mixer.sim;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import org.duet.mixer.backing.BackingPlayer;
import org.duet.mixer.clock.ServerClock;
import org.duet.mixer.config.DuetConfig;
import org.duet.mixer.format.MediaFormat;
import org.duet.mixer.opus.OpusCodecs;
import org.duet.mixer.opus.OpusDecoder;
import org.duet.mixer.record.TakeInfo;
import org.duet.mixer.record.TakeStore;
import org.duet.mixer.record.TakeWriter;
import org.duet.mixer.rtp.RtpDropReason;
import org.duet.mixer.rtp.RtpPacket;
import org.duet.mixer.session.MediaFactory;
import org.duet.mixer.session.ParticipantMedia;
import org.duet.mixer.session.RoomMedia;
import org.duet.mixer.sync.LatencyCalibration;
import org.duet.mixer.sync.Metronome;
import org.duet.mixer.sync.SyncMode;
import org.duet.mixer.sync.SyncState;
import org.duet.mixer.transport.PacketReceiver;
import org.duet.mixer.transport.PacketTransport;

/**
 * The #13 duet in simulated time: the real room media engine ({@link RoomMedia}: jitter buffers,
 * Opus, capture clocks, clock-offset estimation, calibration, sync modes, metronome, mix-minus,
 * listener mix) between two {@link SimSinger}s behind impaired paths and one listener, driven by
 * an event queue instead of a wall clock. Every tick, packet and clap happens at an exact
 * simulated instant, so a run gives the same figures on an idle laptop and on a loaded CI machine,
 * and a minute of duet takes a few seconds of CPU.
 *
 * <p>The run: both singers join (calibrated automatically at join, as browsers are); then the
 * metronome plays in leader/follower mode (A leads), then in live mode. What the listener
 * received is decoded and searched for the beat and each singer's claps (matched filters, see
 * {@link BurstFinder}); see {@link Result} for what is measured.
 */
public final class SimulatedDuet {

    /**
     * The scenario: the two singers, the tempo, how long each phase measures, and the seed of the
     * mixer's own randomness (SSRCs, first sequence numbers and timestamps, RTCP report times), which
     * moves where its reports and the singers' packets fall against its ticks.
     */
    public record Scenario(SimSinger.Profile a, SimSinger.Profile b, double bpm, int leaderFollowerSeconds,
                           int liveSeconds, long mixerSeed) {

        /** With mixer seed 1. */
        public Scenario(SimSinger.Profile a, SimSinger.Profile b, double bpm, int leaderFollowerSeconds,
                        int liveSeconds) {
            this(a, b, bpm, leaderFollowerSeconds, liveSeconds, 1);
        }

        public Scenario withMixerSeed(long seed) {
            return new Scenario(a, b, bpm, leaderFollowerSeconds, liveSeconds, seed);
        }
    }

    /**
     * What a run measured.
     *
     * @param leaderFollowerErrorsMs per beat heard by listeners in leader/follower mode: |A - beat|,
     *                               |B - beat|, |A - B|
     * @param liveErrorsMs           per pair of claps in live mode: how differently A's and B's
     *                               claps sit in the listener mix relative to when they were captured
     * @param calibratedAfterMs      when each singer's calibration at join was done, after joining
     */
    public record Result(double[] leaderFollowerErrorsMs, int beatsMissingAClapOrB, double[] liveErrorsMs,
                         double[] calibratedAfterMs, double[] loopMs, String diagnostics) {

        public double leaderFollowerP95Ms() {
            return p95(leaderFollowerErrorsMs);
        }

        public double liveP95Ms() {
            return p95(liveErrorsMs);
        }
    }

    private static final long MS = 1_000_000L;
    private static final double TO_SAMPLES = 48_000 / 1e9;

    private record Event(long at, long order, Runnable action) {
    }

    private final PriorityQueue<Event> queue = new PriorityQueue<>((x, y) -> x.at != y.at ? Long.compare(x.at, y.at)
            : Long.compare(x.order, y.order));
    private long order;
    private long now;
    private final long t0;
    private final ServerClock clock;
    private final RoomMedia room;
    private final List<Runnable> commands = new ArrayList<>();
    private final Scenario scenario;
    private final SimSinger a;
    private final SimSinger b;
    private final ParticipantMedia pa;
    private final ParticipantMedia pb;
    // The listener: the decoded mix by sample since its first packet, and each 10 ms frame's capture position.
    private final float[] listened;
    private final long[] framePosition;
    private final OpusDecoder listenerDecoder = OpusCodecs.newDecoder(1);
    private final RtpPacket listenerRtp = new RtpPacket();
    private final short[] pcm = new short[5760];
    private long listenerFirstTs = -1;
    private final int tickSamples;

    private SimulatedDuet(Scenario scenario) {
        this.scenario = scenario;
        int seconds = 20 + scenario.leaderFollowerSeconds() + scenario.liveSeconds() + 8;
        java.util.Random mixerRandom = new java.util.Random(scenario.mixerSeed());
        // Simulated time starts a seeded fraction of a second after a whole second of the Unix clock,
        // so NTP timestamps and their rounding repeat from run to run; and at a positive nanoTime, as on Linux.
        long base = 1_000_000_000_000_000L;
        this.t0 = base - Math.floorMod(base + ServerClock.unixNanosMinusNanoTime(), 1_000_000_000L)
                + mixerRandom.nextLong(1_000_000_000L);
        this.now = t0;
        this.clock = new ServerClock(t0);
        // Adaptation changes encoders from a codec thread at wall-clock moments: off, so runs repeat exactly.
        DuetConfig config = DuetConfig.withOverrides("duet.adapt.enabled = false");
        MediaFactory factory = new MediaFactory(config, clock, mixerRandom);
        this.tickSamples = config.tickSamples();
        this.room = new RoomMedia(clock, factory.newOutput("sim/listeners", null), config.forwardSingleSource(),
                config.raw().getDuration("duet.rtcp.interval").toNanos(), mixerRandom);
        room.listenerMix().setEncoderSource(factory.encoderSource(commands::add));
        this.listened = new float[48_000 * seconds];
        this.framePosition = new long[listened.length / tickSamples + 1];
        this.a = new SimSinger(scenario.a(), t0, seconds);
        this.b = new SimSinger(scenario.b(), t0, seconds);
        MediaFormat format = MediaFormat.opusDefaults();
        this.pa = singer(factory, a, format);
        this.pb = singer(factory, b, format);
        ParticipantMedia listener = new ParticipantMedia("listener", false, new SimTransport((data, rtcp) -> {
            if (!rtcp) {
                listen(data);
            }
        }), format, null, null, room);
        room.add(listener);
    }

    private ParticipantMedia singer(MediaFactory factory, SimSinger s, MediaFormat format) {
        SimTransport t = new SimTransport((data, rtcp) -> {
            long d = s.down.delayOrLoss();
            if (d >= 0) {
                at(now + d, () -> s.receive(now, data, rtcp));
            }
        });
        ParticipantMedia p = new ParticipantMedia(s.profile().id(), true, t, format, factory.newVoiceInput(format),
                factory.newOutput("sim/" + s.profile().id(), format), room);
        factory.attachAdaptation(p, commands::add);
        p.setVoiceLabel(s.profile().id());
        room.add(p);
        return p;
    }

    /**
     * Runs {@code scenario} and measures it. The paths, the singers and the mixer's randomness are
     * seeded and nothing reads a real clock, so a scenario gives the same figures on every run.
     */
    public static Result run(Scenario scenario) {
        return new SimulatedDuet(scenario).runAll();
    }

    /**
     * What a rehearsal take recorded in the simulated duet: the take (its files in
     * {@code takeDir}), the take's start and the backing track's first sample on the server
     * timeline, and where the listener mix put the beat (the singers' mean loop, live mode).
     */
    public record TakeRun(TakeInfo take, Path takeDir, long takeStart, long backingStart, double listenerBeatDelayMs,
                          double[] calibratedAfterMs) {
    }

    /**
     * Both singers join (calibrated at join, as browsers are), then in live mode the backing track
     * {@code backing} plays from its start while a take records for {@code takeSeconds}, into a
     * {@link TakeStore} at {@code takesDir}. The writer runs on its own thread in real time; the
     * simulation waits for it at the end.
     */
    public static TakeRun recordTake(Scenario scenario, Path takesDir, float[] backing, int takeSeconds)
            throws InterruptedException {
        return new SimulatedDuet(scenario).runTake(takesDir, backing, takeSeconds);
    }

    private TakeRun runTake(Path takesDir, float[] track, int takeSeconds) throws InterruptedException {
        scheduleTicks();
        startSinger(a, pa);
        startSinger(b, pb);
        double[] calibratedAfter = join(new StringBuilder());
        BackingPlayer player = new BackingPlayer(track, false);
        long backingStart = clock.toSamples(now) + 48 * 200;
        command(() -> room.setBackingSource(player, 1f));
        command(() -> player.playAt(backingStart, 0));
        runUntil(now + 100 * MS);
        TakeStore store = new TakeStore(takesDir, 10, 1L << 30);
        long takeStart = clock.toSamples(now);
        TakeInfo info;
        try {
            info = store.begin("sim", "sim", System.currentTimeMillis(), takeStart);
        } catch (TakeStore.TakeRefused e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        // The simulation outruns real time: a pool big enough for the whole take.
        TakeWriter writer = TakeWriter.start(store, info, 100 * takeSeconds * 8, t -> { });
        command(() -> room.setRecorder(writer.recorder()));
        runUntil(now + takeSeconds * 1_000L * MS);
        double beatDelay = room.sync().state().listenerBeatDelayMs();
        long end = clock.toSamples(now);
        command(() -> {
            writer.recorder().end(end);
            room.setRecorder(null);
        });
        runUntil(now + 50 * MS);
        boolean closed = writer.await(60_000);
        room.closeAll();
        a.close();
        b.close();
        listenerDecoder.close();
        if (!closed) {
            throw new IllegalStateException("the take writer did not finish within 60 s");
        }
        return new TakeRun(writer.info(), store.dir().resolve(info.id()), takeStart, backingStart, beatDelay,
                calibratedAfter);
    }

    private Result runAll() {
        StringBuilder diag = new StringBuilder();
        scheduleTicks();
        startSinger(a, pa);
        startSinger(b, pb);
        double[] calibratedAfter = join(diag);
        SyncState joined = room.sync().state();
        diag.append("after join: ").append(joined).append('\n');

        // 2. Leader/follower with the metronome: A leads, B follows.
        long lfStart = now;
        command(() -> room.setSyncMode(SyncMode.LEADER_FOLLOWER, "a"));
        command(() -> room.setMetronome(new Metronome(scenario.bpm(), 4, false, 0)));
        runUntil(now + 3_000 * MS); // the follower hears the beat; outputs settle on their delays
        int lfFrom = listenedThrough();
        runUntil(now + scenario.leaderFollowerSeconds() * 1_000L * MS);
        int lfTo = listenedThrough();
        diag.append("leader/follower: ").append(room.sync().state()).append('\n');

        // 3. Live, same beat.
        command(() -> room.setSyncMode(SyncMode.LIVE, null));
        runUntil(now + 2_000 * MS);
        int liveFrom = listenedThrough();
        runUntil(now + scenario.liveSeconds() * 1_000L * MS);
        int liveTo = listenedThrough();
        diag.append(String.format(java.util.Locale.ROOT,
                "a: %d claps, %d clicks heard, %d late packets, %d late claps, clock %s%n"
                        + "b: %d claps, %d clicks heard, %d late packets, %d late claps, clock %s%n"
                        + "phases from %.1f s: leader/follower %.1f s, live %.1f s%n",
                a.claps().size(), a.heardClicks().size(), a.latePackets(), a.lateClaps(), pa.input().clockSync().snapshot(),
                b.claps().size(), b.heardClicks().size(), b.latePackets(), b.lateClaps(), pb.input().clockSync().snapshot(),
                (lfStart - t0) / 1e9, (lfTo - lfFrom) / 48_000.0, (liveTo - liveFrom) / 48_000.0));

        List<Double> lf = new ArrayList<>();
        int missing = leaderFollowerErrors(lfFrom, lfTo, lf);
        double[] live = liveErrors(liveFrom, liveTo);
        double[] loops = {calibration("a").loopMs(), calibration("b").loopMs()};
        room.closeAll();
        a.close();
        b.close();
        listenerDecoder.close();
        return new Result(lf.stream().mapToDouble(Double::doubleValue).toArray(), missing, live, calibratedAfter, loops,
                diag.toString());
    }

    /** 1. Join: both singers are calibrated automatically (together); waits up to 20 s. */
    private double[] join(StringBuilder diag) {
        double[] calibratedAfter = {Double.NaN, Double.NaN};
        String[] lastMessage = new String[2];
        long joinDeadline = t0 + 20_000 * MS;
        while (now < joinDeadline && (Double.isNaN(calibratedAfter[0]) || Double.isNaN(calibratedAfter[1]))) {
            runUntil(now + 10 * MS);
            for (int i = 0; i < 2; i++) {
                LatencyCalibration.Outcome o = calibration(i == 0 ? "a" : "b");
                if (o.state() == LatencyCalibration.State.FAILED && !o.message().equals(lastMessage[i])) {
                    lastMessage[i] = o.message();
                    diag.append(String.format(java.util.Locale.ROOT, "%s failed at %.2f s: %s%n", i == 0 ? "a" : "b",
                            (now - t0) / 1e9, o.message()));
                }
                if (Double.isNaN(calibratedAfter[i]) && calibration(i == 0 ? "a" : "b").state()
                        == LatencyCalibration.State.DONE) {
                    calibratedAfter[i] = (now - t0) / 1e6;
                }
            }
        }
        return calibratedAfter;
    }

    // ---- the event loop ----

    private void at(long time, Runnable action) {
        queue.add(new Event(time, order++, action));
    }

    private void runUntil(long end) {
        while (!queue.isEmpty() && queue.peek().at <= end) {
            Event e = queue.poll();
            now = e.at;
            e.action.run();
        }
        now = end;
    }

    /** A change from signaling: runs on the loop before its next tick. */
    private void command(Runnable r) {
        commands.add(r);
    }

    private void scheduleTicks() {
        long tickNanos = ServerClock.samplesToNanos(tickSamples);
        Runnable[] tick = new Runnable[1];
        tick[0] = () -> {
            for (int i = 0; i < commands.size(); i++) { // a command may queue another
                commands.get(i).run();
            }
            commands.clear();
            room.tick(now);
            at(now + Math.max(tickNanos, room.tickPeriodNanos()), tick[0]); // a room tick may cover several loop ticks
        };
        at(t0 + tickNanos, tick[0]);
    }

    private void startSinger(SimSinger s, ParticipantMedia p) {
        Runnable[] frame = new Runnable[1];
        frame[0] = () -> {
            s.listen(now);
            byte[] packet = s.captureFrame();
            if (packet == null) {
                return;
            }
            long d = s.up.delayOrLoss();
            if (d >= 0) {
                at(now + d, () -> p.handlePacket(packet, 0, packet.length, false, now));
            }
            at(s.nextFrameEnd(), frame[0]);
        };
        at(s.nextFrameEnd(), frame[0]);
        Runnable[] ear = new Runnable[1];
        ear[0] = () -> {
            s.listen(now);
            at(now + MS, ear[0]);
        };
        at(t0 + MS, ear[0]);
        Runnable[] report = new Runnable[1];
        report[0] = () -> {
            byte[] sr = s.senderReport(now);
            long d = s.up.delayOrLoss();
            if (d >= 0) {
                at(now + d, () -> p.handlePacket(sr, 0, sr.length, true, now));
            }
            at(now + s.reportInterval(), report[0]);
        };
        at(t0 + s.reportInterval(), report[0]);
        if (s.profile().clockPings()) {
            Runnable[] ping = new Runnable[1];
            ping[0] = () -> ping(s, p);
            at(t0 + 100 * MS, ping[0]);
        }
    }

    /**
     * The page's clock ping over the signaling WebSocket (reliable: delayed like the path, never
     * lost): four a second for 10 s, then two a second (as {@code sync.js}).
     */
    private void ping(SimSinger s, ParticipantMedia p) {
        long t1 = s.senderUnixNanos(now);
        long t2 = now + s.up.delayNanos();
        long t3 = t2 + 50_000;
        long back = t3 + s.down.delayNanos();
        long t4 = s.senderUnixNanos(back);
        at(back + s.up.delayNanos(), () -> p.input().clockSync().onPing(t1, t2, t3, t4, now));
        long next = now - t0 < 10_000 * MS ? 250 * MS : 500 * MS;
        at(now + next, () -> ping(s, p));
    }

    private LatencyCalibration.Outcome calibration(String id) {
        for (SyncState.SingerSync s : room.sync().state().singers()) {
            if (s.id().equals(id)) {
                return s.calibration();
            }
        }
        throw new IllegalStateException("no singer " + id);
    }

    // ---- the listener ----

    private void listen(byte[] data) {
        if (listenerRtp.parse(data, 0, data.length) != RtpDropReason.NONE) {
            return;
        }
        if (listenerFirstTs < 0) {
            listenerFirstTs = listenerRtp.timestamp();
        }
        long k = (listenerRtp.timestamp() - listenerFirstTs) & 0xFFFF_FFFFL;
        int n = listenerDecoder.decode(data, listenerRtp.payloadOffset(), listenerRtp.payloadLength(), pcm, 0,
                pcm.length);
        if (k + n > listened.length || n <= 0) {
            return;
        }
        for (int i = 0; i < n; i++) {
            listened[(int) k + i] = pcm[i] / 32768f;
        }
        // The frame read at this tick's position: where its samples were captured (server samples).
        framePosition[(int) (k / tickSamples)] = room.listenerMix().lastReadPosition();
        listenedEnd = Math.max(listenedEnd, k + n);
    }

    private long listenedEnd;

    private int listenedThrough() {
        return (int) listenedEnd;
    }

    // ---- analysis ----

    private static final double BEAT_AMPLITUDE = 0.25;
    private static final double CLAP_AMPLITUDE = SimSinger.CLAP_AMPLITUDE * 0.4;

    private int leaderFollowerErrors(int from, int to, List<Double> errors) {
        BurstFinder beat = new BurstFinder(Metronome.BEAT_HZ, Metronome.CLICK_SAMPLES, false);
        double[] beats = findAll(beat, from, to, BEAT_AMPLITUDE);
        double[] clapsA = findAll(clapFinder(a), from, to, CLAP_AMPLITUDE);
        double[] clapsB = findAll(clapFinder(b), from, to, CLAP_AMPLITUDE);
        int missing = 0;
        for (double k : beats) {
            double ca = nearest(clapsA, k);
            double cb = nearest(clapsB, k);
            if (Math.abs(ca - k) > 48 * 50 || Math.abs(cb - k) > 48 * 50) {
                missing++; // a clap lost with its packet (2 % on B's path), or not found
                continue;
            }
            errors.add(Math.abs(ca - k) / 48);
            errors.add(Math.abs(cb - k) / 48);
            errors.add(Math.abs(cb - ca) / 48);
        }
        return missing;
    }

    private double[] liveErrors(int from, int to) {
        double[] ea = placementErrors(a, from, to);
        double[] eb = placementErrors(b, from, to);
        List<Double> out = new ArrayList<>();
        // Pair each of B's claps with A's clap on the same beat (captured nearest in time).
        for (int j = 0; j < eb.length; j += 2) {
            int best = -1;
            for (int i = 0; i < ea.length; i += 2) {
                if (best < 0 || Math.abs(ea[i + 1] - eb[j + 1]) < Math.abs(ea[best + 1] - eb[j + 1])) {
                    best = i;
                }
            }
            if (best >= 0 && Math.abs(ea[best + 1] - eb[j + 1]) < 48 * 300) {
                out.add(Math.abs(eb[j] - ea[best]) / 48);
            }
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /**
     * For each clap of {@code s} in the listener mix: (its capture position as the mix placed it
     * minus when it was truly captured, in samples; the true capture position), pairs flattened.
     */
    private double[] placementErrors(SimSinger s, int from, int to) {
        double[] found = findAll(clapFinder(s), from, to, CLAP_AMPLITUDE);
        double[] truth = s.claps().stream().mapToDouble(c -> (c - t0) * TO_SAMPLES).toArray();
        double[] out = new double[found.length * 2];
        int n = 0;
        for (double x : found) {
            int frameIndex = (int) (x / tickSamples);
            double placed = framePosition[frameIndex] + (x - (long) frameIndex * tickSamples);
            double t = nearest(truth, placed);
            if (Math.abs(placed - t) < 48 * 300) { // the codecs and the read delay: well under 300 ms
                out[n++] = placed - t;
                out[n++] = t;
            }
        }
        return Arrays.copyOf(out, n);
    }

    private static BurstFinder clapFinder(SimSinger s) {
        return new BurstFinder(s.profile().clapHz(), SimSinger.CLAP_SAMPLES, true);
    }

    /** Every burst {@code f} finds in the listener's audio between {@code from} and {@code to}. */
    private double[] findAll(BurstFinder f, int from, int to, double minAmplitude) {
        List<Double> out = new ArrayList<>();
        int i = from + f.length();
        while (i < to - 2 * f.length()) {
            if (Math.abs(listened[i]) < 0.02f) {
                i++;
                continue;
            }
            BurstFinder.Found found = f.find(listened, i - f.length() - 4, Math.min(to - f.length(), i + 480),
                    minAmplitude);
            if (found == null) {
                i += 240;
                continue;
            }
            out.add(found.onset());
            i = (int) found.onset() + 48 * 100;
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static double nearest(double[] xs, double x) {
        double best = Double.POSITIVE_INFINITY;
        for (double v : xs) {
            if (Math.abs(v - x) < Math.abs(best - x)) {
                best = v;
            }
        }
        return best;
    }

    static double p95(double[] xs) {
        if (xs.length == 0) {
            return Double.NaN;
        }
        double[] s = xs.clone();
        Arrays.sort(s);
        return s[(int) Math.min(s.length - 1, Math.round(0.95 * (s.length - 1)))];
    }

    /** A participant's transport inside the simulation: what the mixer sends goes to {@code sink}. */
    private static final class SimTransport implements PacketTransport {
        interface Sink {
            void accept(byte[] data, boolean rtcp);
        }

        private final Sink sink;

        SimTransport(Sink sink) {
            this.sink = sink;
        }

        @Override
        public void sendRtp(byte[] buf, int off, int len) {
            sink.accept(Arrays.copyOfRange(buf, off, off + len), false);
        }

        @Override
        public void sendRtcp(byte[] buf, int off, int len) {
            sink.accept(Arrays.copyOfRange(buf, off, off + len), true);
        }

        @Override
        public void setReceiver(PacketReceiver receiver) {
            // packets reach the participant's media directly, at their simulated arrival
        }

        @Override
        public String describe() {
            return "simulated path";
        }

        @Override
        public void close() {
            // nothing to release
        }
    }
}
