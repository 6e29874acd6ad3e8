package org.duet.mixer.signaling;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
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
 * <p>It also enforces {@link LimitSettings}: rooms, members overall and per client address, and
 * closes rooms that stayed empty for the grace period ({@link #closeIdleRooms}). Each member gets
 * a secret resume token: a page that lost its connection presents it to take its role back
 * from its own dead session at once, instead of waiting for that session to time out.
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
    private final LimitSettings limits;
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Per member (room/id): its resume token and client address (null: the operator's API). */
    private final Map<String, String> resumeTokens = new HashMap<>();
    private final Map<String, String> memberAddress = new HashMap<>();
    /** Rooms a client address created (closed rooms drop out), for the per-address room cap. */
    private final Map<String, String> roomCreator = new HashMap<>();
    /** When each engine room was last seen empty (System.nanoTime). */
    private final Map<String, Long> emptySince = new HashMap<>();

    /** A reserved role: the engine room to join and the member's secret resume token. */
    public record Reservation(Room room, String resumeToken) {
    }

    public RoomDirectory(DuetMixer mixer, SignalingSettings settings) {
        this(mixer, settings, LimitSettings.defaults());
    }

    public RoomDirectory(DuetMixer mixer, SignalingSettings settings, LimitSettings limits) {
        this.mixer = mixer;
        this.settings = settings;
        this.limits = limits;
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
        return reserve(member, createRoom, null, null).room();
    }

    /**
     * Reserves {@code role} in {@code room} for a new member coming from {@code clientAddress}
     * (null: the operator's API, not counted per address).
     *
     * @param resume a resume token an earlier member of this room was given: that member (the same
     *               page on a connection that died) is removed first, so its role is free again
     */
    public Reservation reserve(Member member, boolean createRoom, String clientAddress, String resume)
            throws SignalingException {
        checkRoomName(member.room());
        checkParticipantId(member.id());
        checkRole(member.role());
        List<Member> roster;
        Room room;
        Member evicted = null;
        List<Member> evictedRoster = null;
        String token = newToken();
        synchronized (this) {
            room = mixer.room(member.room());
            boolean known = room != null || presetRooms.contains(member.room()) || rooms.containsKey(member.room());
            if (!known && !settings.openRooms() && !createRoom) {
                throw new SignalingException(ErrorCode.UNKNOWN_ROOM, "room " + member.room()
                        + " does not exist, and this server does not create rooms on join");
            }
            checkLimits(member, room, clientAddress);
            if (resume != null && rooms.containsKey(member.room())) {
                evicted = holderOfToken(rooms.get(member.room()), member.room(), resume);
                if (evicted != null) {
                    forget(member.room(), evicted.id());
                    rooms.get(member.room()).remove(evicted.id());
                    evictedRoster = List.copyOf(rooms.get(member.room()).values());
                }
            }
            Map<String, Member> members = rooms.computeIfAbsent(member.room(), r -> new LinkedHashMap<>());
            if (evicted != null && room != null) {
                room.leave(evicted.id()); // the dead session's media: its role is free in the engine at once
            }
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
                if (clientAddress != null) {
                    roomCreator.put(member.room(), clientAddress);
                }
            }
            members.put(member.id(), member);
            resumeTokens.put(key(member.room(), member.id()), token);
            if (clientAddress != null) {
                memberAddress.put(key(member.room(), member.id()), clientAddress);
            }
            emptySince.remove(member.room());
            roster = List.copyOf(members.values());
        }
        if (evicted != null) {
            evicted.listener().removed("this role was taken back by a newer connection of the same page");
            announce(evictedRoster);
        }
        announce(roster);
        return new Reservation(room, token);
    }

    private void checkLimits(Member member, Room room, String address) throws SignalingException {
        int total = 0;
        int fromAddress = 0;
        for (Map.Entry<String, String> e : memberAddress.entrySet()) {
            if (e.getValue().equals(address)) {
                fromAddress++;
            }
        }
        for (Map<String, Member> m : rooms.values()) {
            total += m.size();
        }
        if (total >= limits.maxParticipants()) {
            throw new SignalingException(ErrorCode.LIMIT_REACHED, "the server is full ("
                    + limits.maxParticipants() + " participants); try again later");
        }
        if (address != null && fromAddress >= limits.maxParticipantsPerAddress()) {
            throw new SignalingException(ErrorCode.LIMIT_REACHED, "too many participants from your address (at most "
                    + limits.maxParticipantsPerAddress() + ")");
        }
        if (room == null && !rooms.containsKey(member.room())) {
            if (mixer.rooms().size() >= limits.maxRooms()) {
                throw new SignalingException(ErrorCode.LIMIT_REACHED, "the server has its maximum of "
                        + limits.maxRooms() + " rooms open; join an existing room or try later");
            }
            if (address != null) {
                int created = 0;
                for (String a : roomCreator.values()) {
                    if (a.equals(address)) {
                        created++;
                    }
                }
                if (created >= limits.maxRoomsPerAddress()) {
                    throw new SignalingException(ErrorCode.LIMIT_REACHED, "your address already created "
                            + limits.maxRoomsPerAddress() + " rooms that are still open");
                }
            }
        }
    }

    private Member holderOfToken(Map<String, Member> members, String room, String presented) {
        byte[] p = presented.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (Member m : members.values()) {
            String t = resumeTokens.get(key(room, m.id()));
            if (t != null && MessageDigest.isEqual(t.getBytes(java.nio.charset.StandardCharsets.UTF_8), p)) {
                return m;
            }
        }
        return null;
    }

    private void forget(String room, String id) {
        resumeTokens.remove(key(room, id));
        memberAddress.remove(key(room, id));
    }

    private static String key(String room, String id) {
        return room + "/" + id;
    }

    private static String newToken() {
        byte[] b = new byte[18];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /**
     * Closes engine rooms that nobody has been in for the grace period (preset rooms stay open).
     * Called about once a second by the signaling timer.
     */
    public void closeIdleRooms(long nowNanos) {
        List<String> toClose = new ArrayList<>();
        synchronized (this) {
            for (Room r : mixer.rooms()) {
                String name = r.name();
                Map<String, Member> members = rooms.get(name);
                boolean empty = (members == null || members.isEmpty()) && r.isEmpty();
                if (!empty || presetRooms.contains(name)) {
                    emptySince.remove(name);
                    continue;
                }
                Long since = emptySince.putIfAbsent(name, nowNanos);
                if (since != null && nowNanos - since >= limits.emptyRoomGrace().toNanos()) {
                    toClose.add(name);
                }
            }
            for (String name : toClose) {
                emptySince.remove(name);
                roomCreator.remove(name);
                rooms.remove(name);
                mixer.closeRoom(name); // under our lock, so no join can slip in between
                roomClosed.accept(name);
            }
            emptySince.keySet().removeIf(n -> mixer.room(n) == null);
            roomCreator.keySet().removeIf(n -> mixer.room(n) == null);
        }
    }

    private volatile java.util.function.Consumer<String> roomClosed = r -> { };

    /** Told the name of every room {@link #closeIdleRooms} closes (to void its invites). */
    public void onRoomClosed(java.util.function.Consumer<String> listener) {
        this.roomClosed = listener;
    }

    /** The engine room, or null. */
    public Room room(String name) {
        return mixer.room(name);
    }

    /** True when the room exists: in the engine, preset, or with members. */
    public synchronized boolean exists(String room) {
        return mixer.room(room) != null || presetRooms.contains(room) || rooms.containsKey(room);
    }

    /** The member of {@code room} that holds resume token {@code token}, or null. */
    public synchronized Member holderOfResumeToken(String room, String token) {
        Map<String, Member> members = rooms.get(room);
        return token == null || members == null ? null : holderOfToken(members, room, token);
    }

    public LimitSettings limits() {
        return limits;
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
            forget(roomName, id);
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
