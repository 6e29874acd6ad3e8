package org.duet.mixer.session;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.duet.mixer.clock.ServerClock;
import org.duet.mixer.engine.LoopTask;
import org.duet.mixer.mix.BackingTrack;
import org.duet.mixer.mix.MixSource;
import org.duet.mixer.output.MixOutput;
import org.duet.mixer.output.MixTap;
import org.duet.mixer.output.OutputSubscriber;
import org.duet.mixer.record.TakeRecorder;
import org.duet.mixer.rtp.RtpPacket;
import org.duet.mixer.sync.Metronome;
import org.duet.mixer.sync.RoomSync;
import org.duet.mixer.sync.SyncMode;

/**
 * A room's media state on its media loop: who sings, who listens, and the mix plan that says
 * which sources each output reads. The plan is rebuilt whenever the room changes (join, leave,
 * gain, backing track) and then used unchanged by every tick.
 *
 * <p>Mix-minus is by construction: a singer's output is simply never given that singer's voice.
 */
public final class RoomMedia implements LoopTask {

    private final ServerClock clock;
    private final boolean forwardSingleSource;
    private final long rtcpIntervalNanos;
    private final MixOutput listenerMix;
    private final List<ParticipantMedia> participants = new ArrayList<>();
    private ParticipantMedia[] singers = new ParticipantMedia[0];
    private ParticipantMedia[] everyone = new ParticipantMedia[0];
    private MixOutput[] outputs = new MixOutput[0];
    private MixSource backing;
    private float backingGain;
    // Rehearsal: the listeners' balance (set by the singers) and the take being recorded.
    private Map<String, Float> listenerVoiceLevels = Map.of();
    private float listenerBackingLevel = 1f;
    private TakeRecorder recorder;
    private int tapSamples = 480;
    private final MixTap recordTap = this::recordListenerMix;
    /** Mode, leader, beat, calibrations: which source each output reads, and how shifted. */
    private final RoomSync sync;
    private float[] echoScratch;
    /** Feedback loops between the two singers, measured leg by leg and cut before they howl. */
    private final org.duet.mixer.echo.LoopGainGuard loopGuard = new org.duet.mixer.echo.LoopGainGuard();
    /** Where in the tick period this room ticks (-1: the loop's own phase until voices arrive). */
    private long tickPhaseNanos = -1;
    /** Loop ticks per room tick: the limiting voice's packet length (2 for 20 ms packets at a 10 ms tick). */
    private int subTicks = 1;
    private int ticksSincePhaseCheck;
    private long lastWantedPhase = -1;
    private long lastWantedPeriod = -1;
    private final java.util.random.RandomGenerator random;
    /** The latest tick's time: where "now" is on the timeline for changes made between ticks. */
    private long lastTickNanos = Long.MIN_VALUE;

    public RoomMedia(ServerClock clock, MixOutput listenerMix, boolean forwardSingleSource, long rtcpIntervalNanos) {
        this(clock, listenerMix, forwardSingleSource, rtcpIntervalNanos, org.duet.mixer.rtp.RtpRandomness.perThread());
    }

    /** @param random the participants' RTP randomness (receiver SSRCs, report intervals; see RtpRandomness) */
    public RoomMedia(ServerClock clock, MixOutput listenerMix, boolean forwardSingleSource, long rtcpIntervalNanos,
                     java.util.random.RandomGenerator random) {
        this.random = random;
        this.clock = clock;
        this.listenerMix = listenerMix;
        this.forwardSingleSource = forwardSingleSource;
        this.rtcpIntervalNanos = rtcpIntervalNanos;
        this.sync = new RoomSync(listenerMix.tickSamples());
        this.echoScratch = new float[listenerMix.tickSamples()];
    }

    // ---- changes, run as commands on the loop thread ----

    public void add(ParticipantMedia p) {
        participants.add(p);
        if (!p.singer) {
            p.output = listenerMix;
        } else {
            sync.addSinger(p.id, p.input, p.output, p.transport.calibrateAtJoin());
        }
        rebuildPlan();
        // A receiver that negotiated stereo gets its mix from a stereo encoder class from the start
        // (a singer's own output was built stereo; a listener joins the shared mix's stereo lane).
        org.duet.mixer.opus.OpusSettings start = p.adaptation != null ? p.adaptation.current() : p.joinSettings;
        if (start != null && start.channels() == 2 && p.output != null) {
            p.output.setSubscriberSettings(p.subscriber, start);
        }
    }

    public void remove(ParticipantMedia p) {
        if (participants.remove(p)) {
            if (p.singer) {
                sync.removeSinger(p.id);
            }
            if (p.singer && p.output != null) {
                p.output.close();
            }
            rebuildPlan();
        }
    }

    public void setBackingTrack(BackingTrack track, float gain) {
        if (track != null) {
            track.startAt(nowPosition());
        }
        backing = track;
        backingGain = gain;
        rebuildPlan();
    }

    /** Any backing source (rehearsal's player; null: none) at {@code level} in every mix. */
    public void setBackingSource(MixSource source, float level) {
        backing = source;
        backingGain = level;
        rebuildPlan();
    }

    /** A singer's own ear: the other singers at {@code partner}, the backing track at {@code backingLevel}. */
    public void setMonitor(ParticipantMedia p, float partner, float backingLevel) {
        p.monitorPartner = partner;
        p.monitorBacking = backingLevel;
        rebuildPlan();
    }

    /** The listeners' shared mix: each singer's level by role label ("a"; missing: 1), and the backing track's. */
    public void setListenerBalance(Map<String, Float> voiceLevels, float backingLevel) {
        listenerVoiceLevels = new HashMap<>(voiceLevels);
        listenerBackingLevel = backingLevel;
        rebuildPlan();
    }

    /** Starts (non-null) or stops feeding a take; the listener mix keeps mixing while one records. */
    public void setRecorder(TakeRecorder r) {
        recorder = r;
        listenerMix.setTap(r == null ? null : recordTap);
        rebuildPlan();
    }

    public void setGain(ParticipantMedia p, float gain) {
        p.gain = gain;
        rebuildPlan();
    }

    public MixOutput listenerMix() {
        return listenerMix;
    }

    /** Gives {@code p} the encoder settings its adaptation chose (a forwarded voice stays untouched). */
    void adapt(ParticipantMedia p, org.duet.mixer.opus.OpusSettings settings) {
        if (p.output != null && participants.contains(p)) {
            p.output.setSubscriberSettings(p.subscriber, settings);
        }
    }

    /** The room's timing plan (mode, beat, calibrations). */
    public RoomSync sync() {
        return sync;
    }

    /** Switches the sync mode (leader: a singer id, or null to keep the current one). */
    public void setSyncMode(SyncMode mode, String leaderId) {
        sync.setMode(mode, leaderId);
        rebuildPlan();
    }

    /** Starts (or, with null, stops) the metronome on the capture timeline. */
    public void setMetronome(Metronome metronome) {
        sync.setMetronome(metronome, nowPosition());
        rebuildPlan();
    }

    /** Restarts the backing track as the beat, a moment ahead on the capture timeline. */
    public void restartBackingTrack() {
        if (backing instanceof BackingTrack track) { // a rehearsal player schedules itself
            track.startAt(RoomSync.beatStart(nowPosition()));
        }
    }

    /** The timeline position of the latest tick (the loop's clock, not the wall clock: simulations run ahead of it). */
    private long nowPosition() {
        return clock.toSamples(lastTickNanos == Long.MIN_VALUE ? System.nanoTime() : lastTickNanos);
    }

    long clockPosition(long nanos) {
        return clock.toSamples(nanos);
    }

    private void rebuildPlan() {
        sync.planRebuilding();
        List<ParticipantMedia> singerList = new ArrayList<>();
        List<OutputSubscriber> listeners = new ArrayList<>();
        for (ParticipantMedia p : participants) {
            if (p.singer) {
                singerList.add(p);
            } else {
                listeners.add(p.subscriber);
            }
            p.forwardTargets = new MixOutput[0];
        }
        singers = singerList.toArray(new ParticipantMedia[0]);
        everyone = participants.toArray(new ParticipantMedia[0]);
        List<MixOutput> all = new ArrayList<>();
        for (ParticipantMedia singer : singers) {
            planOutput(singer.output, singer, new OutputSubscriber[] {singer.subscriber});
            all.add(singer.output);
        }
        planOutput(listenerMix, null, listeners.toArray(new OutputSubscriber[0]));
        all.add(listenerMix);
        outputs = all.toArray(new MixOutput[0]);
    }

    /**
     * Gives {@code out} every voice except {@code excluded}'s, plus the backing track, at the levels
     * of the ear it feeds: a singer's own monitor mix, or the listeners' balance (excluded == null).
     */
    private void planOutput(MixOutput out, ParticipantMedia excluded, OutputSubscriber[] subs) {
        MixSource[] sources = new MixSource[singers.length + 1 + RoomSync.maxBeatSources()];
        float[] gains = new float[sources.length];
        int n = 0;
        ParticipantMedia only = null;
        float onlyGain = 0f;
        String owner = excluded == null ? null : excluded.id;
        for (ParticipantMedia s : singers) {
            if (s == excluded) {
                continue; // mix-minus: the singer's own voice is never a source of their mix
            }
            MixSource voice = sync.voiceFor(owner, s.id, s.input); // leader/follower may shift or omit it
            if (voice == null) {
                continue;
            }
            sources[n] = voice;
            gains[n] = s.gain * (excluded != null ? excluded.monitorPartner : listenerLevel(s));
            only = s;
            onlyGain = gains[n];
            n++;
        }
        int voices = n;
        float backingLevel = backingGain * (excluded != null ? excluded.monitorBacking : listenerBackingLevel);
        boolean withBacking = backing != null && backingLevel > 0f;
        int beforeBeats = n;
        // The backing track, the metronome and calibration clicks, each where the sync mode puts it.
        n = sync.addBeats(owner, withBacking ? backing : null, backingLevel, sources, gains, n);
        boolean beats = n > beforeBeats;
        out.setSources(sources, gains, n);
        out.setSubscribers(subs);
        boolean recording = out == listenerMix && recorder != null; // a take records the mixed frames
        boolean forward = forwardSingleSource && voices == 1 && !beats && onlyGain == 1f && !recording
                && sync.mayForward(owner) && !only.voiceAltered; // a notched voice is mixed, not forwarded
        out.setForwardSource(forward ? only.input : null);
        if (forward) {
            MixOutput[] t = only.forwardTargets;
            MixOutput[] grown = java.util.Arrays.copyOf(t, t.length + 1);
            grown[t.length] = out;
            only.forwardTargets = grown;
        }
    }

    // ---- packets and ticks ----

    /** A voice packet was accepted: send it on at once to outputs that forward it. */
    void forwardFrom(ParticipantMedia from, RtpPacket packet, int samples, long arrivalNanos) {
        MixOutput[] targets = from.forwardTargets;
        for (MixOutput t : targets) {
            t.forward(packet, samples, arrivalNanos);
        }
    }

    private float listenerLevel(ParticipantMedia s) {
        Float level = s.voiceLabel == null ? null : listenerVoiceLevels.get(s.voiceLabel);
        return level == null ? 1f : level;
    }

    /** A singer's packet was accepted: a take records it as received. */
    void recordFrom(ParticipantMedia from, RtpPacket packet, int samples) {
        TakeRecorder r = recorder;
        if (r == null || from.input == null || from.voiceLabel == null) {
            return;
        }
        r.voice(from.voiceLabel, packet.buffer(), packet.payloadOffset(), packet.payloadLength(), samples,
                packet.timestamp(), from.input.timelinePositionOf(packet.timestamp()));
    }

    private void recordListenerMix(short[] pcm, int samples, long capturePosition) {
        tapSamples = samples;
        recorder.listenerMix(pcm, samples, capturePosition);
    }

    /** The mix tick's period, in nanos. */
    long tickNanos() {
        return listenerMix.tickSamples() * 1_000_000_000L / ServerClock.SAMPLE_RATE;
    }

    /** -Dduet.mixer.phase-lock=false: every room at the loop's own phase (to measure against). */
    private static final boolean PHASE_LOCK = !"false".equals(System.getProperty("duet.mixer.phase-lock"));
    /**
     * -Dduet.mixer.room-tick=false: every room ticks every loop tick, phase-locked only (to measure
     * against); by default a room ticks once per packet of the voice its listener mix waits for.
     */
    private static final boolean ROOM_TICK = PHASE_LOCK
            && !"false".equals(System.getProperty("duet.mixer.room-tick"));

    @Override
    public long tickPhaseNanos() {
        return PHASE_LOCK ? tickPhaseNanos : -1;
    }

    @Override
    public long tickPeriodNanos() {
        return subTicks * tickNanos();
    }

    /** Loop ticks this room makes at each of its ticks (1 unless its voices send longer packets). */
    public int subTicks() {
        return subTicks;
    }

    /**
     * The room tick a voice sending {@code samples}-sample packets asks for: its packet time in whole
     * loop ticks (20 ms packets: 20 ms), at least one tick and at most {@link MixOutput#MAX_FRAME_TICKS}.
     * Without room ticks, the loop tick.
     */
    long periodForPacket(int samples) {
        long tick = tickNanos();
        if (!ROOM_TICK) {
            return tick;
        }
        long packetNanos = samples * 1_000_000_000L / ServerClock.SAMPLE_RATE;
        long ticks = Math.max(1, Math.min(MixOutput.MAX_FRAME_TICKS, packetNanos / tick));
        return ticks * tick;
    }

    /** After the room's packets are handed over, before the mix reads them (queue hand-off, loop wake-up). */
    private static final long PHASE_GUARD_NANOS = 500_000;

    /**
     * Twice a second: ticks just after the packets of the voice the listener mix waits for
     * (the least complete one) arrive, when they arrive at a steady phase. On a jittery path the
     * phase stays where it is: there the jitter buffer's deadlines, not arrivals, pace the mix.
     */
    private void lockTickPhase(long tickNanos) {
        if (++ticksSincePhaseCheck < 50) {
            return;
        }
        ticksSincePhaseCheck = 0;
        long position = clock.toSamples(tickNanos);
        ParticipantMedia limiting = null;
        long least = Long.MAX_VALUE;
        for (ParticipantMedia p : singers) {
            if (p.input == null || p.input.isStale(position) || p.arrivalPhase.count() < 25) {
                continue;
            }
            long complete = p.input.completeThrough(position);
            if (complete < least) {
                least = complete;
                limiting = p;
            }
        }
        if (limiting == null || limiting.arrivalPhase.concentration() < 0.5) {
            return;
        }
        // The phase within the voice's packet time (its arrivals are folded into that): a room
        // ticks once per packet, just after it, and makes all of that packet's audio at once.
        long tick = tickNanos();
        long period = Math.max(tick, limiting.arrivalPhase.periodNanos());
        long wanted = Math.floorMod(limiting.arrivalPhase.phaseNanos() + limiting.arrivalPhase.spreadNanos()
                + PHASE_GUARD_NANOS, period);
        long moved = Math.floorMod(wanted - tickPhaseNanos, period);
        long sinceLast = Math.floorMod(wanted - lastWantedPhase, period);
        boolean steady = lastWantedPhase >= 0 && period == lastWantedPeriod
                && Math.min(sinceLast, period - sinceLast) <= PHASE_GUARD_NANOS;
        lastWantedPhase = wanted;
        lastWantedPeriod = period;
        // Only clear, settled moves (the same wanted phase two checks in a row): each move bends the
        // outputs' packet spacing once, and a phase that wanders (a loaded sender) is not followed.
        boolean newPeriod = period != subTicks * tick;
        if (steady && (tickPhaseNanos < 0 || newPeriod || Math.min(moved, period - moved) > PHASE_GUARD_NANOS)) {
            tickPhaseNanos = wanted;
            subTicks = (int) (period / tick);
        }
    }

    /**
     * One room tick at {@code tickNanos}: drains the voices (concealing only what is overdue now),
     * then makes {@link #subTicks()} loop ticks of media, [t, t + tick), [t + tick, t + 2 tick), ...
     * A room whose voices send 20 ms packets ticks just after each packet and sends both of its 10 ms
     * steps at once, instead of holding the packet's second half one tick.
     */
    @Override
    public void tick(long tickNanos) {
        if (PHASE_LOCK) {
            lockTickPhase(tickNanos);
        }
        lastTickNanos = tickNanos;
        ParticipantMedia[] s = singers;
        boolean replan = false;
        for (ParticipantMedia p : s) {
            p.input.drain(tickNanos); // conceal whatever is overdue, so the timelines are final up to now
            boolean altered = p.echo != null && p.echo.altersVoice();
            if (altered != p.voiceAltered) {
                p.voiceAltered = altered; // a howl notch went in or out: forward or mix this voice
                replan = true;
            }
        }
        if (replan) {
            rebuildPlan();
        }
        int n = subTicks;
        long step = tickNanos();
        for (int k = 0; k < n; k++) {
            mediaTick(tickNanos + k * step, n - k);
        }
        if (s.length == 2 && s[0].echo != null && s[1].echo != null) {
            // each voice's gain into the other's mix: the mixer's part of the loop
            loopGuard.check(s[0].echo, s[0].gain * s[1].monitorPartner, s[1].echo, s[1].gain * s[0].monitorPartner,
                    tickNanos / 1_000_000L);
        }
        ParticipantMedia[] all = everyone;
        for (ParticipantMedia p : all) {
            p.maybeSendReport(tickNanos, rtcpIntervalNanos);
        }
    }

    /** One loop tick of media at {@code tickNanos}, {@code ticksLeft} of them left in this room tick. */
    private void mediaTick(long tickNanos, int ticksLeft) {
        ParticipantMedia[] s = singers;
        MixOutput[] outs = outputs;
        for (MixOutput o : outs) {
            o.tick(tickNanos, ticksLeft);
        }
        TakeRecorder r = recorder;
        if (r != null && backing != null) {
            // The backing track as its own track, at the listeners' level, where the listener mix
            // plays it against the voices (shifted like the beat), on the same timeline.
            r.backing(sync.listenerBacking(backing), backingGain * listenerBackingLevel, clock.toSamples(tickNanos),
                    tapSamples);
        }
        if (r != null) {
            // The metronome as its own track too, where the listeners hear it against the voices.
            r.metronome(sync.listenerMetronome(), clock.toSamples(tickNanos), tapSamples);
        }
        if (sync.tick(clock.toSamples(tickNanos))) {
            rebuildPlan(); // a calibration started or ended: its clicks join or leave a mix
        }
        for (ParticipantMedia p : s) {
            if (p.echo != null) {
                feedEchoReference(p, tickNanos);
            }
        }
    }

    /**
     * Tells a singer's echo control what we sent them this tick, placed by when it left: the mix
     * we just encoded, or for a forwarded voice, that voice's newest final audio, which left us
     * when its packets arrived (its capture position plus its transit).
     */
    private void feedEchoReference(ParticipantMedia p, long tickNanos) {
        MixOutput out = p.output;
        if (out == null) {
            return;
        }
        MixSource fwd = out.forwardSource();
        int n = echoScratch.length;
        if (fwd == null) {
            p.echo.onSent(out.lastMix(), 0, n, clock.toSamples(tickNanos));
        } else if (fwd instanceof org.duet.mixer.input.VoiceInput v) {
            long tickPosition = clock.toSamples(tickNanos);
            long end = v.completeThrough(tickPosition);
            if (end == Long.MIN_VALUE || v.isStale(tickPosition)) {
                return;
            }
            // Everything that became final since the last tick, not just its last 10 ms: a voice of
            // 20 ms packets completes 20 ms at a time, and a skipped tick leaves more; feeding only
            // the newest 10 ms left every other 10 ms of the echo reference empty.
            long from = p.echoRefThrough == Long.MIN_VALUE || p.echoRefThrough < end - 8L * n
                    ? end - n : p.echoRefThrough;
            for (long at = from; at < end; at += n) {
                int len = (int) Math.min(n, end - at);
                java.util.Arrays.fill(echoScratch, 0, len, 0f);
                v.mixInto(at, 1f, echoScratch, 0, len);
                p.echo.onSent(echoScratch, 0, len, at + v.transitSamples());
            }
            p.echoRefThrough = Math.max(end, p.echoRefThrough);
        }
    }

    /** The room's feedback loop guard (for stats and tests). */
    public org.duet.mixer.echo.LoopGainGuard loopGuard() {
        return loopGuard;
    }

    public void closeAll() {
        for (ParticipantMedia p : participants) {
            if (p.singer && p.output != null) {
                p.output.close();
            }
        }
        listenerMix.close();
        participants.clear();
        singers = new ParticipantMedia[0];
        everyone = new ParticipantMedia[0];
        outputs = new MixOutput[0];
    }

    /** The participants' RTP randomness (see RtpRandomness). */
    java.util.random.RandomGenerator random() {
        return random;
    }
}
