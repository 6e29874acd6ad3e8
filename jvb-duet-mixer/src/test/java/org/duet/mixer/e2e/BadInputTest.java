package org.duet.mixer.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Random;
import org.duet.mixer.config.DuetConfig;
import org.duet.mixer.demo.RtpPeer;
import org.duet.mixer.demo.TestSignal;
import org.duet.mixer.room.DuetMixer;
import org.duet.mixer.format.MediaFormat;
import org.duet.mixer.room.Participant;
import org.duet.mixer.room.Role;
import org.duet.mixer.room.Room;
import org.duet.mixer.testing.CodecWarmUp;
import org.duet.mixer.testing.SignalAnalysis;
import static org.duet.mixer.testing.PeerJoin.join;
import org.duet.mixer.transport.UdpTransport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Garbage aimed at one singer's socket (random bytes, truncated and malformed RTP, wrong payload
 * types, bad Opus, broken RTCP, oversize datagrams) is dropped and counted; the duet goes on, and
 * a second room on the same media loop is untouched.
 */
class BadInputTest {

    @BeforeAll
    static void warmUp() {
        CodecWarmUp.run();
    }

    @Test
    void garbageIsCountedAndNeverDisturbsTheMix() throws Exception {
        try (DuetMixer mixer = DuetMixer.start(DuetConfig.withOverrides("duet.mixer.loops = 1"));
             RtpPeer a = new RtpPeer("a", 111);
             RtpPeer b = new RtpPeer("b", 111);
             RtpPeer otherA = new RtpPeer("other-a", 111);
             RtpPeer otherB = new RtpPeer("other-b", 111);
             DatagramChannel attacker = DatagramChannel.open()) {
            Room room = mixer.openRoom("attacked");
            Room other = mixer.openRoom("neighbour");
            // A's socket latches onto its first sender: the peer speaks first, then the garbage
            // comes from the same address (the worst case: a broken client, not a stranger).
            UdpTransport aSocket = UdpTransport.open(new InetSocketAddress("127.0.0.1", 0), null);
            Participant pa = room.join("a", Role.singer("a"), aSocket, MediaFormat.opusDefaults());
            join(room, "b", Role.singer("b"), b);
            join(other, "a", Role.singer("a"), otherA);
            join(other, "b", Role.singer("b"), otherB);
            a.connect(aSocket.localAddress());
            a.startReceiving();

            int samples = 48_000 * 4;
            a.startSending(TestSignal.toneWithClicks(samples, 330, 0.3f, 0, 0));
            b.startSending(TestSignal.toneWithClicks(samples, 2000, 0.3f, 0, 0));
            otherA.startSending(TestSignal.toneWithClicks(samples, 330, 0.3f, 0, 0));
            otherB.startSending(TestSignal.toneWithClicks(samples, 2000, 0.3f, 0, 0));

            // A stranger's datagrams: the transport latched onto A, so they never reach the mix.
            // (Garbage from the participant's own address is the next test.)
            attacker.connect(aSocket.localAddress());
            Random rnd = new Random(42);
            Thread.sleep(1000);
            int sent = 0;
            for (int i = 0; i < 2000; i++) {
                byte[] junk = junk(rnd, i);
                try {
                    attacker.write(ByteBuffer.wrap(junk));
                } catch (java.net.PortUnreachableException refused) {
                    // the kernel answers a stranger with ICMP: the latched socket is not theirs
                }
                sent++;
                if (i % 100 == 0) {
                    Thread.sleep(20);
                }
            }
            a.awaitSent(10_000);
            b.awaitSent(10_000);
            otherA.awaitSent(10_000);
            otherB.awaitSent(10_000);
            Thread.sleep(200);

            float[] heardByB = b.receivedAudio();
            float[] neighbourHeard = otherB.receivedAudio();
            // from 1 s in, up to 2 s of what arrived (a starved machine delivers less than was sent)
            int window = Math.min(96_000, Math.min(heardByB.length, neighbourHeard.length) - 48_000);
            assertThat(window).as("at least half a second heard after the first second").isGreaterThanOrEqualTo(24_000);
            assertThat(SignalAnalysis.toneLevelDb(heardByB, 48_000, window, 330)).as("B still hears A").isGreaterThan(-14);
            assertThat(SignalAnalysis.toneLevelDb(neighbourHeard, 48_000, window, 330)).as("other room unaffected")
                    .isGreaterThan(-14);
            assertThat(mixer.stats().packetsDropped()).isZero();
            assertThat(sent).isEqualTo(2000);
            assertThat(pa.stats().packetsIn()).as("A's own packets got through").isGreaterThan(150);
            // None of the stranger's 2000 datagrams reached the socket's reader, let alone the mix:
            // every datagram it read was A's (RTP plus a few RTCP). (A's own packets may still be
            // counted as late or unusable by the jitter buffer on a busy machine.)
            System.out.printf("stranger sent %d, socket read %d (A sent %d RTP), malformed %d, not-RTP %d%n", sent,
                    aSocket.packetsReceived(), a.packetsSent(), pa.stats().malformed(), aSocket.droppedNotRtp());
            assertThat(aSocket.droppedNotRtp() + aSocket.droppedOversize()).as("stranger's junk at the socket").isZero();
            assertThat(aSocket.packetsReceived()).as("only A's packets were read")
                    .isLessThanOrEqualTo(a.packetsSent() + a.packetsSent() / 50 + 5);
        }
    }

    @Test
    void malformedPacketsFromTheParticipantsOwnAddressAreCounted() throws Exception {
        try (DuetMixer mixer = DuetMixer.start(DuetConfig.withOverrides("duet.mixer.loops = 1"));
             DatagramChannel client = DatagramChannel.open();
             RtpPeer b = new RtpPeer("b", 111)) {
            client.bind(new InetSocketAddress("127.0.0.1", 0));
            Room room = mixer.openRoom("broken-client");
            UdpTransport t = UdpTransport.open(new InetSocketAddress("127.0.0.1", 0),
                    (InetSocketAddress) client.getLocalAddress());
            Participant pa = room.join("a", Role.singer("a"), t, MediaFormat.opusDefaults());
            join(room, "b", Role.singer("b"), b);
            b.startSending(TestSignal.toneWithClicks(48_000 * 2, 2000, 0.3f, 0, 0));
            client.connect(t.localAddress());
            Random rnd = new Random(7);
            for (int i = 0; i < 3000; i++) {
                client.write(ByteBuffer.wrap(junk(rnd, i)));
                if (i % 200 == 0) {
                    Thread.sleep(10);
                }
            }
            b.awaitSent(10_000);
            Thread.sleep(200);
            assertThat(pa.stats().malformed()).as("malformed packets counted").isGreaterThan(500);
            // the same drops by stage and reason, mixer-wide (what /metrics exposes), adding up
            var byReason = mixer.drops().snapshot();
            System.out.println("drops by reason: " + byReason);
            long counted = byReason.values().stream().flatMap(m -> m.values().stream()).mapToLong(Long::longValue).sum();
            long refused = 0;
            for (Participant p : room.participants()) { // what each participant's stats call refused
                refused += p.stats().malformed() + p.stats().late() + p.stats().duplicates();
            }
            assertThat(counted).as("every refused packet counted under exactly one reason").isEqualTo(refused);
            assertThat(byReason.get("rtp").values().stream().filter(n -> n > 0).count())
                    .as("several RTP reasons seen, each counted apart").isGreaterThanOrEqualTo(2);
            assertThat(t.droppedOversize() + t.droppedNotRtp()).as("non-RTP and oversize dropped at the socket")
                    .isGreaterThan(500);
            assertThat(mixer.stats().ticks()).isGreaterThan(100);
            assertThat(b.packetsSent()).isGreaterThan(90);
        }
    }

    /** A mix of every kind of bad datagram. */
    private static byte[] junk(Random rnd, int i) {
        switch (i % 7) {
            case 0: { // random bytes
                byte[] b = new byte[1 + rnd.nextInt(300)];
                rnd.nextBytes(b);
                return b;
            }
            case 1: { // truncated RTP header
                byte[] b = new byte[1 + rnd.nextInt(11)];
                b[0] = (byte) 0x80;
                return b;
            }
            case 2: { // RTP with CSRC count and extension bits pointing past the end
                byte[] b = new byte[20];
                b[0] = (byte) 0x9F;
                b[1] = 111;
                return b;
            }
            case 3: { // wrong payload type
                byte[] b = new byte[60];
                b[0] = (byte) 0x80;
                b[1] = 96;
                return b;
            }
            case 4: { // right payload type, invalid Opus (code 3 packet with a zero frame count)
                byte[] b = new byte[16];
                b[0] = (byte) 0x80;
                b[1] = 111;
                b[2] = (byte) (i >> 8);
                b[3] = (byte) i;
                b[12] = (byte) 0x03;
                b[13] = 0;
                return b;
            }
            case 5: { // RTCP with a length field that lies
                byte[] b = new byte[12];
                b[0] = (byte) 0x80;
                b[1] = (byte) 200;
                b[2] = 0;
                b[3] = 50;
                return b;
            }
            default: // oversize
                return new byte[1600 + rnd.nextInt(400)];
        }
    }

}
