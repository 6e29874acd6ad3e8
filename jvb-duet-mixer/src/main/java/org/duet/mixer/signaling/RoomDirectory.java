package org.duet.mixer.signaling;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.duet.mixer.room.DuetMixer;
import org.duet.mixer.room.Participant;
import org.duet.mixer.room.Role;
import org.duet.mixer.room.Room;

/**
 * Who holds which role in which room, for browsers and plain-RTP participants alike. Roles are
 * reserved here at join time, before any media exists, so two clients can never both get
 * singer-a; the engine's own role check stays as a backstop.
 *
 * <p>Its lock belongs to signaling alone: the media loop never calls in here. Listener callbacks
 * run after the lock is released.
 */
public final class RoomDirectory {

    private static final Pattern ROOM_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern PARTICIPANT_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private final DuetMixer mixer;
    private final SignalingSettings settings;
    private final Set<String> presetRooms;
    private final Map<String, Map<String, Member>> rooms = new LinkedHashMap<>();

    public RoomDirectory(DuetMixer mixer, SignalingSettings settings) {
        this.mixer = mixer;
        this.settings = settings;
        this.presetRooms = Set.copyOf(settings.presetRooms());
        for (String room : presetRooms) {
            if (!ROOM_NAME.matcher(room).matches()) {
                throw new IllegalArgumentException("duet.rooms.preset: room name '" + room + "' is not valid");
            }
            mixer.openRoom(room);
        }
    }

    public SignalingSettings settings() {
        return settings;
    }

    /**
     * Reserves {@code role} in {@code room} for a new member.
     *
     * @param createRoom create an unknown room even when rooms are closed (the operator's HTTP API)
     * @return the engine room the member will join
     */
    public Room reserve(Member member, boolean createRoom) throws SignalingException {
        checkRoomName(member.room());
        checkParticipantId(member.id());
        checkRole(member.role());
        List<Member> roster;
        Room room;
        synchronized (this) {
            room = mixer.room(member.room());
            boolean known = room != null || presetRooms.contains(member.room()) || rooms.containsKey(member.room());
            if (!known && !settings.openRooms() && !createRoom) {
                throw new SignalingException(ErrorCode.UNKNOWN_ROOM, "room " + member.room()
                        + " does not exist, and this server does not create rooms on join");
            }
            Map<String, Member> members = rooms.computeIfAbsent(member.room(), r -> new LinkedHashMap<>());
            try {
                if (members.containsKey(member.id()) || engineHas(room, member.id())) {
                    throw new SignalingException(ErrorCode.DUPLICATE_ID,
                            "participant " + member.id() + " already exists in room " + member.room());
                }
                if (member.isSinger()) {
                    Member holder = holderOf(members, member.role());
                    if (holder != null || engineHasRole(room, member.role())) {
                        String who = holder != null && !holder.name().isEmpty() ? " by " + holder.name() : "";
                        throw new SignalingException(ErrorCode.ROLE_TAKEN, "role " + member.role().wireName()
                                + " is taken in room " + member.room() + who + "; pick another role or listen");
                    }
                } else if (listenerCount(members) >= settings.maxListeners()) {
                    throw new SignalingException(ErrorCode.ROOM_FULL, "room " + member.room() + " already has "
                            + settings.maxListeners() + " listeners");
                }
            } catch (SignalingException e) {
                if (members.isEmpty()) {
                    rooms.remove(member.room());
                }
                throw e;
            }
            if (room == null) {
                room = mixer.openRoom(member.room());
            }
            members.put(member.id(), member);
            roster = List.copyOf(members.values());
        }
        announce(roster);
        return room;
    }

    /** Releases a member's role; no-op when it is not there. Returns the member, or null. */
    public Member release(String roomName, String id) {
        Member gone;
        List<Member> roster;
        synchronized (this) {
            Map<String, Member> members = rooms.get(roomName);
            if (members == null || (gone = members.remove(id)) == null) {
                return null;
            }
            if (members.isEmpty()) {
                rooms.remove(roomName);
            }
            roster = members.isEmpty() ? List.of() : List.copyOf(members.values());
        }
        announce(roster);
        return gone;
    }

    /** Removes a member on an operator's request and tells it why. */
    public Member remove(String roomName, String id, String reason) {
        Member gone = release(roomName, id);
        if (gone != null) {
            gone.listener().removed(reason);
        }
        return gone;
    }

    public synchronized List<Member> roster(String roomName) {
        Map<String, Member> members = rooms.get(roomName);
        return members == null ? List.of() : List.copyOf(members.values());
    }

    public synchronized Member member(String roomName, String id) {
        Map<String, Member> members = rooms.get(roomName);
        return members == null ? null : members.get(id);
    }

    public synchronized int memberCount() {
        int n = 0;
        for (Map<String, Member> m : rooms.values()) {
            n += m.size();
        }
        return n;
    }

    /** Validates a wire role against this server's singer count. */
    public Role parseRole(String wire) throws SignalingException {
        Role role;
        try {
            role = Role.parse(wire);
        } catch (IllegalArgumentException e) {
            throw new SignalingException(ErrorCode.BAD_ROLE, "unknown role " + quote(wire) + "; roles here are "
                    + String.join(", ", settings.singerRoles()) + " and listener");
        }
        checkRole(role);
        return role;
    }

    private void checkRole(Role role) throws SignalingException {
        if (role.kind() == Role.Kind.SINGER && !settings.singerRoles().contains(role.wireName())) {
            throw new SignalingException(ErrorCode.BAD_ROLE, "this server allows " + settings.maxSingers()
                    + " singers (" + String.join(", ", settings.singerRoles()) + "), not " + role.wireName());
        }
    }

    public static void checkRoomName(String room) throws SignalingException {
        if (room == null || !ROOM_NAME.matcher(room).matches()) {
            throw new SignalingException(ErrorCode.BAD_MESSAGE, "room name " + quote(room)
                    + " is not valid: use 1 to 64 letters, digits, '.', '_' or '-'");
        }
    }

    public static void checkParticipantId(String id) throws SignalingException {
        if (id == null || !PARTICIPANT_ID.matcher(id).matches()) {
            throw new SignalingException(ErrorCode.BAD_MESSAGE, "participant id " + quote(id)
                    + " is not valid: use 1 to 64 letters, digits, '.', '_' or '-'");
        }
    }

    private static Member holderOf(Map<String, Member> members, Role role) {
        for (Member m : members.values()) {
            if (m.role().equals(role)) {
                return m;
            }
        }
        return null;
    }

    private static int listenerCount(Map<String, Member> members) {
        int n = 0;
        for (Member m : members.values()) {
            if (!m.isSinger()) {
                n++;
            }
        }
        return n;
    }

    private static boolean engineHas(Room room, String id) {
        if (room == null) {
            return false;
        }
        for (Participant p : room.participants()) {
            if (p.id().equals(id)) {
                return true;
            }
        }
        return false;
    }

    private static boolean engineHasRole(Room room, Role role) {
        if (room == null) {
            return false;
        }
        for (Participant p : room.participants()) {
            if (p.role().equals(role)) {
                return true;
            }
        }
        return false;
    }

    private static void announce(List<Member> roster) {
        for (Member m : new ArrayList<>(roster)) {
            try {
                m.listener().rosterChanged(roster);
            } catch (RuntimeException e) {
                // one broken socket must not stop the others from hearing about the change
            }
        }
    }

    static String quote(String s) {
        if (s == null) {
            return "(missing)";
        }
        String shown = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        return "'" + shown + "'";
    }
}
