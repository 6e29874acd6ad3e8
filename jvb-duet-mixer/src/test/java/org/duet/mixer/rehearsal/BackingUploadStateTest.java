package org.duet.mixer.rehearsal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.duet.mixer.config.DuetConfig;
import org.duet.mixer.room.DuetMixer;
import org.duet.mixer.room.Role;
import org.duet.mixer.signaling.Member;
import org.duet.mixer.signaling.MemberListener;
import org.duet.mixer.signaling.Messages;
import org.duet.mixer.signaling.Outbox;
import org.duet.mixer.testing.TestAudioFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a page sees around an upload: "loading" while the file is decoded, and not after, even
 * when a bad file is refused at once (the worker may finish before the request thread looks
 * again); a refused file leaves the playing track as it was.
 */
class BackingUploadStateTest {

    @TempDir
    Path dir;

    @Test
    void loadingEndsWithEveryUploadAndARefusalChangesNothing() throws Exception {
        try (DuetMixer mixer = DuetMixer.start(DuetConfig.withOverrides("duet.mixer.loops = 1"));
             RehearsalService rehearsal = new RehearsalService(mixer, RehearsalSettings.from(
                     DuetConfig.withOverrides("duet.rehearsal.takes.dir = \"" + dir + "\"").raw()))) {
            List<String> sent = new CopyOnWriteArrayList<>();
            Outbox out = new Outbox() {
                @Override
                public void send(String json) {
                    sent.add(json);
                }

                @Override
                public void close(int statusCode, String reason) {
                }

                @Override
                public String describe() {
                    return "test page";
                }
            };
            Member singer = new Member("p1", "upload", Role.singer("a"), "Ann", Member.Kind.WEBRTC, MemberListener.NONE);
            rehearsal.onJoin(singer, out);
            rehearsal.onMessage(singer, Messages.JSON.readTree("{\"type\":\"rehearsal\"}"), out);

            rehearsal.uploadBacking("upload", "Ann", "tone.wav", TestAudioFiles.wav(30, 48_000, 1, 1000, 0.25))
                    .get(30, TimeUnit.SECONDS);
            rehearsal.backingStart("upload");
            assertThat(settledState(sent).path("loading").isNull()).as("loading after a good file").isTrue();

            byte[][] bad = {{1, 2, 3, 4}, "RIFF\0\0\0\0WAVEjunk".getBytes(java.nio.charset.StandardCharsets.US_ASCII)};
            String[] codes = {"unsupported-format", "corrupt-file"};
            for (int i = 0; i < 40; i++) {
                try {
                    rehearsal.uploadBacking("upload", "Ann", "bad" + i, bad[i % 2]).get(30, TimeUnit.SECONDS);
                    throw new AssertionError("bad file " + i + " accepted");
                } catch (ExecutionException e) {
                    assertThat(((RehearsalException) e.getCause()).code()).isEqualTo(codes[i % 2]);
                }
                JsonNode state = settledState(sent);
                assertThat(state.path("loading").isNull()).as("loading shown after refused file %d", i).isTrue();
                assertThat(state.path("backing").path("name").asText()).isEqualTo("tone.wav");
                assertThat(state.path("backing").path("playing").asBoolean()).isTrue();
            }
        }
    }

    /** The newest state once "loading" went away, or after 2 s the newest state anyway. */
    private static JsonNode settledState(List<String> sent) throws Exception {
        long deadline = System.nanoTime() + 2_000_000_000L;
        JsonNode state = lastState(sent);
        while (!state.path("loading").isNull() && System.nanoTime() < deadline) {
            Thread.sleep(5);
            state = lastState(sent);
        }
        return state;
    }

    private static JsonNode lastState(List<String> sent) throws Exception {
        for (int i = sent.size() - 1; i >= 0; i--) {
            JsonNode n = Messages.JSON.readTree(sent.get(i));
            if (n.path("type").asText().equals("rehearsal")) {
                return n;
            }
        }
        throw new AssertionError("no rehearsal state sent");
    }
}
