package org.duet.mixer.demo;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import org.duet.mixer.config.DuetConfig;
import org.duet.mixer.mix.BackingTrack;
import org.duet.mixer.room.DuetMixer;
import org.duet.mixer.format.MediaFormat;
import org.duet.mixer.room.Role;
import org.duet.mixer.room.Room;
import org.duet.mixer.transport.UdpTransport;

/**
 * A duet with no browser: two plain-RTP singers on loopback (a 440 Hz and a 660 Hz voice with
 * clicks), a metronome backing track, and a listener. Writes what the listener and each singer
 * heard to WAV files and prints where. Shows the engine end to end on real UDP sockets.
 */
public final class PlainRtpDemo {

    private PlainRtpDemo() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 6;
        Path outDir = Path.of(args.length > 1 ? args[1] : "target/duet-demo");
        run(DuetConfig.load(), seconds, outDir);
    }

    public static void run(DuetConfig config, int seconds, Path outDir) throws Exception {
        try (DuetMixer mixer = DuetMixer.start(config);
             RtpPeer a = new RtpPeer("singer-a", 111);
             RtpPeer b = new RtpPeer("singer-b", 111);
             RtpPeer listener = new RtpPeer("listener", 111)) {
            Room room = mixer.openRoom("demo");
            room.setBackingTrack(new BackingTrack(TestSignal.metronome(seconds + 2, 100), true), 0.3f);
            join(room, "a", Role.singer("a"), a);
            join(room, "b", Role.singer("b"), b);
            join(room, "l", Role.LISTENER, listener);
            int samples = seconds * 48_000;
            a.startSending(TestSignal.toneWithClicks(samples, 440, 0.3f, 48_000, 12_000));
            b.startSending(TestSignal.toneWithClicks(samples, 660, 0.3f, 48_000, 12_000));
            a.awaitSent(seconds * 1000L + 5000);
            b.awaitSent(seconds * 1000L + 5000);
            Thread.sleep(300);
            WavFile.write(outDir.resolve("listener.wav"), listener.receivedAudio());
            WavFile.write(outDir.resolve("singer-a-hears.wav"), a.receivedAudio());
            WavFile.write(outDir.resolve("singer-b-hears.wav"), b.receivedAudio());
            System.out.println("duet demo: listener mix written to " + outDir.resolve("listener.wav").toAbsolutePath());
            System.out.println("duet demo: singer A's mix-minus (B + backing) in "
                    + outDir.resolve("singer-a-hears.wav").toAbsolutePath());
            System.out.println("duet demo: singer B's mix-minus (A + backing) in "
                    + outDir.resolve("singer-b-hears.wav").toAbsolutePath());
        }
    }

    private static void join(Room room, String id, Role role, RtpPeer peer) throws Exception {
        UdpTransport t = UdpTransport.open(new InetSocketAddress("127.0.0.1", 0), peer.localAddress());
        room.join(id, role, t, MediaFormat.opusDefaults());
        peer.connect(t.localAddress());
        peer.startReceiving();
    }
}
