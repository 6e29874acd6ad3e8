package org.duet.mixer.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoomStoreTest {

    @TempDir
    Path dir;

    @Test
    void whatIsWrittenIsThereAfterReopening() throws Exception {
        try (RoomStore s = RoomStore.open(dir)) {
            s.putRoom("duet", "singerSecret", "listenerSecret");
            s.putBackingTrack("duet", "/tmp/x.wav", 0.5f);
            s.putRoom("duet", "singerSecret", "listenerSecret"); // keeps the backing track
            s.putBackingTrack("solo", "/tmp/y.wav", 1f);         // a room known only by its track
            s.putMember("tok1", "duet", "singer-a", true);
            s.putMember("tok2", "duet", "singer-b", false);
            s.deleteMember("tok2");
            s.putRtp(new RoomStore.RtpRecord("duet", "a", "singer-a", "127.0.0.1:40000", 111, "127.0.0.1", 50000));
            s.putRtp(new RoomStore.RtpRecord("duet", "b", "singer-b", null, 111, "127.0.0.1", 50002));
        }
        try (RoomStore s = RoomStore.open(dir)) {
            assertThat(s.rooms()).containsExactly(
                    new RoomStore.RoomRecord("duet", "singerSecret", "listenerSecret", "/tmp/x.wav", 0.5f),
                    new RoomStore.RoomRecord("solo", null, null, "/tmp/y.wav", 1f));
            assertThat(s.members()).containsExactly(new RoomStore.MemberRecord("tok1", "duet", "singer-a", true));
            assertThat(s.rtpParticipants()).hasSize(2);
            assertThat(s.rtpParticipants().get(0).localPort()).isEqualTo(50000);
            s.deleteRoom("duet");
            assertThat(s.rooms()).extracting(RoomStore.RoomRecord::name).containsExactly("solo");
            assertThat(s.members()).isEmpty();
            assertThat(s.rtpParticipants()).isEmpty();
        }
    }

    @Test
    void theSyncModeSurvivesReopeningAndOtherWrites() throws Exception {
        try (RoomStore s = RoomStore.open(dir)) {
            s.putSyncMode("duet", "leader-follower", "a");           // a room known only by its mode
            s.putRoom("duet", "singerSecret", "listenerSecret");      // keeps it
            s.putBackingTrack("duet", "/tmp/x.wav", 0.5f);            // keeps it
            s.putSyncMode("other", "live", null);
            s.putSyncMode("other", "leader-follower", null);          // the last one counts
        }
        try (RoomStore s = RoomStore.open(dir)) {
            assertThat(s.rooms()).containsExactly(
                    new RoomStore.RoomRecord("duet", "singerSecret", "listenerSecret", "/tmp/x.wav", 0.5f,
                            "leader-follower", "a"),
                    new RoomStore.RoomRecord("other", null, null, null, 0f, "leader-follower", null));
        }
    }
}
