package org.duet.mixer.room;

import org.duet.mixer.clock.SenderClockSync;
import org.duet.mixer.format.MediaFormat;
import org.duet.mixer.session.ParticipantMedia;
import org.duet.mixer.session.ParticipantStats;

/** A participant as signaling sees it: identity, role, and a stats snapshot. Thread-safe. */
public final class Participant {

    private final String id;
    private final Role role;
    final ParticipantMedia media;

    Participant(String id, Role role, ParticipantMedia media) {
        this.id = id;
        this.role = role;
        this.media = media;
    }

    public String id() {
        return id;
    }

    public Role role() {
        return role;
    }

    public MediaFormat format() {
        return media.format();
    }

    /** Figures as of the last packet or tick (read without stopping the media loop). */
    public ParticipantStats stats() {
        return media.stats();
    }

    /** How this singer's clock is known and their voice placed (null for listeners). Any thread. */
    public SenderClockSync.Snapshot clockSync() {
        return media.input() == null ? null : media.input().clockSync().snapshot();
    }

    /** Where this singer's voice sits on the capture timeline (null for listeners). Any thread. */
    public org.duet.mixer.input.VoiceInput.Placement placement() {
        return media.input() == null ? null : media.input().placementSnapshot();
    }

    /** The network adaptation of what we send them and the advice for what they send (thread-safe). */
    public org.duet.mixer.adapt.NetworkReport network() {
        return media.network();
    }

    /**
     * What their transport-wide congestion control feedback told us about our stream to them:
     * null when transport-cc was not negotiated. Any thread (counters as of the last feedback).
     */
    public org.duet.mixer.adapt.TransportCcEstimator transportCc() {
        return media.transportCc();
    }

    /** Echo and feedback state of a singer's voice; null for listeners or when echo control is off. */
    public org.duet.mixer.echo.EchoReport echo() {
        return media.echoReport();
    }

    @Override
    public String toString() {
        return id + " (" + role.wireName() + ")";
    }
}
