package org.duet.mixer.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import org.duet.mixer.config.DuetConfig;
import org.duet.mixer.demo.RtpPeer;
import org.duet.mixer.demo.TestSignal;
import org.duet.mixer.mix.BackingTrack;
import org.duet.mixer.room.DuetMixer;
import org.duet.mixer.room.Participant;
import org.duet.mixer.room.Role;
import org.duet.mixer.room.Room;
import org.duet.mixer.testing.CodecWarmUp;
import org.duet.mixer.testing.SignalAnalysis;
import static org.duet.mixer.testing.PeerJoin.join;
import org.junit.jupiter.api.Test;

/**
 * Two plain-RTP singers and a listener on loopback, real UDP and real Opus: decode what each one
 * received and check who is in which mix.
 */
class PlainRtpDuetTest {

    // Frequencies where Opus's own coding noise (of the other voice and the backing track) stays
    // more than 100 dB below a voice, so "own voice at least 90 dB down" measures the mixer, not
    // the codec: with 330/2500 Hz voices and a 1 kHz backing track the codec leaves 113 to 127 dB
    // (libopus and Concentus alike); 440/660 Hz would leave only about 70 dB.
    private static final double A_HZ = 330;
    private static final double B_HZ = 2500;
    private static final double BACKING_HZ = 1000;

    @org.junit.jupiter.api.BeforeAll
    static void warmUp() {
        CodecWarmUp.run(); // so the first seconds are not spent running the codec interpreted
    }

    @Test
    void mixMinusLeavesOwnVoiceOutAndListenerHearsEverything() throws Exception {
        try (DuetMixer mixer = DuetMixer.start(DuetConfig.withOverrides("duet.mixer.loops = 1"));
             RtpPeer a = new RtpPeer("a", 111);
             RtpPeer b = new RtpPeer("b", 111);
             RtpPeer listener = new RtpPeer("l", 111)) {
            Room room = mixer.openRoom("duet-test");
            float[] backing = TestSignal.toneWithClicks(48_000 * 2, BACKING_HZ, 0.1f, 0, 0);
            room.setBackingTrack(new BackingTrack(backing, true), 1f);
            Participant pa = join(room, "a", Role.singer("a"), a);
            join(room, "b", Role.singer("b"), b);
            join(room, "l", Role.LISTENER, listener);

            int samples = 48_000 * 4;
            a.startSending(TestSignal.toneWithClicks(samples, A_HZ, 0.3f, 0, 0));
            b.startSending(TestSignal.toneWithClicks(samples, B_HZ, 0.3f, 0, 0));
            a.awaitSent(10_000);
            b.awaitSent(10_000);
            Thread.sleep(200);

            float[] heardByA = a.receivedAudio();
            float[] heardByB = b.receivedAudio();
            float[] heardByListener = listener.receivedAudio();
            assertThat(heardByA.length).as("A received audio").isGreaterThanOrEqualTo(48_000 * 3);
            assertThat(heardByB.length).as("B received audio").isGreaterThanOrEqualTo(48_000 * 3);
            assertThat(heardByListener.length).as("listener received audio").isGreaterThanOrEqualTo(48_000 * 3);

            // Analyse a steady stretch after start-up: seconds 1 to 3.
            int from = 48_000;
            int len = 48_000 * 2;
            double aHearsB = SignalAnalysis.medianToneLevelDb(heardByA, from, len, B_HZ);
            double aHearsA = SignalAnalysis.medianToneLevelDb(heardByA, from, len, A_HZ);
            double bHearsA = SignalAnalysis.medianToneLevelDb(heardByB, from, len, A_HZ);
            double bHearsB = SignalAnalysis.medianToneLevelDb(heardByB, from, len, B_HZ);
            // Own voice over everything received after the first second, in the windows the partner is heard.
            SignalAnalysis.OwnVoice aOwn = SignalAnalysis.ownVoiceWhilePartnerHeard(heardByA, from,
                    heardByA.length - from, B_HZ, A_HZ);
            SignalAnalysis.OwnVoice bOwn = SignalAnalysis.ownVoiceWhilePartnerHeard(heardByB, from,
                    heardByB.length - from, A_HZ, B_HZ);
            System.out.printf("a_hears_b %.1f dB, a_hears_a %.1f dB, b_hears_a %.1f dB, b_hears_b %.1f dB%n"
                    + "own voice: a %s; b %s%n", aHearsB, aHearsA, bHearsA, bHearsB, aOwn, bOwn);
            for (Participant p : room.participants()) {
                System.out.println(p + ": " + p.stats());
            }

            assertThat(aHearsB).as("A hears B").isGreaterThan(-20);
            assertThat(bHearsA).as("B hears A").isGreaterThan(-20);
            assertOwnVoiceOut("A", aOwn);
            assertOwnVoiceOut("B", bOwn);

            assertThat(SignalAnalysis.medianToneLevelDb(heardByListener, from, len, A_HZ)).as("listener hears A")
                    .isGreaterThan(-20);
            assertThat(SignalAnalysis.medianToneLevelDb(heardByListener, from, len, B_HZ)).as("listener hears B")
                    .isGreaterThan(-20);
            for (float[] heard : new float[][] {heardByA, heardByB, heardByListener}) {
                assertThat(SignalAnalysis.medianToneLevelDb(heard, from, len, BACKING_HZ)).as("backing track in every mix")
                        .isGreaterThan(-26);
            }
            assertThat(pa.stats().forwarding()).as("a mix with a backing track is mixed, not forwarded").isFalse();
        }
    }

    /**
     * A singer's own voice is not in their mix, read in the half seconds that can show a tone 90 dB
     * down: a gap or a concealed packet on a loaded machine splatters every frequency alike
     * (SignalAnalysis.ownVoiceWhilePartnerHeard), a leak is a tone in every window.
     */
    private static void assertOwnVoiceOut(String who, SignalAnalysis.OwnVoice own) {
        assertThat(own.cleanWindows()).as("clean half seconds in which %s hears the partner (of %d)", who,
                own.windows()).isGreaterThanOrEqualTo(2);
        assertThat(own.cleanRejectionDb()).as("%s's own voice, dB below the partner's, clean half seconds", who)
                .isGreaterThanOrEqualTo(90);
    }

    @Test
    void singleVoiceMixMinusIsForwardedUntouched() throws Exception {
        try (DuetMixer mixer = DuetMixer.start(DuetConfig.withOverrides("duet.mixer.loops = 1"));
             RtpPeer a = new RtpPeer("a", 111);
             RtpPeer b = new RtpPeer("b", 111)) {
            Room room = mixer.openRoom("forward-test");
            Participant pa = join(room, "a", Role.singer("a"), a);
            join(room, "b", Role.singer("b"), b);
            int samples = 48_000 * 3;
            a.startSending(TestSignal.toneWithClicks(samples, A_HZ, 0.3f, 0, 0));
            b.startSending(TestSignal.toneWithClicks(samples, B_HZ, 0.3f, 0, 0));
            a.awaitSent(10_000);
            b.awaitSent(10_000);
            Thread.sleep(200);

            assertThat(pa.stats().forwarding()).as("A's mix is exactly B's voice: forwarded").isTrue();
            float[] heardByA = a.receivedAudio();
            assertThat(heardByA.length).isGreaterThan(48_000);
            int from = 24_000;
            int len = 96_000;
            assertThat(SignalAnalysis.medianToneLevelDb(heardByA, from, len, B_HZ)).isGreaterThan(-20);
            SignalAnalysis.OwnVoice aOwn = SignalAnalysis.ownVoiceWhilePartnerHeard(heardByA, from, len, B_HZ, A_HZ);
            System.out.println("forwarded, own voice: a " + aOwn);
            assertOwnVoiceOut("A", aOwn);
            assertThat(a.packetsReceived()).as("every packet B sent reached A")
                    .isGreaterThanOrEqualTo((int) b.packetsSent() - 2);
        }
    }
}
