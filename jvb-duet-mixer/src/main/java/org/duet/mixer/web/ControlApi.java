package org.duet.mixer.web;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.duet.mixer.room.DuetMixer;
import org.duet.mixer.format.MediaFormat;
import org.duet.mixer.room.Participant;
import org.duet.mixer.room.Role;
import org.duet.mixer.room.RoleTakenException;
import org.duet.mixer.room.Room;
import org.duet.mixer.signaling.ErrorCode;
import org.duet.mixer.signaling.Member;
import org.duet.mixer.signaling.MemberListener;
import org.duet.mixer.signaling.Messages;
import org.duet.mixer.signaling.RoomDirectory;
import org.duet.mixer.signaling.SignalingException;
import org.duet.mixer.store.RoomStore;
import org.duet.mixer.transport.UdpTransport;
import org.duet.mixer.web.HttpJson.HttpError;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The HTTP control API of docs/signaling.md: plain-RTP participants (what the benchmark and
 * other non-browser peers use), backing tracks and stats. JSON in, JSON out; bad input is a 4xx
 * with {@code {"error": "..."}}.
 */
final class ControlApi extends Handler.Abstract {

    private static final Pattern RTP_PARTICIPANTS = Pattern.compile("/api/rooms/([^/]+)/rtp-participants");
    private static final Pattern PARTICIPANT = Pattern.compile("/api/rooms/([^/]+)/participants/([^/]+)");
    private static final Pattern BACKING_TRACK = Pattern.compile("/api/rooms/([^/]+)/backing-track");
    private static final Pattern SYNC = Pattern.compile("/api/rooms/([^/]+)/sync");
    private static final Pattern HOST_PORT = Pattern.compile("\\[?([0-9A-Fa-f:.]+)]?:(\\d{1,5})");

    private final DuetMixer mixer;
    private final RoomDirectory directory;
    private final WebSettings settings;
    private final ApiGuard guard;
    /** UDP sockets this API opened, keyed by room + "/" + id, closed when the participant goes. */
    private final Map<String, UdpTransport> rtpTransports = new ConcurrentHashMap<>();

    ControlApi(DuetMixer mixer, RoomDirectory directory, WebSettings settings) {
        this.mixer = mixer;
        this.directory = directory;
        this.settings = settings;
        this.guard = new ApiGuard(settings);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        if (!path.startsWith("/api/")) {
            return false;
        }
        String method = request.getMethod();
        try {
            guard.check(request);
            Matcher m;
            if (path.equals("/api/stats")) {
                requireMethod(method, HttpMethod.GET);
                HttpJson.json(response, callback, 200, StatsJson.of(mixer));
            } else if ((m = RTP_PARTICIPANTS.matcher(path)).matches()) {
                requireMethod(method, HttpMethod.POST);
                HttpJson.json(response, callback, 200, addRtpParticipant(m.group(1), HttpJson.readObject(request)));
            } else if ((m = PARTICIPANT.matcher(path)).matches()) {
                requireMethod(method, HttpMethod.DELETE);
                removeParticipant(m.group(1), m.group(2));
                HttpJson.noContent(response, callback);
            } else if ((m = BACKING_TRACK.matcher(path)).matches()) {
                requireMethod(method, HttpMethod.PUT);
                setBackingTrack(m.group(1), HttpJson.readObject(request));
                HttpJson.noContent(response, callback);
            } else if ((m = SYNC.matcher(path)).matches()) {
                HttpJson.json(response, callback, 200, sync(m.group(1), method, request)); // docs/sync.md
            } else {
                throw new HttpError(404, "no such API: " + path);
            }
        } catch (HttpError e) {
            HttpJson.error(response, callback, e.status, e.getMessage());
        }
        return true;
    }

    private JsonNode addRtpParticipant(String roomName, JsonNode body) throws HttpError {
        String id = requiredText(body, "id");
        Role role = role(requiredText(body, "role"));
        InetSocketAddress remote = body.hasNonNull("remote") ? hostPort(text(body, "remote")) : null;
        int payloadType = body.hasNonNull("payloadType") ? intField(body, "payloadType") : 111;
        if (payloadType < 96 || payloadType > 127) {
            throw new HttpError(400, "payloadType must be a dynamic RTP payload type, 96 to 127");
        }
        try {
            RoomDirectory.checkRoomName(roomName);
            RoomDirectory.checkParticipantId(id);
        } catch (SignalingException e) {
            throw new HttpError(400, e.getMessage());
        }
        if (remote != null) {
            checkReachable(remote);
        }
        if (remote == null && !settings.rtpAllowLatching()) {
            // without it the socket would take whoever sends first: a stranger could capture the role
            throw new HttpError(400, "\"remote\" (ip:port of the participant) is required; latching onto the first"
                    + " sender needs duet.rtp.allow-latching = true");
        }
        return createRtp(roomName, id, role, remote, payloadType, 0);
    }

    /** Creates a plain-RTP participant on {@code localPort} (0: any free port) and records it in the store. */
    private JsonNode createRtp(String roomName, String id, Role role, InetSocketAddress remote, int payloadType,
                               int localPort) throws HttpError {
        Member member = new Member(id, roomName, role, id, Member.Kind.RTP, MemberListener.NONE);
        Room room;
        try {
            room = directory.reserve(member, true);
        } catch (SignalingException e) {
            throw new HttpError(isConflict(e.code()) ? 409 : 400, e.getMessage());
        }
        UdpTransport transport = null;
        try {
            transport = UdpTransport.open(new InetSocketAddress(settings.rtpBindHost(), localPort), remote);
            transport.acceptOnly(payloadType); // latch (if allowed) on a valid RTP packet only; lock its SSRC
            MediaFormat f = MediaFormat.opusDefaults();
            room.join(id, role, transport, new MediaFormat(payloadType, f.channels(), f.inbandFec(), f.dtx(),
                    f.audioLevelExtensionId(), f.absCaptureTimeExtensionId()));
        } catch (RoleTakenException e) {
            undo(roomName, id, transport);
            throw new HttpError(409, e.getMessage());
        } catch (IllegalArgumentException e) {
            undo(roomName, id, transport);
            throw new HttpError(400, e.getMessage());
        } catch (IOException e) {
            undo(roomName, id, transport);
            throw new HttpError(503, "could not open a UDP socket for the participant; try again later");
        }
        rtpTransports.put(roomName + "/" + id, transport);
        InetSocketAddress local = transport.localAddress();
        RoomStore s = store;
        if (s != null) {
            s.putRtp(new RoomStore.RtpRecord(roomName, id, role.wireName(),
                    remote == null ? null : remote.getAddress().getHostAddress() + ":" + remote.getPort(), payloadType,
                    local.getAddress().getHostAddress(), local.getPort()));
        }
        return Messages.JSON.createObjectNode().put("id", id)
                .put("local", local.getAddress().getHostAddress() + ":" + local.getPort());
    }

    private void undo(String roomName, String id, UdpTransport transport) {
        directory.release(roomName, id);
        if (transport != null) {
            transport.close();
        }
    }

    private void removeParticipant(String roomName, String id) throws HttpError {
        Room room = mixer.room(roomName);
        boolean inEngine = false;
        if (room != null) {
            for (Participant p : room.participants()) {
                inEngine |= p.id().equals(id);
            }
        }
        Member member = directory.remove(roomName, id, "removed from room " + roomName + " by the operator");
        if (!inEngine && member == null) {
            throw new HttpError(404, "no participant " + id + " in room " + roomName);
        }
        if (inEngine) {
            room.leave(id);
        }
        RoomStore s = store;
        if (s != null) {
            s.deleteRtp(roomName, id);
        }
        UdpTransport t = rtpTransports.remove(roomName + "/" + id);
        if (t != null) {
            t.close();
        }
    }

    /** GET: the room's timing plan; POST: a timing command, as on the signaling socket. */
    private JsonNode sync(String roomName, String method, Request request) throws HttpError {
        org.duet.mixer.room.Room room = mixer.room(roomName);
        if (room == null) {
            throw new HttpError(404, "no room " + roomName);
        }
        if (HttpMethod.POST.is(method)) {
            try {
                JsonNode command = HttpJson.readObject(request);
                org.duet.mixer.signaling.SyncCommands.handle(command, room, null, true);
                org.duet.mixer.signaling.SignalingService.rememberSyncMode(store, roomName, command);
            } catch (org.duet.mixer.signaling.SignalingException e) {
                throw new HttpError(400, e.getMessage());
            }
        } else {
            requireMethod(method, HttpMethod.GET);
        }
        return org.duet.mixer.signaling.SyncCommands.state(room.syncState(), null);
    }

    private void setBackingTrack(String roomName, JsonNode body) throws HttpError {
        try {
            RoomDirectory.checkRoomName(roomName);
        } catch (SignalingException e) {
            throw new HttpError(400, e.getMessage());
        }
        Path wav = null;
        if (body.hasNonNull("path")) {
            try {
                wav = Path.of(text(body, "path"));
            } catch (java.nio.file.InvalidPathException e) { // a NUL in the name (found by the fuzzer: it was a 500)
                throw new HttpError(400, "path is not a valid file name: " + e.getReason());
            }
            if (!wav.isAbsolute()) {
                throw new HttpError(400, "path must be absolute");
            }
        }
        float gain = 1f;
        if (body.hasNonNull("gain")) {
            JsonNode g = body.get("gain");
            if (!g.isNumber() || !Double.isFinite(g.asDouble()) || g.asDouble() < 0 || g.asDouble() > 4) {
                throw new HttpError(400, "gain must be a number from 0 to 4");
            }
            gain = (float) g.asDouble();
        }
        try {
            mixer.openRoom(roomName).setBackingTrack(wav, gain);
            RoomStore s = store;
            if (s != null) {
                s.putBackingTrack(roomName, wav == null ? null : wav.toString(), gain);
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new HttpError(400, "cannot play " + wav + ": " + e.getMessage());
        }
    }

    private Role role(String wire) throws HttpError {
        try {
            return directory.parseRole(wire);
        } catch (SignalingException e) {
            throw new HttpError(400, e.getMessage());
        }
    }

    /** Parses "ip:port" (or "[v6]:port"). Literal addresses only: the API never resolves names. */
    static InetSocketAddress hostPort(String s) throws HttpError {
        Matcher m = HOST_PORT.matcher(s);
        if (!m.matches()) {
            throw new HttpError(400, "remote must be ip:port with a literal IP address, was '" + s + "'");
        }
        int port = Integer.parseInt(m.group(2));
        if (port < 1 || port > 65535) {
            throw new HttpError(400, "remote port must be 1 to 65535, was " + port);
        }
        String host = m.group(1);
        if (!host.contains(":") && !host.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            throw new HttpError(400, "remote must be ip:port with a literal IP address, was '" + s + "'");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (IOException e) {
            throw new HttpError(400, "remote address " + host + " is not valid");
        }
    }

    /**
     * A remote the participant's socket can send to: unicast, and of the family of
     * {@code duet.rtp.bind-address} (an IPv4 socket cannot reach [::1], found by the fuzzer: it was a 500).
     */
    private void checkReachable(InetSocketAddress remote) throws HttpError {
        InetAddress r = remote.getAddress();
        if (r.isAnyLocalAddress() || r.isMulticastAddress() || r.getHostAddress().equals("255.255.255.255")) {
            throw new HttpError(400, "remote must be a unicast address, was " + r.getHostAddress());
        }
        InetAddress bind;
        try {
            bind = InetAddress.getByName(settings.rtpBindHost());
        } catch (IOException e) {
            return; // a configuration problem; opening the socket reports it
        }
        if (bind.isLoopbackAddress() && !r.isLoopbackAddress()) {
            throw new HttpError(400, "remote " + r.getHostAddress() + " is not on this machine, but duet.rtp.bind-address "
                    + settings.rtpBindHost() + " is a loopback address: set it to an address that reaches the peer");
        }
        boolean bindV6 = bind instanceof java.net.Inet6Address;
        boolean remoteV6 = r instanceof java.net.Inet6Address;
        if (bindV6 != remoteV6 && !(bindV6 && bind.isAnyLocalAddress())) {
            throw new HttpError(400, "remote " + r.getHostAddress() + " is " + (remoteV6 ? "IPv6" : "IPv4")
                    + " but duet.rtp.bind-address " + settings.rtpBindHost() + " is " + (bindV6 ? "IPv6" : "IPv4")
                    + "; use an address of the same family");
        }
    }

    private static boolean isConflict(ErrorCode code) {
        return code == ErrorCode.ROLE_TAKEN || code == ErrorCode.DUPLICATE_ID || code == ErrorCode.ROOM_FULL;
    }

    /**
     * A direct request from this machine. A request relayed by a reverse proxy (which this page's
     * https setup recommends) also arrives from loopback, so one that carries forwarding headers
     * is not treated as local.
     */
    static boolean isLoopback(Request request) {
        return ApiGuard.isDirectLoopback(request); // no proxy header of any kind, peer on loopback
    }

    private static void requireMethod(String actual, HttpMethod expected) throws HttpError {
        if (!expected.is(actual)) {
            throw new HttpError(405, "use " + expected.asString() + " here, not " + actual);
        }
    }

    private static String requiredText(JsonNode body, String field) throws HttpError {
        if (!body.hasNonNull(field)) {
            throw new HttpError(400, "\"" + field + "\" is missing");
        }
        return text(body, field);
    }

    private static String text(JsonNode body, String field) throws HttpError {
        JsonNode v = body.get(field);
        if (!v.isTextual()) {
            throw new HttpError(400, "\"" + field + "\" must be a string");
        }
        return v.asText();
    }

    private static int intField(JsonNode body, String field) throws HttpError {
        JsonNode v = body.get(field);
        if (!v.isInt()) {
            throw new HttpError(400, "\"" + field + "\" must be an integer");
        }
        return v.asInt();
    }

    private volatile RoomStore store;

    /**
     * Records plain-RTP participants and backing tracks in {@code store} from now on, after
     * re-creating those it holds from before a restart on their old UDP ports, so their peers,
     * which keep sending there, are back in the duet without doing anything.
     */
    void useStore(RoomStore store) {
        for (RoomStore.RtpRecord r : store.rtpParticipants()) {
            try {
                createRtp(r.room(), r.id(), directory.parseRole(r.role()), r.remote() == null ? null : hostPort(r.remote()),
                        r.payloadType(), r.localPort());
            } catch (HttpError | SignalingException e) {
                store.deleteRtp(r.room(), r.id());
                org.slf4j.LoggerFactory.getLogger(ControlApi.class).warn("could not restore plain-RTP participant {}/{}: {}",
                        r.room(), r.id(), e.getMessage());
            }
        }
        this.store = store;
    }

    /** Closes the UDP sockets this API opened. */
    void closeAll() {
        rtpTransports.values().forEach(UdpTransport::close);
        rtpTransports.clear();
    }
}
