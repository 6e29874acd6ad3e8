package org.duet.mixer.rehearsal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.duet.mixer.backing.BackingController;
import org.duet.mixer.record.TakeWriter;
import org.duet.mixer.room.Room;
import org.duet.mixer.signaling.Member;
import org.duet.mixer.signaling.Outbox;

/**
 * One room's rehearsal state: its backing track, the singers' monitor settings, the listeners'
 * balance, the take being recorded, and who is there to be told about changes. Guarded by its
 * own lock; never touched by a media loop.
 */
final class RoomRehearsal {

    /** A joined browser: where its messages go and the token that lets it upload and download. */
    record Slot(Member member, Outbox out, String token) {
    }

    final String name;
    final Room room;
    final BackingController backing;
    final Map<String, Slot> members = new LinkedHashMap<>();
    /** Held while the state is pushed to the pages, so the last one sent is the newest. */
    final Object pushLock = new Object();
    /** Members that asked for rehearsal state (message {@code rehearsal}); only they are sent it. */
    final java.util.Set<String> subscribed = new java.util.HashSet<>();
    /** Monitor mixes by participant id: {partner, backing}. */
    final Map<String, float[]> monitors = new LinkedHashMap<>();
    /** Listeners' balance: level by singer role ("singer-a"). */
    final Map<String, Float> listenerVoices = new LinkedHashMap<>();
    float listenerBacking = 1f;
    TakeWriter take;
    /** The file last sent to the decoder for this room (name, who) while any is pending, else null. */
    String loadingName;
    String loadingBy;
    /** Uploads for this room queued or being decoded. */
    int loadingCount;

    RoomRehearsal(String name, Room room) {
        this.name = name;
        this.room = room;
        this.backing = new BackingController(room);
    }

    /** The members that follow the rehearsal state. */
    synchronized List<Slot> slots() {
        List<Slot> out = new ArrayList<>();
        for (Slot s : members.values()) {
            if (subscribed.contains(s.member().id())) {
                out.add(s);
            }
        }
        return out;
    }

    synchronized float[] monitorOf(String participantId) {
        float[] m = monitors.get(participantId);
        return m == null ? new float[] {1f, 1f} : m.clone();
    }
}
