package org.duet.coordinator.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.duet.coordinator.testing.FocusStandIn;
import org.duet.coordinator.testing.LocalProsody;
import org.duet.coordinator.testing.Wait;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Session state through the real Prosody 13 with Jitsi's room_metadata_component: two occupants connected
 * as Jitsi Meet pages connect (BOSH, ?room=), one made moderator the way Jicofo does it.
 */
class SessionStateTest {

    private static final Duration T = Duration.ofSeconds(15);
    private final List<AutoCloseable> open = new ArrayList<>();
    private LocalProsody prosody;
    private String room;
    private FocusStandIn focus;

    @BeforeEach
    void setUp() throws Exception {
        prosody = LocalProsody.shared();
        room = "duetstate" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 24));
        focus = new FocusStandIn(prosody.focus(), room + "@" + prosody.get("MUC_DOMAIN"));
        open.add(focus);
    }

    @AfterEach
    void tearDown() {
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    private SessionStateClient join() throws Exception {
        SessionStateClient c = SessionStateClient.join(prosody.boshUrl(), prosody.get("XMPP_DOMAIN"),
                prosody.get("MUC_DOMAIN"), room, prosody.get("METADATA_DOMAIN"), T);
        open.add(c);
        return c;
    }

    private SessionStateClient moderator() throws Exception {
        SessionStateClient a = join();
        focus.grantOwner(a.jid());
        assertThat(Wait.until(T.toMillis(), a::isModerator)).as("moderator role granted").isNotNegative();
        return a;
    }

    @Test
    void moderatorWritesTheSessionAndEveryOccupantReadsIt() throws Exception {
        SessionStateClient a = moderator();
        SessionStateClient b = join();
        assertThat(b.isModerator()).isFalse();

        DuetSession s = DuetSession.start(a.endpointId(), b.endpointId(), a.endpointId());
        long t0 = System.nanoTime();
        a.write(s);
        assertThat(b.awaitMetadata(md -> md.has("duet"), T)).as("b sees the duet key").isTrue();
        assertThat(a.awaitMetadata(md -> md.has("duet"), T)).as("a sees its own write").isTrue();
        System.out.printf("session_state_round_trip_ms %.1f ms (moderator write to broadcast at the other occupant)%n",
                (System.nanoTime() - t0) / 1e6);
        assertThat(b.session()).contains(s);
        assertThat(a.session()).contains(s);
        assertThat(b.session().orElseThrow().roleOf(b.endpointId())).isEqualTo("singer-b");

        // a late joiner gets the state before its join completes (Prosody pushes it before the self-presence)
        SessionStateClient c = join();
        assertThat(c.awaitMetadata(md -> md.has("duet"), T)).isTrue();
        assertThat(c.session()).contains(s);
        assertThat(c.session().orElseThrow().roleOf(c.endpointId())).isEqualTo("listener");

        DuetSession stopped = s.stopped(a.endpointId());
        a.write(stopped);
        assertThat(c.awaitMetadata(md -> !md.path("duet").path("active").asBoolean(true), T)).isTrue();
        assertThat(c.session()).contains(stopped);
    }

    @Test
    void aNonModeratorsWriteIsRefusedAndTheStateStaysUnchanged() throws Exception {
        SessionStateClient a = moderator();
        SessionStateClient b = join();
        DuetSession s = DuetSession.start(a.endpointId(), b.endpointId(), a.endpointId());
        a.write(s);
        assertThat(b.awaitMetadata(md -> md.has("duet"), T)).isTrue();
        long broadcastsBefore = b.broadcasts();

        // b, not a moderator, tries to make itself singer a (a role change) and to write another key
        DuetSession hijack = DuetSession.start(b.endpointId(), a.endpointId(), b.endpointId());
        b.write(hijack);
        b.writeKey("duetProbe", JsonNodeFactory.instance.objectNode().put("by", "b"));
        // then the moderator writes a marker: once everyone sees it, Prosody has handled b's earlier writes
        // (Prosody handles one session's stanzas in order and b's were sent first; we also wait for any bounce)
        Wait.until(2000, () -> b.errorReplies() >= 2);
        a.writeKey("duetMarker", JsonNodeFactory.instance.objectNode().put("n", 1));
        assertThat(b.awaitMetadata(md -> md.has("duetMarker"), T)).isTrue();
        assertThat(a.awaitMetadata(md -> md.has("duetMarker"), T)).isTrue();

        assertThat(b.session()).as("b's write was refused").contains(s);
        assertThat(a.session()).contains(s);
        assertThat(b.metadata().has("duetProbe")).isFalse();
        assertThat(b.broadcasts()).as("only the marker was broadcast").isEqualTo(broadcastsBefore + 1);
        System.out.printf("session_state_refused_writes_bounced %d (error replies to the non-moderator)%n",
                b.errorReplies());
    }

    @Test
    void anInvalidDuetValueInTheRoomIsCountedAndIgnoredByReaders() throws Exception {
        SessionStateClient a = moderator();
        a.writeKey("duet", JsonNodeFactory.instance.objectNode().put("v", 1).put("active", true)
                .set("singers", JsonNodeFactory.instance.objectNode().put("a", "not-an-endpoint")));
        assertThat(a.awaitMetadata(md -> md.has("duet"), T)).isTrue();
        assertThat(a.session()).isEmpty();
        assertThat(a.invalidSessions()).isEqualTo(1);
    }
}
