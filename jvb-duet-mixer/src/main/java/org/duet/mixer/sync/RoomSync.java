package org.duet.mixer.sync;

import java.util.ArrayList;
import java.util.List;
import org.duet.mixer.clock.ServerClock;
import org.duet.mixer.input.VoiceInput;
import org.duet.mixer.mix.MixSource;
import org.duet.mixer.output.MixOutput;

/**
 * A room's timing plan on its media loop: the sync mode, who leads, the beat, each singer's
 * latency calibration, and the shifts that follow from them. The room's mix plan asks it which
 * voice and beat sources each output reads ({@link #voiceFor}, {@link #addBeats}); every tick it
 * runs calibrations and keeps the shifts current ({@link #tick}).
 *
 * <p>Leader/follower, with L and F the leader's and follower's calibrated loops (content on the
 * capture timeline -> their voice captured), for beat k:
 * <pre>
 *   leader hears beat k, sings it:          leader voice captured at  k + L
 *   follower's mix: leader at q, beat at q - L   (together, as the leader performed them)
 *   follower sings along:                   follower voice captured at k + L + F
 *   listener mix at q: leader at q, beat at q - L, follower at q + F   -> all three at k + L
 * </pre>
 * The leader does not hear the follower (it would reach them a whole loop late). In live mode
 * every singer hears everyone as early as possible and the listener mix reads every voice at
 * the same capture position; the beat sits at the singers' mean loop there, where their voices
 * are.
 *
 * <p>Owned by the media loop thread; {@link #state()} may be read from any thread.
 */
public final class RoomSync {

    /** Calibration at join starts once the singer's voice has been live this long. */
    private static final long AUTO_CALIBRATE_AFTER_SAMPLES = 48 * 300;
    /** The first click sits this far ahead of the tick, so the singer's mix has not read past it. */
    private static final long CLICK_LEAD_SAMPLES = 48 * 100;
    /**
     * A singer whose mix was forwarding their partner's packets hears the mix this long before the
     * clicks start: their browser's jitter buffer re-settles on the mixed stream's timing first, so
     * the loop measured is the one they will have while the mix plays the beat.
     */
    private static final long PLAYOUT_SETTLE_SAMPLES = 48 * 1_500;
    /**
     * A calibration at join that was refused is tried again after the singer heard their normal mix
     * this long: a receiver's jitter buffer still settling on the stream (time-stretching its
     * playout) spreads the clicks, and it has settled by then.
     */
    private static final long RETRY_SETTLE_SAMPLES = 48 * 2_000;
    /**
     * A calibration whose clicks the mix could not send (a starved media loop skipped their ticks)
     * is our failure, not the singer's: it is tried again (once: meanwhile the singer hears no partner),
     * half a second later.
     */
    private static final int FELL_BEHIND_RETRIES = 1;
    private static final long FELL_BEHIND_RETRY_SAMPLES = 48 * 500;
    /** The beat starts this far ahead, so every mix hears its first click whole. */
    private static final long BEAT_LEAD_SAMPLES = 48 * 300;

    private static final class Singer {
        final String id;
        final VoiceInput input;
        final MixOutput output;
        final LatencyCalibration calibration = new LatencyCalibration();
        final ReadDelayHistory reads;
        final FollowerVoice forListener;
        long liveSince = Long.MIN_VALUE;
        long lastForwarded = Long.MIN_VALUE;
        boolean calibrationWanted; // automatic at join
        int autoRetries = 1;
        int fellBehindRetries = FELL_BEHIND_RETRIES;
        long retryNotBefore = Long.MIN_VALUE;

        Singer(String id, VoiceInput input, MixOutput output, boolean calibrateAtJoin, int tickSamples) {
            this.id = id;
            this.calibrationWanted = calibrateAtJoin;
            this.input = input;
            this.output = output;
            this.reads = new ReadDelayHistory(tickSamples);
            this.forListener = new FollowerVoice(input, reads);
        }
    }

    private final List<Singer> singers = new ArrayList<>();
    private final int tickSamples;
    private SyncMode mode = SyncMode.LIVE;
    private String leaderId;
    private Metronome metronome;
    private MixSource backing;
    private final List<ShiftedSource> leaderDelayedBeats = new ArrayList<>();
    private final List<ShiftedSource> listenerBeats = new ArrayList<>();
    private volatile long listenerBeatShift;
    /** The metronome as the listener mix hears it, for a take's metronome track. */
    private final ShiftedSource recordedMetronome = new ShiftedSource(new MetronomeView());
    /** The backing track as the listener mix hears it, for a take's backing track. */
    private MixSource recordedBackingInner;
    private final ShiftedSource recordedBacking = new ShiftedSource(new BackingView());
    private long followerBeatShift;
    private volatile Published published = new Published(SyncMode.LIVE, null, null, List.of());

    /** What {@link #state()} is built from: set on the loop on every change, read by any thread. */
    private record Published(SyncMode mode, String leaderId, SyncState.Beat beat, List<Singer> singers) {
    }

    public RoomSync(int tickSamples) {
        this.tickSamples = tickSamples;
    }

    // ---- changes (commands on the loop) ----

    /**
     * @param calibrateAtJoin calibrate as soon as the voice is live (browsers: a person with a page
     *                        that explains the clicks); otherwise only on request
     */
    public void addSinger(String id, VoiceInput input, MixOutput output, boolean calibrateAtJoin) {
        singers.add(new Singer(id, input, output, calibrateAtJoin, tickSamples));
        publish();
    }

    public void removeSinger(String id) {
        singers.removeIf(s -> s.id.equals(id));
        if (id.equals(leaderId)) {
            leaderId = null;
        }
        publish();
    }

    /** Switches mode; {@code leader} is a singer id (null: keep the current leader, or the first singer). */
    public void setMode(SyncMode newMode, String leader) {
        mode = newMode;
        if (leader != null) {
            leaderId = leader;
        }
        publish();
    }

    /** Starts the metronome {@link #BEAT_LEAD_SAMPLES} after {@code tickPosition} (null stops it). */
    public void setMetronome(Metronome m, long tickPosition) {
        if (m != null) {
            m.startAt(tickPosition + BEAT_LEAD_SAMPLES);
        }
        metronome = m;
        publish();
    }

    /** Position at which a newly started beat (metronome or backing track) begins. */
    public static long beatStart(long tickPosition) {
        return tickPosition + BEAT_LEAD_SAMPLES;
    }

    /** Asks for a calibration of {@code id} (it starts once that singer's voice and clock are ready). */
    public boolean requestCalibration(String id) {
        for (Singer s : singers) {
            if (s.id.equals(id)) {
                s.calibrationWanted = true;
                s.autoRetries = 0; // asked for from the page: the singer sees the verdict
                s.fellBehindRetries = FELL_BEHIND_RETRIES;
                s.retryNotBefore = Long.MIN_VALUE;
                return true;
            }
        }
        return false;
    }

    // ---- the mix plan ----

    /**
     * The source through which output {@code ownerId} (null: the listener mix) reads voice
     * {@code voiceId}, or null when that output must not hear it.
     */
    public MixSource voiceFor(String ownerId, String voiceId, VoiceInput input) {
        Singer self = ownerId == null ? null : find(ownerId);
        if (self != null && self.calibration.playing()) {
            // A singer being calibrated hears only their clicks: their partner may be calibrated at
            // the same moment, and the partner's clicks or claps coming back in the partner's voice
            // would be a second click train in this singer's returned audio.
            return null;
        }
        if (mode == SyncMode.LEADER_FOLLOWER && leaderId() != null) {
            String leader = leaderId();
            if (ownerId == null) {
                Singer s = find(voiceId);
                return !voiceId.equals(leader) && s != null ? s.forListener : input;
            }
            if (ownerId.equals(leader)) {
                return null; // the follower would reach the leader a whole loop late
            }
        }
        return input;
    }

    /**
     * Adds the beat sources (metronome, backing track) and, for a singer being calibrated, the
     * clicks, to {@code out}'s source list. Returns the new count.
     */
    public int addBeats(String ownerId, MixSource backingTrack, float backingGain, MixSource[] sources, float[] gains,
                        int n) {
        backing = backingTrack;
        Singer self = ownerId == null ? null : find(ownerId);
        if (self != null && self.calibration.playing()) {
            sources[n] = self.calibration.clicks(); // the clicks alone (see voiceFor): no beat either
            gains[n] = 1f;
            return n + 1;
        }
        boolean delayed = mode == SyncMode.LEADER_FOLLOWER && ownerId != null && leaderId() != null
                && !ownerId.equals(leaderId());
        boolean listener = ownerId == null;
        MixSource[] beats = {metronome, backingTrack};
        float[] beatGains = {1f, backingGain};
        for (int i = 0; i < beats.length; i++) {
            if (beats[i] == null) {
                continue;
            }
            MixSource s = beats[i];
            if (delayed || listener) {
                ShiftedSource shifted = new ShiftedSource(beats[i]);
                (listener ? listenerBeats : leaderDelayedBeats).add(shifted);
                shifted.setShift(listener ? listenerBeatShift : followerBeatShift);
                s = shifted;
            }
            sources[n] = s;
            gains[n] = beatGains[i];
            n++;
        }
        return n;
    }

    /**
     * The metronome where the listener mix plays it (shifted as the sync mode puts the beat against
     * the voices), for recording it as its own track; null when no metronome plays.
     */
    public MixSource listenerMetronome() {
        return metronome == null ? null : recordedMetronome;
    }

    /**
     * {@code backingTrack} where the listener mix plays it: shifted like the metronome (by the
     * singers' mean loop in live mode, the leader's in leader/follower), so a take's backing file
     * lines up with its mix file. Null when {@code backingTrack} is null. Loop thread; allocates nothing.
     */
    public MixSource listenerBacking(MixSource backingTrack) {
        recordedBackingInner = backingTrack;
        return backingTrack == null ? null : recordedBacking;
    }

    /** Reads the backing track last given to {@link #listenerBacking}. */
    private final class BackingView implements MixSource {
        @Override
        public long completeThrough(long tickPosition) {
            return Long.MAX_VALUE;
        }

        @Override
        public boolean isStale(long tickPosition) {
            MixSource b = recordedBackingInner;
            return b == null || b.isStale(tickPosition);
        }

        @Override
        public void mixInto(long position, float gain, float[] out, int outOff, int count) {
            MixSource b = recordedBackingInner;
            if (b != null) {
                b.mixInto(position, gain, out, outOff, count);
            }
        }
    }

    /** Reads whichever metronome plays now (the one wrapper outlives metronome restarts). */
    private final class MetronomeView implements MixSource {
        @Override
        public long completeThrough(long tickPosition) {
            return Long.MAX_VALUE;
        }

        @Override
        public boolean isStale(long tickPosition) {
            Metronome m = metronome;
            return m == null || m.isStale(tickPosition);
        }

        @Override
        public void mixInto(long position, float gain, float[] out, int outOff, int count) {
            Metronome m = metronome;
            if (m != null) {
                m.mixInto(position, gain, out, outOff, count);
            }
        }
    }

    /** Most sources {@link #addBeats} adds. */
    public static int maxBeatSources() {
        return 3;
    }

    /** Whether output {@code ownerId} may forward a single voice untouched (no beat, no clicks, live mode). */
    public boolean mayForward(String ownerId) {
        if (metronome != null || mode == SyncMode.LEADER_FOLLOWER) {
            return false; // the follower's loop is measured against a mixed output's read delay
        }
        Singer self = ownerId == null ? null : find(ownerId);
        // A singer waiting for a calibration hears the mix the clicks will be measured on.
        return self == null || !self.calibration.playing() && !self.calibrationWanted;
    }

    /** The plan is about to be rebuilt: wrappers made for the old one are dropped. */
    public void planRebuilding() {
        leaderDelayedBeats.clear();
        listenerBeats.clear();
    }

    // ---- ticks ----

    /**
     * Runs calibrations and updates the shifts. Returns true when the mix plan must be rebuilt
     * (a calibration started or ended: the clicks join or leave a singer's mix).
     */
    public boolean tick(long tickPosition) {
        boolean rebuild = false;
        for (int si = 0; si < singers.size(); si++) { // indexed: no iterator per tick
            Singer s = singers.get(si);
            // the singer's mix does not skip ahead while clicks play into it (PlayoutCursor.holdForwardSteps)
            s.output.cursor().holdForwardSteps(s.calibration.playing());
            if (s.calibration.playing()) {
                MixOutput out = s.output;
                s.calibration.noteSent(out.lastMix(), out.lastReadPosition(), tickSamples, out.cursor().steps(),
                        out.ticksSkipped());
                long finalThrough = s.input.completeThrough(tickPosition);
                if (s.calibration.tick(s.input, finalThrough, tickPosition, readDelay(s, tickPosition),
                        transit(s))) {
                    s.input.clockSync().hold(false);
                    if (s.calibration.state() == LatencyCalibration.State.FAILED && s.calibration.mixerFellBehind()
                            && s.fellBehindRetries > 0) {
                        s.fellBehindRetries--;
                        s.calibrationWanted = true;
                        s.retryNotBefore = tickPosition + FELL_BEHIND_RETRY_SAMPLES;
                    } else if (s.calibration.state() == LatencyCalibration.State.FAILED && s.autoRetries > 0
                            && !s.calibration.notHeardBack()) { // nothing came back: more clicks would not help
                        s.autoRetries--; // at join, try again: a burst of loss or a stalled sender is no verdict
                        s.calibrationWanted = true;
                        s.retryNotBefore = tickPosition + RETRY_SETTLE_SAMPLES;
                    }
                    rebuild = true;
                    publish();
                }
            }
            if (!s.output.isForwarding()) {
                s.reads.record(s.output.lastReadPosition(), readDelay(s, tickPosition));
            }
            if (s.liveSince == Long.MIN_VALUE && !s.input.isStale(tickPosition)) {
                s.liveSince = tickPosition;
            }
            if (s.output.isForwarding()) {
                s.lastForwarded = tickPosition;
                rebuild |= s.calibrationWanted; // asked for while forwarding: switch to the mix now
            }
        }
        if (!rebuild) {
            // Every singer whose voice is ready starts at once, whoever else is being calibrated: each
            // hears only their own clicks (voiceFor, addBeats), so two trains never share a mix, and
            // both singers of a duet joining together are calibrated together.
            for (int si = 0; si < singers.size(); si++) { // indexed: no iterator per tick
                Singer s = singers.get(si);
                if (s.calibrationWanted && s.liveSince != Long.MIN_VALUE
                        && tickPosition - s.liveSince >= AUTO_CALIBRATE_AFTER_SAMPLES
                        && (s.lastForwarded == Long.MIN_VALUE || tickPosition - s.lastForwarded >= PLAYOUT_SETTLE_SAMPLES)
                        && (s.retryNotBefore == Long.MIN_VALUE || tickPosition >= s.retryNotBefore)
                        && s.input.clockSync().settled(ServerClock.samplesToNanos(tickPosition - s.liveSince))) {
                    s.calibrationWanted = false;
                    s.input.clockSync().hold(true); // the voice must not move while the clicks are recorded
                    s.calibration.start(tickPosition + CLICK_LEAD_SAMPLES);
                    rebuild = true;
                    publish();
                }
            }
        }
        updateShifts(tickPosition);
        return rebuild;
    }

    private void updateShifts(long tickPosition) {
        long listenerBeat = 0;
        long followerBeat = 0;
        String leader = leaderId();
        if (mode == SyncMode.LEADER_FOLLOWER && leader != null) {
            Singer l = find(leader);
            long leaderLoop = l != null && l.calibration.calibrated()
                    ? Math.round(l.calibration.loopSamples(readDelay(l, tickPosition), transit(l))) : 0;
            listenerBeat = -leaderLoop;
            followerBeat = -leaderLoop;
            for (int si = 0; si < singers.size(); si++) { // indexed: no iterator per tick
                Singer s = singers.get(si);
                if (!s.id.equals(leader) && s.calibration.calibrated()) {
                    // The round trip now; the read delay as it was when their mix read what they sang to.
                    s.forListener.follow(Math.round(s.calibration.loopSamples(0, transit(s))),
                            readDelay(s, tickPosition));
                } else {
                    s.forListener.unshifted();
                }
            }
        } else {
            double sum = 0;
            int n = 0;
            for (int si = 0; si < singers.size(); si++) { // indexed: no iterator per tick
                Singer s = singers.get(si);
                s.forListener.unshifted();
                if (s.calibration.calibrated()) {
                    sum += s.calibration.loopSamples(readDelay(s, tickPosition), transit(s));
                    n++;
                }
            }
            listenerBeat = n == 0 ? 0 : -Math.round(sum / n);
        }
        listenerBeatShift = listenerBeat;
        recordedMetronome.setShift(listenerBeat);
        recordedBacking.setShift(listenerBeat);
        followerBeatShift = followerBeat;
        for (int bi = 0; bi < listenerBeats.size(); bi++) {
            ShiftedSource s = listenerBeats.get(bi);
            s.setShift(listenerBeat);
        }
        for (int bi = 0; bi < leaderDelayedBeats.size(); bi++) {
            ShiftedSource s = leaderDelayedBeats.get(bi);
            s.setShift(followerBeat);
        }
    }

    private static long transit(Singer s) {
        return ServerClock.nanosToSamples(s.input.transitNanos());
    }

    private long readDelay(Singer s, long tickPosition) {
        if (s.output.isForwarding()) {
            return s.calibration.mixDelayAtCalibration(); // not reading the timeline: keep the loop as measured
        }
        // by the stream's media time, not the tick's: a move of the room's tick phase is no change in
        // what the singer hears (see MixOutput.streamReadDelay)
        return Math.max(0, s.output.streamReadDelay());
    }

    // ---- state ----

    private String leaderId() {
        if (leaderId != null && find(leaderId) != null) {
            return leaderId;
        }
        return singers.isEmpty() ? null : singers.get(0).id;
    }

    private Singer find(String id) {
        for (int i = 0; i < singers.size(); i++) { // indexed: runs every tick, no iterator
            Singer s = singers.get(i);
            if (s.id.equals(id)) {
                return s;
            }
        }
        return null;
    }

    public SyncMode mode() {
        return mode;
    }

    /** The current plan, for signaling and the control API (any thread; allocates, so not per tick). */
    public SyncState state() {
        Published p = published;
        List<SyncState.SingerSync> list = new ArrayList<>();
        for (Singer s : p.singers()) {
            boolean leads = s.id.equals(p.leaderId());
            String role = p.mode() == SyncMode.LIVE ? "live" : leads ? "leader" : "follower";
            double correction = p.mode() == SyncMode.LEADER_FOLLOWER && !leads ? s.forListener.shift() / 48.0 : 0;
            list.add(new SyncState.SingerSync(s.id, role, s.calibration.outcome(), correction));
        }
        return new SyncState(p.mode(), p.leaderId(), p.beat(), listenerBeatShift / -48.0, List.copyOf(list));
    }

    /** Re-publishes the plan after a change (mode, leader, beat, singers, a calibration step). */
    private void publish() {
        Metronome m = metronome;
        published = new Published(mode, leaderId(), m == null ? null : new SyncState.Beat("metronome", m.bpm(),
                m.beatsPerBar(), m.accent(), m.countInBars()), List.copyOf(singers));
    }
}
