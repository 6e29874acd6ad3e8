package org.duet.mixer.record;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.duet.mixer.clock.ServerClock;
import org.duet.mixer.config.DuetConfig;
import org.duet.mixer.session.MediaFactory;
import org.duet.mixer.session.RoomMedia;
import org.duet.mixer.sim.BurstFinder;
import org.duet.mixer.sync.Metronome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A take records the metronome as its own track, on the take's timeline, where the listener mix
 * plays it: a room (the real {@link RoomMedia}, ticked in simulated time) plays a 120 bpm
 * metronome while a take records; metronome.opus and mix.opus are decoded and every beat found in
 * both, at the same position, and at the metronome's own schedule.
 */
class MetronomeTrackTest {

    @TempDir
    Path dir;

    @Test
    void theMetronomeIsATrackOnTheTakeTimeline() throws Exception {
        long t0 = System.nanoTime();
        ServerClock clock = new ServerClock(t0);
        DuetConfig config = DuetConfig.withOverrides("duet.adapt.enabled = false");
        MediaFactory factory = new MediaFactory(config, clock);
        RoomMedia room = new RoomMedia(clock, factory.newOutput("take/listeners", null), true, 1_000_000_000L);
        long tick = ServerClock.samplesToNanos(config.tickSamples());
        long now = t0;
        room.tick(now);
        Metronome metronome = new Metronome(120, 4, true, 0);
        room.setMetronome(metronome);
        long start = clock.toSamples(now) + 4_800;
        TakeStore store = new TakeStore(dir, 10, 10L << 20);
        TakeInfo info = store.begin("room", "metronome", 1.7e12, start);
        List<TakeInfo> seen = new ArrayList<>();
        TakeWriter writer = TakeWriter.start(store, info, 2_048, seen::add); // the loop outruns real time here
        room.setRecorder(writer.recorder());
        for (int i = 0; i < 500; i++) { // 5 s
            now += tick;
            room.tick(now);
        }
        writer.recorder().end(clock.toSamples(now));
        room.setRecorder(null);
        assertThat(writer.await(60_000)).as("writer finished").isTrue(); // a loaded machine: the writer is behind
        assertThat(writer.info().status()).isEqualTo(TakeInfo.DONE);
        assertThat(writer.info().tracks()).extracting(TakeInfo.Track::kind).contains("metronome", "mix");

        OggOpusFiles.Contents track = OggOpusFiles.read(dir.resolve(info.id()).resolve("metronome.opus"));
        OggOpusFiles.Contents mix = OggOpusFiles.read(dir.resolve(info.id()).resolve("mix.opus"));
        assertThat(track.decodeErrors()).isZero();
        BurstFinder beat = new BurstFinder(Metronome.BEAT_HZ, Metronome.CLICK_SAMPLES, false);
        BurstFinder accent = new BurstFinder(Metronome.ACCENT_HZ, Metronome.CLICK_SAMPLES, false);
        int found = 0;
        for (long k = 0; ; k++) {
            long at = metronome.beatPosition(k) - start; // where beat k belongs on the take's timeline
            if (at + 2_000 > mix.audio().length) {
                break;
            }
            if (at < 200) {
                continue;
            }
            BurstFinder f = k % 4 == 0 ? accent : beat;
            BurstFinder.Found inTrack = f.find(track.audio(), (int) at - 480, (int) at + 480, 0.2);
            BurstFinder.Found inMix = f.find(mix.audio(), (int) at - 480, (int) at + 480, 0.2);
            assertThat(inTrack).as("beat %d in the metronome track", k).isNotNull();
            assertThat(inMix).as("beat %d in the listener mix", k).isNotNull();
            // Both went through one Opus encode (2.5 ms look-ahead, taken off by the files' pre-skip).
            assertThat(Math.abs(inTrack.onset() - at)).as("beat %d in the track at its schedule", k).isLessThan(24);
            assertThat(Math.abs(inTrack.onset() - inMix.onset())).as("beat %d: track and mix agree", k).isLessThan(3);
            found++;
        }
        System.out.printf("metronome track: %d beats at their schedule and with the listener mix (%d / %d samples)%n", found, track.audio().length, mix.audio().length);
        assertThat(found).isGreaterThanOrEqualTo(7);
        room.closeAll();
    }
}
