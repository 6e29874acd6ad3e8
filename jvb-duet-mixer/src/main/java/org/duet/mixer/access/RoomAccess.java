package org.duet.mixer.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * Decides who may enter which room as what. Thread-safe.
 *
 * <ul>
 *   <li>A signed room token ({@link RoomToken}) admits its holder to the rooms and roles it names,
 *       as moderator when it says so.</li>
 *   <li>With open rooms (a LAN, or one machine: see {@link AccessSettings#openRooms}) anyone may
 *       enter.</li>
 *   <li>Otherwise a room is created by whoever opens a new name; that person is its moderator and
 *       gets two secret invites: the singer invite admits to any role, the listener invite to
 *       listening only. Everyone else needs one of them (or a token). A room that exists without
 *       invites (preset, or made through the operator's API) admits token holders only.</li>
 * </ul>
 */
public final class RoomAccess {

    private static final SecureRandom RANDOM = new SecureRandom();

    /** The two secrets of a room: anyone holding the singer one may sing, the listener one only listen. */
    public record Invites(String singer, String listener) {
    }

    /** A yes, with the member's standing: moderators are shown the room's invites. */
    public record Grant(boolean moderator, Invites invites) {
    }

    /** A no, with a sentence for the person. */
    public static final class Denied extends Exception {
        public Denied(String message) {
            super(message, null, false, false);
        }
    }

    private final AccessSettings settings;
    private final RoomToken tokens;
    private final Map<String, Invites> invites = new HashMap<>();
    /** Moderators by room: participant ids. */
    private final Map<String, java.util.Set<String>> moderators = new HashMap<>();

    public RoomAccess(AccessSettings settings) {
        this.settings = settings;
        this.tokens = new RoomToken(settings);
    }

    public boolean openRooms() {
        return settings.openRooms();
    }

    /**
     * @param roomExists the room exists already (someone is in it, or it was preset or made by the operator)
     * @param invite     an invite secret from the link, or null
     * @param token      a signed room token, or null
     */
    public synchronized Grant admit(String room, String role, boolean roomExists, String invite, String token)
            throws Denied {
        if (token != null) {
            RoomToken.Claims c;
            try {
                c = tokens.verify(token, System.currentTimeMillis());
            } catch (RoomToken.InvalidToken e) {
                throw new Denied(e.getMessage());
            }
            if (!c.allowsRoom(room)) {
                throw new Denied("your token is for another room");
            }
            if (!c.allowsRole(role)) {
                throw new Denied("your token does not allow the role " + role);
            }
            Invites inv = c.moderator() ? invites.computeIfAbsent(room, r -> newInvites()) : null;
            return new Grant(c.moderator(), inv);
        }
        if (settings.openRooms()) {
            return new Grant(false, null);
        }
        Invites inv = invites.get(room);
        if (inv == null) {
            if (roomExists) {
                throw new Denied("room " + room + " admits invited people only: ask its moderator for a link");
            }
            inv = newInvites();
            invites.put(room, inv); // a new room: its creator is the moderator
            return new Grant(true, inv);
        }
        if (invite != null && same(invite, inv.singer())) {
            return new Grant(false, null);
        }
        if (invite != null && same(invite, inv.listener())) {
            if (!role.equals("listener")) {
                throw new Denied("your invite is a listener invite; ask the moderator for a singer link");
            }
            return new Grant(false, null);
        }
        throw new Denied("room " + room + " admits invited people only: ask its moderator for a link");
    }

    /** The room's invites, null when it has none. */
    public synchronized Invites invites(String room) {
        return invites.get(room);
    }

    /** Restores a room's invites (from the room store after a restart). */
    public synchronized void restore(String room, Invites inv) {
        invites.put(room, inv);
    }

    /** The room was closed: its invites are void. */
    public synchronized void forget(String room) {
        invites.remove(room);
        moderators.remove(room);
    }

    public synchronized void setModerator(String room, String participantId, boolean moderator) {
        if (moderator) {
            moderators.computeIfAbsent(room, r -> new java.util.HashSet<>()).add(participantId);
        } else if (moderators.containsKey(room)) {
            moderators.get(room).remove(participantId);
        }
    }

    public synchronized boolean isModerator(String room, String participantId) {
        return moderators.getOrDefault(room, java.util.Set.of()).contains(participantId);
    }

    private static boolean same(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    private static Invites newInvites() {
        return new Invites(secret(), secret());
    }

    private static String secret() {
        byte[] b = new byte[18];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
