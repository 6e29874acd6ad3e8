package org.duet.mixer.room;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.duet.mixer.engine.MediaLoop;
import org.duet.mixer.format.MediaFormat;
import org.duet.mixer.clock.ServerClock;
import org.duet.mixer.mix.BackingTrack;
import org.duet.mixer.mix.MixSource;
import org.duet.mixer.record.TakeRecorder;
import org.duet.mixer.session.MediaFactory;
import org.duet.mixer.session.ParticipantMedia;
import org.duet.mixer.session.RoomMedia;
import org.duet.mixer.sync.Metronome;
import org.duet.mixer.sync.SyncMode;
import org.duet.mixer.sync.SyncState;
import org.duet.mixer.transport.PacketTransport;

/**
 * A duet room as signaling sees it. Thread-safe: bookkeeping (who has which role) happens here
 * under this room's own lock, which the media loop never takes; media changes are handed to the
 * loop as commands.
 */
public final class Room {

    private final String name;
    private final MediaLoop loop;
    private final RoomMedia media;
    private final MediaFactory factory;
    private final int maxSingers;
    private final Map<String, Participant> participants = new LinkedHashMap<>();
    /** Rehearsal monitor mixes by participant id: {partner, backing}; applied when media joins. */
    private final Map<String, float[]> monitors = new HashMap<>();
    private boolean closed;

    Room(String name, MediaLoop loop, MediaFactory factory) {
        this.name = name;
        this.loop = loop;
        this.factory = factory;
        this.maxSingers = factory.config().maxSingers();
        this.media = new RoomMedia(factoryClock(factory), factory.newOutput(name + "/listeners", null),
                factory.config().forwardSingleSource(),
                factory.config().rtcpInterval().toNanos(), factory.random());
        media.listenerMix().setEncoderSource(factory.encoderSource(loop::execute));
        loop.execute(() -> loop.addTask(media));
    }

    private static org.duet.mixer.clock.ServerClock factoryClock(MediaFactory f) {
        return f.clock();
    }

    public String name() {
        return name;
    }

    /**
     * Adds a participant. The room owns {@code transport} from now on and closes it on leave.
     *
     * @throws RoleTakenException       a singer role someone else has
     * @throws IllegalArgumentException a bad or duplicate id, too many singers, a closed room
     */
    public Participant join(String participantId, Role role, PacketTransport transport, MediaFormat format)
            throws RoleTakenException {
        if (participantId == null || !participantId.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("participant id must be 1-64 letters, digits, '.', '_' or '-'");
        }
        ParticipantMedia pm;
        synchronized (this) {
            if (closed) {
                throw new IllegalArgumentException("room " + name + " is closed");
            }
            if (participants.containsKey(participantId)) {
                throw new IllegalArgumentException("participant " + participantId + " is already in room " + name);
            }
            if (role.isSinger()) {
                int singers = 0;
                for (Participant p : participants.values()) {
                    if (p.role().equals(role)) {
                        throw new RoleTakenException(name, role);
                    }
                    if (p.role().isSinger()) {
                        singers++;
                    }
                }
                if (singers >= maxSingers) {
                    throw new IllegalArgumentException("room " + name + " already has " + maxSingers + " singers");
                }
            }
            pm = new ParticipantMedia(participantId, role.isSinger(), transport, format,
                    role.isSinger() ? factory.newVoiceInput(format) : null,
                    role.isSinger() ? factory.newOutput(name + "/" + participantId, format) : null, media);
            pm.countDropsIn(factory.drops());
            factory.attachAdaptation(pm, loop::execute);
            participants.put(participantId, new Participant(participantId, role, pm));
            pm.setVoiceLabel(role.isSinger() ? role.label() : null);
        }
        transport.setReceiver(loop.receiverFor(pm));
        float[] monitor = monitorOf(participantId);
        loop.execute(() -> {
            media.add(pm);
            if (monitor != null) {
                media.setMonitor(pm, monitor[0], monitor[1]);
            }
        });
        return participants(participantId);
    }

    private synchronized Participant participants(String id) {
        return participants.get(id);
    }

    public void leave(String participantId) {
        Participant p;
        synchronized (this) {
            p = participants.remove(participantId);
            monitors.remove(participantId);
        }
        if (p != null) {
            ParticipantMedia pm = p.media;
            loop.execute(() -> {
                media.remove(pm);
                pm.transport().close();
            });
        }
    }

    /** Plays a WAV file on the room's timeline (looping), or stops it when {@code wav} is null. */
    public void setBackingTrack(Path wav, float gain) throws IOException {
        BackingTrack track = wav == null ? null : BackingTrack.load(wav, true);
        setBackingTrack(track, gain);
    }

    public void setBackingTrack(BackingTrack track, float gain) {
        if (!(gain >= 0f && gain <= 4f)) {
            throw new IllegalArgumentException("gain must be between 0 and 4");
        }
        loop.execute(() -> media.setBackingTrack(track, gain));
    }

    public void setGain(String participantId, float gain) {
        if (!(gain >= 0f && gain <= 4f)) {
            throw new IllegalArgumentException("gain must be between 0 and 4");
        }
        Participant p = participants(participantId);
        if (p == null) {
            throw new IllegalArgumentException("no participant " + participantId + " in room " + name);
        }
        loop.execute(() -> media.setGain(p.media, gain));
    }

    /**
     * A clock ping of a singer's page (see {@code signaling/ClockPing}): it sent at {@code t1},
     * we received at {@code t2} and replied at {@code t3} (server nanoTime), it got the reply at
     * {@code t4}; t1 and t4 are its clock, Unix ns. Ignored for listeners and unknown ids.
     */
    public void clockSample(String participantId, long t1, long t2, long t3, long t4) {
        Participant p = participant(participantId);
        if (p == null || p.media.input() == null) {
            return;
        }
        loop.execute(() -> p.media.input().clockSync().onPing(t1, t2, t3, t4, System.nanoTime()));
    }

    /**
     * One of our send times ({@code serverSendNanos}, {@link System#nanoTime()}) that the
     * participant's page received at {@code senderReceiveUnixNanos} on its clock, echoed in band
     * (the Jitsi transport's capture stamps): a lower bound on the page's clock offset.
     */
    public void clockEcho(String participantId, long serverSendNanos, long senderReceiveUnixNanos) {
        Participant p = participant(participantId);
        if (p == null || p.media.input() == null) {
            return;
        }
        loop.execute(() -> p.media.input().clockSync().onSendEcho(serverSendNanos, senderReceiveUnixNanos, System.nanoTime()));
    }

    // ---- rehearsal hooks (package org.duet.mixer.rehearsal) ----

    /** The server clock this room's timeline runs on. */
    public ServerClock clock() {
        return factory.clock();
    }

    /** Plays {@code source} (null: nothing) as the room's backing track at {@code level}, in every mix. */
    public void setBackingSource(MixSource source, float level) {
        checkLevel(level);
        loop.execute(() -> media.setBackingSource(source, level));
    }

    /** Runs {@code command} on this room's media loop (for sources the loop owns, like the backing player). */
    public void runOnMediaLoop(Runnable command) {
        loop.execute(command);
    }

    /**
     * A singer's own ear: the other singers at {@code partner} and the backing track at
     * {@code backing} (linear, 0 to 4). Kept for a participant whose media has not joined yet.
     */
    public void setMonitorMix(String participantId, float partner, float backing) {
        checkLevel(partner);
        checkLevel(backing);
        Participant p;
        synchronized (this) {
            monitors.put(participantId, new float[] {partner, backing});
            p = participants.get(participantId);
        }
        if (p != null) {
            loop.execute(() -> media.setMonitor(p.media, partner, backing));
        }
    }

    private synchronized float[] monitorOf(String participantId) {
        return monitors.get(participantId);
    }

    /** The listeners' one shared mix: singers' levels by role label ("a" for singer-a), and the backing track's. */
    public void setListenerBalance(Map<String, Float> voiceLevels, float backing) {
        voiceLevels.values().forEach(Room::checkLevel);
        checkLevel(backing);
        Map<String, Float> copy = Map.copyOf(voiceLevels);
        loop.execute(() -> media.setListenerBalance(copy, backing));
    }

    /** Starts feeding a take (null: stops feeding; the recorder's own end marks the take's end). */
    public void setRecorder(TakeRecorder recorder) {
        loop.execute(() -> media.setRecorder(recorder));
    }

    private static void checkLevel(float level) {
        if (!(level >= 0f && level <= 4f)) {
            throw new IllegalArgumentException("level must be between 0 and 4");
        }
    }

    // ---- timing: sync mode, beat, calibration (see docs/sync.md) ----

    /** Live or leader/follower; {@code leaderId} names the leading singer (null: keep / the first). */
    public void setSyncMode(SyncMode mode, String leaderId) {
        if (leaderId != null) {
            Participant p = participant(leaderId);
            if (p == null || !p.role().isSinger()) {
                throw new IllegalArgumentException("no singer " + leaderId + " in room " + name + " to lead");
            }
        }
        loop.execute(() -> media.setSyncMode(mode, leaderId));
    }

    /** Starts a metronome on the capture timeline (replacing one that plays). */
    public void startMetronome(double bpm, int beatsPerBar, boolean accent, int countInBars) {
        Metronome m = new Metronome(bpm, beatsPerBar, accent, countInBars); // validates
        loop.execute(() -> media.setMetronome(m));
    }

    /** Restarts the room's backing track (if one is set) as the beat, a moment ahead. */
    public void restartBackingTrack() {
        loop.execute(media::restartBackingTrack);
    }

    public void stopMetronome() {
        loop.execute(() -> media.setMetronome(null));
    }

    /** Plays the calibration clicks into this singer's mix and measures their loop. */
    public void calibrate(String participantId) {
        Participant p = participant(participantId);
        if (p == null || !p.role().isSinger()) {
            throw new IllegalArgumentException("no singer " + participantId + " in room " + name + " to calibrate");
        }
        loop.execute(() -> media.sync().requestCalibration(participantId));
    }

    /** The room's timing plan: mode, leader, beat, calibrations, corrections. Any thread. */
    public SyncState syncState() {
        return media.sync().state();
    }

    public synchronized List<Participant> participants() {
        return new ArrayList<>(participants.values());
    }

    public synchronized Participant participant(String id) {
        return participants.get(id);
    }

    public synchronized boolean isEmpty() {
        return participants.isEmpty();
    }

    MediaLoop loop() {
        return loop;
    }

    void close() {
        List<Participant> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(participants.values());
            participants.clear();
        }
        loop.execute(() -> {
            loop.removeTask(media);
            for (Participant p : all) {
                p.media.transport().close();
            }
            media.closeAll();
        });
    }
}
