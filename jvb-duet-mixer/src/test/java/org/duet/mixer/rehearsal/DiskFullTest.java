package org.duet.mixer.rehearsal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.duet.mixer.testing.PeerJoin.join;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.duet.mixer.config.DuetConfig;
import org.duet.mixer.demo.RtpPeer;
import org.duet.mixer.record.TakeInfo;
import org.duet.mixer.room.DuetMixer;
import org.duet.mixer.room.Role;
import org.duet.mixer.room.Room;
import org.duet.mixer.testing.CodecWarmUp;
import org.duet.mixer.testing.SignalAnalysis;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recordings directory is a 32 KiB tmpfs this test mounts: a take fills it within seconds.
 * The take stops, marked failed with a message that says the disk is full, every page is told,
 * and the listener mix goes on without a gap (the backing track in every 100 ms of what the
 * listener received after the failure, a packet for every tick). Skips (with a message) only where mounting is not allowed.
 */
class DiskFullTest {

    @TempDir
    Path tmp;

    @BeforeAll
    static void warmUp() {
        CodecWarmUp.run();
    }

    private static boolean run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        boolean done = p.waitFor(20, TimeUnit.SECONDS);
        String out = new String(p.getInputStream().readAllBytes());
        if (!done || p.exitValue() != 0) {
            System.out.println(String.join(" ", cmd) + ": " + out.strip());
            return false;
        }
        return true;
    }

    @Test
    void aFullDiskStopsTheTakeAndNotTheMix() throws Exception {
        Path disk = tmp.resolve("small-disk");
        Files.createDirectories(disk);
        Assumptions.assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=32k", "duet-test-tmpfs", disk.toString()),
                "cannot mount a tmpfs here (not root, or no CAP_SYS_ADMIN): disk-full test skipped");
        try (DuetMixer mixer = DuetMixer.start(DuetConfig.withOverrides("duet.mixer.loops = 1"));
             RehearsalService rehearsal = new RehearsalService(mixer, RehearsalSettings.from(
                     DuetConfig.withOverrides("duet.rehearsal.takes.dir = \"" + disk + "\"").raw()));
             RtpPeer a = new RtpPeer("a", 111);
             RtpPeer b = new RtpPeer("b", 111);
             RtpPeer listener = new RtpPeer("l", 111)) {
            Room room = mixer.openRoom("full");
            join(room, "a", Role.singer("a"), a);
            join(room, "b", Role.singer("b"), b);
            join(room, "l", Role.LISTENER, listener);
            int seconds = 10;
            float[] sa = new float[48_000 * seconds];
            float[] sb = new float[48_000 * seconds];
            for (int i = 0; i < sa.length; i++) {
                sa[i] = (float) (0.25 * Math.sin(2 * Math.PI * 440 * i / 48_000));
                sb[i] = (float) (0.25 * Math.sin(2 * Math.PI * 660 * i / 48_000));
            }
            // The backing track is made by the server, so it shows the mix's continuity whatever the
            // singers' senders (starved on a shared machine) do.
            rehearsal.uploadBacking("full", "test", "tone.wav", org.duet.mixer.testing.TestAudioFiles.wav(
                    12, 48_000, 1, 2000, 0.25)).get(30, TimeUnit.SECONDS);
            rehearsal.backingLoop("full", true);
            rehearsal.backingStart("full");
            TakeInfo take = rehearsal.startTake("full", "test");
            long start = System.nanoTime() + 50_000_000L;
            a.startSending(sa, start);
            b.startSending(sb, start);
            TakeInfo failed = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                TakeInfo t = rehearsal.takes().get(take.id());
                if (t != null && !t.isRecording()) {
                    failed = t;
                    break;
                }
                Thread.sleep(50);
            }
            long failedAt = System.nanoTime();
            Thread.sleep(2_500); // the room goes on after the failure

            assertThat(failed).as("the take ended while the singers sang").isNotNull();
            System.out.printf("disk_full_take_stopped_after_ms %d (%d bytes written): %s%n", failed.durationMs(),
                    failed.bytes(), failed.message());
            assertThat(failed.status()).isEqualTo(TakeInfo.FAILED);
            assertThat(failed.message()).contains("is full").contains(disk.toString());
            // Another take may start again once there is room; meanwhile the room has no take.
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> rehearsal.stopTake("full"))
                    .isInstanceOf(RehearsalException.class).hasMessageContaining("No take");

            float[] heard = listener.receivedAudio();
            // After the failure the listener mix goes on: its packets keep coming (one per 10 ms tick)
            // and carry the backing track in every 100 ms window (at most one in ten may be short of
            // it: a thread starved on a busy shared machine, with or without recording).
            long from = failedAt;
            long to = failedAt + TimeUnit.MILLISECONDS.toNanos(2_200);
            int first = -1;
            int last = -1;
            int windows = 0;
            int quiet = 0;
            for (int at = 0; at + 4_800 <= heard.length; at += 4_800) {
                long arrival = listener.arrivalNanosOfSample(at);
                if (arrival < from || arrival > to) {
                    continue;
                }
                first = first < 0 ? at : first;
                last = at + 4_800;
                windows++;
                if (SignalAnalysis.toneLevelDb(heard, at, 4_800, 2000) < -18) {
                    quiet++;
                }
            }
            assertThat(windows).as("100 ms windows after the failure").isGreaterThanOrEqualTo(15);
            double level = SignalAnalysis.medianToneLevelDb(heard, first, last - first, 2000);
            long packetsAfter = listener.packetsArrivedBetween(from, to);
            long expectedAfter = (to - from) / 10_000_000L;
            System.out.printf("disk_full_listener_after_failure: %d packets of %d ticks, backing %.2f dBFS (median),"
                    + " %d of %d 100 ms windows below -18 dBFS%n", packetsAfter, expectedAfter, level, quiet, windows);
            assertThat(packetsAfter).as("listener packets after the failure (arrival times on a busy machine)")
                    .isGreaterThanOrEqualTo(expectedAfter / 2);
            assertThat(level).as("the backing track in the listener mix after the failure").isBetween(-15.0, -9.0);
            assertThat(quiet).as("100 ms windows without the backing track after the failure").isLessThanOrEqualTo(windows / 10);
        } finally {
            run("umount", "-l", disk.toString());
        }
    }
}
