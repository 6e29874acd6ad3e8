package org.duet.mixer.signaling;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.duet.mixer.room.MixerStats;
import org.duet.mixer.room.Participant;
import org.duet.mixer.room.Role;
import org.duet.mixer.room.Room;
import org.duet.mixer.room.RoleTakenException;
import org.duet.mixer.logging.LogThrottle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One browser's signaling conversation: join a room with a role, offer/answer, trickle ICE,
 * leave. Every refusal is an {@code error} message on the socket; the socket stays open and
 * nothing here can disturb other clients.
 *
 * <p>Messages of one socket arrive one at a time (the WebSocket delivers them in order); other
 * threads (stats push, roster changes, ICE gathering) only send. State changes happen under
 * this object's lock, which the media loop never needs: the engine is reached through its
 * thread-safe Room API.
 */
public final class SignalingSession implements MemberListener {

    private static final Logger LOG = LoggerFactory.getLogger(SignalingSession.class);
    private static final LogThrottle FAILURES = new LogThrottle(10_000);

    private final SignalingService service;
    private final Outbox out;
    private final RateLimiter rateLimiter;
    private final String clientAddress;

    private Member member;          // non-null once joined
    private Room room;
    private WebRtcPeer peer;        // non-null once an offer was answered
    private Participant participant; // the engine's handle, once media is joined
    private long joinedNanos;
    private String resumeToken;     // this member's, while joined
    private boolean closed;

    SignalingSession(SignalingService service, Outbox out) {
        this.service = service;
        this.out = out;
        this.clientAddress = out.clientAddress(); // kept: a closed socket may no longer know it
        this.rateLimiter = new RateLimiter(service.settings().maxMessagesPerSecond());
    }

    /** One text message from the client. Never throws. */
    public void onText(String text) {
        long receivedNanos = System.nanoTime(); // T2 of a clock ping, before any parsing
        String type = null;
        try {
            if (!rateLimiter.tryAcquire(System.nanoTime())) {
                throw new SignalingException(ErrorCode.RATE_LIMITED, "too many messages: at most "
                        + service.settings().maxMessagesPerSecond() + " per second; this one was dropped");
            }
            if (utf8Length(text) > service.settings().maxMessageBytes()) {
                throw new SignalingException(ErrorCode.MESSAGE_TOO_LARGE, "message of " + utf8Length(text)
                        + " bytes is larger than the limit of " + service.settings().maxMessageBytes() + " bytes");
            }
            JsonNode msg = parse(text);
            type = msg.get("type").asText();
            switch (type) {
                case "join" -> join(msg);
                case "offer" -> offer(msg);
                case "candidate" -> candidate(msg);
                case "leave" -> leave("you left");
                case "revoke" -> revoke(msg);
                case "assign" -> assign(msg);
                case "ping" -> out.send(Messages.pong(msg.path("t").asLong(0), System.currentTimeMillis()));
                case "clock" -> out.send(ClockPing.reply(msg, receivedNanos));
                case "clock-sample" -> clockSample(msg);
                case "sync" -> syncCommand(msg);
                default -> extension(type, msg);
            }
        } catch (SignalingException e) {
            service.countError(e.code());
            out.send(Messages.error(e.code(), e.getMessage(), type));
        } catch (RuntimeException e) {
            FAILURES.warn(LOG, "signaling message from " + out.describe() + " failed", e);
            service.countError(ErrorCode.INTERNAL);
            // the details stay in the server's log: internal error text can tell an attacker too much
            out.send(Messages.error(ErrorCode.INTERNAL, "the server failed to handle this message", type));
        }
    }

    /** A type the extension (rehearsal) answers, for joined members only; anything else is unknown. */
    private void extension(String type, JsonNode msg) throws SignalingException {
        SignalingExtension ext = service.extension();
        if (ext == null || !ext.types().contains(type)) {
            throw new SignalingException(ErrorCode.UNKNOWN_TYPE, "unknown message type "
                        + RoomDirectory.quote(type) + "; known types are join, offer, candidate, leave, ping, clock, clock-sample, sync, revoke, assign");
        }
        Member me;
        synchronized (this) {
            me = requireJoined(type);
        }
        ext.onMessage(me, msg, out);
    }

    /** The protocol is text only. */
    public void onBinary() {
        service.countError(ErrorCode.BAD_MESSAGE);
        out.send(Messages.error(ErrorCode.BAD_MESSAGE, "binary messages are not part of this protocol; send JSON text",
                null));
    }

    private static JsonNode parse(String text) throws SignalingException {
        JsonNode msg;
        try {
            msg = Messages.JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new SignalingException(ErrorCode.BAD_JSON, "message is not valid JSON: "
                    + e.getOriginalMessage());
        }
        if (msg == null || !msg.isObject()) {
            throw new SignalingException(ErrorCode.BAD_MESSAGE, "a message must be a JSON object with a \"type\"");
        }
        JsonNode type = msg.get("type");
        if (type == null || !type.isTextual()) {
            throw new SignalingException(ErrorCode.BAD_MESSAGE, "message has no \"type\" string");
        }
        return msg;
    }

    private void join(JsonNode msg) throws SignalingException {
        String roomName = text(msg, "room", true);
        String roleWire = text(msg, "role", true);
        String name = text(msg, "name", false);
        String resume = text(msg, "resume", false);
        if (resume.length() > 64) {
            throw new SignalingException(ErrorCode.BAD_MESSAGE, "resume token is longer than 64 characters");
        }
        if (name.length() > 64) {
            throw new SignalingException(ErrorCode.BAD_MESSAGE, "name is longer than 64 characters");
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            if (member != null) {
                throw new SignalingException(ErrorCode.ALREADY_JOINED, "already joined room " + member.room()
                        + " as " + member.role().wireName() + "; send leave first");
            }
        }
        RoomDirectory.checkRoomName(roomName);
        Role role = service.directory().parseRole(roleWire);
        Member me = new Member(newParticipantId(), roomName, role, name.strip(), Member.Kind.WEBRTC, this);
        // Reserve outside our lock: the directory calls rosterChanged (which locks us) after its own lock.
        String invite = text(msg, "invite", false);
        String token = text(msg, "token", false);
        if (invite.length() > 64 || token.length() > 8192) {
            throw new SignalingException(ErrorCode.BAD_MESSAGE, "invite or token is too long");
        }
        // A page taking its own role back (resume) keeps its standing; anyone else is checked.
        Member previous = service.directory().holderOfResumeToken(roomName, resume.isEmpty() ? null : resume);
        boolean existed = service.directory().exists(roomName);
        boolean moderator;
        org.duet.mixer.store.RoomStore.MemberRecord before = previous == null
                ? service.takeRestored(roomName, resume.isEmpty() ? null : resume) : null;
        if (previous != null) {
            moderator = service.access().isModerator(roomName, previous.id());
        } else if (before != null) {
            moderator = before.moderator(); // admitted before the server restarted: same standing
        } else {
            try {
                moderator = service.access().admit(roomName, role.wireName(), existed, invite.isEmpty() ? null : invite,
                        token.isEmpty() ? null : token).moderator();
            } catch (org.duet.mixer.access.RoomAccess.Denied d) {
                throw new SignalingException(ErrorCode.FORBIDDEN, d.getMessage());
            }
        }
        RoomDirectory.Reservation reservation;
        try {
            reservation = service.directory().reserve(me, false, clientAddress, resume.isEmpty() ? null : resume);
        } catch (SignalingException e) {
            if (moderator && !existed && previous == null) {
                service.access().forget(roomName); // the room was never made: its invites must not linger
            }
            throw e;
        }
        service.access().setModerator(roomName, me.id(), moderator);
        service.persistJoin(me, reservation.resumeToken(), moderator);
        if (previous != null) {
            service.access().setModerator(roomName, previous.id(), false);
        }
        synchronized (this) {
            if (closed) {
                service.directory().release(roomName, me.id());
                return;
            }
            member = me;
            room = reservation.room();
            joinedNanos = System.nanoTime();
            resumeToken = reservation.resumeToken();
        }
        LOG.info("{} joined room {} as {} ({}{})", out.describe(), roomName, role.wireName(), me.id(),
                resume.isEmpty() ? "" : ", resuming");
        out.send(Messages.joined(me, service.settings(), service.directory().roster(roomName),
                reservation.resumeToken(), moderator, moderator ? service.access().invites(roomName) : null));
        SignalingExtension ext = service.extension();
        if (ext != null) {
            ext.onJoin(me, out);
        }
    }

    private void offer(JsonNode msg) throws SignalingException {
        String sdp = text(msg, "sdp", true);
        Member me;
        Room r;
        synchronized (this) {
            me = requireJoined("offer");
            if (peer != null) {
                throw new SignalingException(ErrorCode.NEGOTIATION_FAILED,
                        "renegotiation is not supported; leave and join again");
            }
            r = room;
        }
        WebRtcPeerFactory factory = service.peers();
        if (factory == null) {
            throw new SignalingException(ErrorCode.WEBRTC_UNAVAILABLE, "this server has no WebRTC transport");
        }
        WebRtcPeer created = factory.answer(me.id(), me.role(), sdp);
        Participant joined;
        try {
            joined = r.join(me.id(), me.role(), created.transport(), created.mediaFormat());
        } catch (RoleTakenException e) {
            created.close();
            throw new SignalingException(ErrorCode.ROLE_TAKEN, e.getMessage());
        } catch (RuntimeException e) {
            created.close();
            throw new SignalingException(ErrorCode.NEGOTIATION_FAILED, "the mixer refused the media: "
                    + e.getMessage());
        }
        boolean stillHere;
        synchronized (this) {
            stillHere = !closed && member == me;
            if (stillHere) {
                peer = created;
                participant = joined;
            }
        }
        if (!stillHere) {
            r.leave(me.id());
            created.close();
            return;
        }
        out.send(Messages.answer(created.answerSdp()));
        created.trickleLocalCandidates(c -> out.send(Messages.candidate(c)));
        // A failed or browser-closed connection frees the role, socket and thread at once (not on
        // the WebSocket's idle timeout); the release runs off the transport's own threads.
        created.onEnded(reason -> service.later(() -> mediaEnded(me, reason)));
    }

    private void candidate(JsonNode msg) throws SignalingException {
        JsonNode c = msg.get("candidate");
        if (c != null && !c.isNull() && !c.isTextual()) {
            throw new SignalingException(ErrorCode.BAD_MESSAGE, "\"candidate\" must be a string");
        }
        IceCandidate candidate = new IceCandidate(c == null || c.isNull() ? "" : c.asText(),
                msg.hasNonNull("sdpMid") ? msg.get("sdpMid").asText() : null, msg.path("sdpMLineIndex").asInt(0));
        WebRtcPeer p;
        synchronized (this) {
            requireJoined("candidate");
            p = peer;
        }
        if (p == null) {
            throw new SignalingException(ErrorCode.NOT_JOINED, "send the offer before ICE candidates");
        }
        p.addRemoteCandidate(candidate);
    }

    /** A moderator takes a member out of the room (and its role): {@code {"type":"revoke","participantId":...}}. */
    private void revoke(JsonNode msg) throws SignalingException {
        Member me = requireModerator("revoke");
        String id = text(msg, "participantId", true);
        if (service.directory().member(me.room(), id) == null) {
            throw new SignalingException(ErrorCode.BAD_MESSAGE, "no participant " + RoomDirectory.quote(id) + " in this room");
        }
        Room r = service.directory().room(me.room());
        service.directory().remove(me.room(), id, "the moderator took your role");
        if (r != null) {
            r.leave(id);
        }
        service.access().setModerator(me.room(), id, false);
    }

    /**
     * A moderator gives a listener a singer role: {@code {"type":"assign","participantId":...,"role":"singer-b"}}.
     * The listener gets the room's singer invite in an {@code assigned} message and joins again with it.
     */
    private void assign(JsonNode msg) throws SignalingException {
        Member me = requireModerator("assign");
        String id = text(msg, "participantId", true);
        Role role = service.directory().parseRole(text(msg, "role", true));
        Member target = service.directory().member(me.room(), id);
        if (target == null) {
            throw new SignalingException(ErrorCode.BAD_MESSAGE, "no participant " + RoomDirectory.quote(id) + " in this room");
        }
        org.duet.mixer.access.RoomAccess.Invites inv = service.access().invites(me.room());
        if (target.listener() instanceof SignalingSession s) {
            s.out.send(Messages.assigned(role.wireName(), inv == null ? "" : inv.singer()));
        }
    }

    private Member requireModerator(String what) throws SignalingException {
        Member me;
        synchronized (this) {
            me = requireJoined(what);
        }
        if (!service.access().isModerator(me.room(), me.id())) {
            throw new SignalingException(ErrorCode.FORBIDDEN, "only the room's moderator may " + what);
        }
        return me;
    }

    private Member requireJoined(String what) throws SignalingException {
        if (member == null) {
            throw new SignalingException(ErrorCode.NOT_JOINED, "join a room before sending " + what);
        }
        return member;
    }

    /** Leaves the room (if joined) and frees media; the socket stays open for another join. */
    private void leave(String reason) {
        Member me;
        Room r;
        WebRtcPeer p;
        synchronized (this) {
            me = member;
            r = room;
            p = peer;
            member = null;
            room = null;
            peer = null;
            participant = null;
        }
        if (me == null) {
            return;
        }
        release(me, r, p);
        out.send(Messages.left(reason));
    }

    private void release(Member me, Room r, WebRtcPeer p) {
        String token;
        synchronized (this) {
            token = resumeToken;
            resumeToken = null;
        }
        service.persistLeave(token);
        if (p != null) {
            r.leave(me.id());
            p.close();
        }
        service.directory().release(me.room(), me.id());
        SignalingExtension ext = service.extension();
        if (ext != null) {
            ext.onLeave(me);
        }
        LOG.info("{} left room {} ({})", out.describe(), me.room(), me.id());
    }

    /** The socket closed: free everything this client held. */
    public void onClose() {
        Member me;
        Room r;
        WebRtcPeer p;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            me = member;
            r = room;
            p = peer;
            member = null;
            peer = null;
            participant = null;
        }
        if (me != null) {
            release(me, r, p);
        }
        service.forget(this, clientAddress);
    }

    /** Refused at open (a socket cap): nothing to release later. */
    synchronized void markClosed() {
        closed = true;
    }

    /** The media of {@code who} ended: if it is still this session's member, leave and tell the client why. */
    private void mediaEnded(Member who, String reason) {
        Room r;
        WebRtcPeer p;
        synchronized (this) {
            if (member != who) {
                return; // already left, or joined again since
            }
            r = room;
            p = peer;
            member = null;
            room = null;
            peer = null;
            participant = null;
        }
        release(who, r, p);
        service.countMediaEnded();
        out.send(Messages.error(ErrorCode.MEDIA_ENDED, reason, null));
        out.send(Messages.left(reason));
    }

    /**
     * Releases a role whose media never came up, or whose browser stopped its consent checks, for
     * longer than {@code duet.limits.media-timeout} (15 s): a client cannot hold a singer role
     * without singing. Called about once a second by the signaling timer.
     */
    void checkMedia(long nowNanos) {
        Member me;
        WebRtcPeer p;
        long since;
        synchronized (this) {
            me = member;
            p = peer;
            since = joinedNanos;
        }
        long timeout = service.directory().limits().mediaTimeout().toNanos();
        if (me == null || nowNanos - since < timeout) {
            return;
        }
        if (p == null) {
            mediaEnded(me, "no audio connection within " + timeout / 1_000_000_000 + " s of joining; the role is free again");
        } else if (!"connected".equals(p.connectionState())) {
            mediaEnded(me, "the audio connection did not come up within " + timeout / 1_000_000_000
                    + " s; the role is free again");
        } else if (p.consentAgeMillis() > timeout / 1_000_000) {
            mediaEnded(me, "no sign of life from your browser for " + timeout / 1_000_000_000
                    + " s; the role is free again");
        }
    }

    private void clockSample(JsonNode msg) throws SignalingException {
        Room r;
        Participant p;
        synchronized (this) {
            r = room;
            p = participant;
        }
        ClockPing.sample(msg, r, p == null ? null : p.id());
    }

    private void syncCommand(JsonNode msg) throws SignalingException {
        Room r;
        Participant p;
        synchronized (this) {
            r = room;
            p = participant;
        }
        SyncCommands.handle(msg, r, p == null ? null : p.id(), p != null && p.role().isSinger());
        SignalingService.rememberSyncMode(service.store(), r.name(), msg); // r is set: handle refuses without a room
    }

    /** Called by the stats pusher. */
    void pushStats(MixerStats mixerStats) {
        Participant p;
        WebRtcPeer connection;
        synchronized (this) {
            p = participant;
            connection = peer;
        }
        if (p != null) {
            Room r;
            synchronized (this) {
                r = room;
            }
            out.send(Messages.stats(p, connection.connectionState(), mixerStats,
                    r == null ? null : SyncCommands.state(r.syncState(), p.id())));
        }
    }

    @Override
    public void rosterChanged(List<Member> roster) {
        Member me;
        synchronized (this) {
            me = member;
        }
        if (me != null) {
            out.send(Messages.roster(me, roster));
        }
    }

    @Override
    public void removed(String reason) {
        WebRtcPeer p;
        Member me;
        String token;
        synchronized (this) {
            me = member;
            p = peer;
            token = resumeToken;
            resumeToken = null;
            member = null;
            room = null;
            peer = null;
            participant = null;
        }
        if (me != null && p != null) {
            p.close(); // the operator already removed the engine participant
        }
        service.persistLeave(token);
        SignalingExtension ext = service.extension();
        if (me != null && ext != null) {
            ext.onLeave(me);
        }
        out.send(Messages.error(ErrorCode.REMOVED, reason, null));
        out.send(Messages.left(reason));
    }

    private static String text(JsonNode msg, String field, boolean required) throws SignalingException {
        JsonNode v = msg.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw new SignalingException(ErrorCode.BAD_MESSAGE, "\"" + field + "\" is missing");
            }
            return "";
        }
        if (!v.isTextual()) {
            throw new SignalingException(ErrorCode.BAD_MESSAGE, "\"" + field + "\" must be a string");
        }
        return v.asText();
    }

    private static String newParticipantId() {
        return "p" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
