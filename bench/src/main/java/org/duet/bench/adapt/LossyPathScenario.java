package org.duet.bench.adapt;

import java.net.InetSocketAddress;
import java.util.function.LongPredicate;
import org.duet.mixer.adapt.AdaptationSnapshot;
import org.duet.mixer.config.DuetConfig;
import org.duet.mixer.demo.RtpPeer;
import org.duet.mixer.demo.SingingSignal;
import org.duet.mixer.format.MediaFormat;
import org.duet.mixer.room.DuetMixer;
import org.duet.mixer.room.Participant;
import org.duet.mixer.room.Role;
import org.duet.mixer.room.Room;
import org.duet.mixer.transport.UdpTransport;

/**
 * The adaptation experiment of docs/adaptation.md, on loopback with real UDP and real Opus: two
 * mixers side by side, one adapting and one with adaptation off, each with two singers (so the
 * listener mix is mixed, not forwarded) and listeners behind {@link ImpairedReceiver}s. One
 * listener's path goes clean -> 10 % loss and 100 +- 30 ms jitter -> clean; on the adapting mixer a
 * second listener stays on a clean path. Measures the reaction (loss onset to FEC on and bitrate
 * down, from the server's decision and from the packets), the concealed share of the lossy
 * listener's audio on both mixers, and the time back to the clean settings after recovery.
 * Used by {@code AdaptationEndToEndTest} and by {@code ./duet bench}.
 */
public final class LossyPathScenario {

    /**
     * @param reactionMs        loss onset to the server choosing FEC and a lower bitrate
     * @param fecPacketMs       loss onset to the first received packet carrying in-band FEC
     * @param concealedAdaptive share of played audio concealed, lossy phase, adapting mixer
     * @param concealedFixed    the same on the mixer with adaptation off
     * @param fecShareLossy     share of packets carrying FEC at the lossy listener, lossy phase
     * @param lossyBitrate      bitrate chosen for the lossy listener during the loss
     * @param cleanBitrate      bitrate chosen on a clean path
     * @param recoveryMs        recovery of the path to the clean settings again (-1: not within the wait)
     * @param cleanChanges      setting changes of the second, clean listener (should be 0)
     * @param cleanFrameSamples packet duration the clean listener received at the end
     * @param lossyFrameSamples packet duration the lossy listener received during the loss
     */
    public record Result(double reactionMs, double fecPacketMs, double concealedAdaptive, double concealedFixed,
                         double fecShareLossy, int lossyBitrate, int cleanBitrate, double recoveryMs,
                         long cleanChanges, int cleanFrameSamples, int lossyFrameSamples) {
    }

    private LossyPathScenario() {
    }

    /** Prints one run's result: {@code LossyPathScenario [loss% delayMs jitterMs lossySeconds]}. */
    public static void main(String[] args) throws Exception {
        double loss = args.length > 0 ? Double.parseDouble(args[0]) : 10;
        double delay = args.length > 1 ? Double.parseDouble(args[1]) : 100;
        double jitter = args.length > 2 ? Double.parseDouble(args[2]) : 30;
        long seconds = args.length > 3 ? Long.parseLong(args[3]) : 9;
        System.out.println(run(loss, delay, jitter, seconds));
    }

    /** Runs the whole experiment (about 25 s of real time). */
    public static Result run(double lossPercent, double delayMs, double jitterMs, long lossySeconds) throws Exception {
        int seconds = (int) (4 + lossySeconds + 14);
        // Singing, not tones: SILK codes in-band FEC only for frames its voice activity detector
        // marks active, which a steady tone is not.
        float[] a = SingingSignal.generate(48_000 * seconds, 220, 0.4f, 1);
        float[] b = SingingSignal.generate(48_000 * seconds, 330, 0.3f, 2);
        try (DuetMixer adaptive = DuetMixer.start(DuetConfig.withOverrides("duet.mixer.loops = 1"));
             DuetMixer fixed = DuetMixer.start(DuetConfig.withOverrides("duet.mixer.loops = 1\nduet.adapt.enabled = false"));
             RtpPeer a1 = new RtpPeer("a1", 111); RtpPeer b1 = new RtpPeer("b1", 111);
             RtpPeer a2 = new RtpPeer("a2", 111); RtpPeer b2 = new RtpPeer("b2", 111);
             ImpairedReceiver lossy = new ImpairedReceiver("lossy", 1, 500, 250);
             ImpairedReceiver clean = new ImpairedReceiver("clean", 2, 500, 250);
             ImpairedReceiver lossyFixed = new ImpairedReceiver("lossy-fixed", 1, 500, 250)) {
            Room ra = adaptive.openRoom("adapt");
            Room rf = fixed.openRoom("fixed");
            join(ra, "a", Role.singer("a"), a1);
            join(ra, "b", Role.singer("b"), b1);
            join(rf, "a", Role.singer("a"), a2);
            join(rf, "b", Role.singer("b"), b2);
            Participant pl = join(ra, "lossy", lossy);
            Participant pc = join(ra, "clean", clean);
            join(rf, "lossy", lossyFixed);
            long start = System.nanoTime() + 50_000_000L;
            for (RtpPeer p : new RtpPeer[] {a1, b1, a2, b2}) {
                p.startSending(p == a1 || p == a2 ? a : b, start);
            }
            sleepUntil(start + 4_000_000_000L);
            AdaptationSnapshot cleanSettings = pl.network().receive();
            int cleanBitrate = cleanSettings.bitrate();

            // loss onset
            long onset = System.nanoTime();
            lossy.resetCounters();
            lossyFixed.resetCounters();
            lossy.impair(delayMs, jitterMs, lossPercent);
            lossyFixed.impair(delayMs, jitterMs, lossPercent);
            long reacted = waitFor(onset, 5_000, t -> {
                AdaptationSnapshot s = pl.network().receive();
                return s.fec() && s.bitrate() < cleanBitrate;
            });
            int lossyBitrate = pl.network().receive().bitrate();
            // measure the steady lossy phase, after the reaction window
            sleepUntil(onset + 2_500_000_000L);
            long fecPacket = lossy.firstFecPacketNanos();
            lossy.resetCounters();
            lossyFixed.resetCounters();
            sleepUntil(onset + lossySeconds * 1_000_000_000L);
            double concealedAdaptive = lossy.concealedRate();
            double concealedFixed = lossyFixed.concealedRate();
            double fecShare = lossy.fecPacketShare();
            if (Boolean.getBoolean("duet.scenario.verbose")) {
                System.out.println("adaptive: dropped " + lossy.packetsDropped() + " received " + lossy.packetsReceived()
                        + " jumps " + lossy.streamJumps() + " fec " + lossy.fecRecoveredRate());
                System.out.println("fixed: dropped " + lossyFixed.packetsDropped() + " received "
                        + lossyFixed.packetsReceived() + " jumps " + lossyFixed.streamJumps());
            }
            int lossyFrame = lossy.lastFrameSamples();

            // recovery
            long recovery = System.nanoTime();
            lossy.impair(0, 0, 0);
            lossyFixed.impair(0, 0, 0);
            long recovered = waitFor(recovery, 12_000, t -> {
                AdaptationSnapshot s = pl.network().receive();
                return s.fec() == cleanSettings.fec() && s.bitrate() == cleanBitrate
                        && s.frameMs() == cleanSettings.frameMs();
            });
            AdaptationSnapshot cleanSnap = pc.network().receive();
            return new Result(ms(onset, reacted), fecPacket == Long.MIN_VALUE ? -1 : ms(onset, fecPacket),
                    concealedAdaptive, concealedFixed, fecShare, lossyBitrate, cleanBitrate, ms(recovery, recovered),
                    cleanSnap.changes(), clean.lastFrameSamples(), lossyFrame);
        }
    }

    private static double ms(long from, long to) {
        return to == Long.MIN_VALUE ? -1 : (to - from) / 1e6;
    }

    /** Polls every 10 ms until {@code done} or {@code timeoutMs}; returns when, or MIN_VALUE. */
    private static long waitFor(long from, long timeoutMs, LongPredicate done) throws InterruptedException {
        long deadline = from + timeoutMs * 1_000_000L;
        for (int i = 0; i < timeoutMs / 10 + 1 && System.nanoTime() < deadline; i++) {
            long now = System.nanoTime();
            if (done.test(now)) {
                return now;
            }
            Thread.sleep(10);
        }
        return Long.MIN_VALUE;
    }

    private static void sleepUntil(long nanos) throws InterruptedException {
        long wait = nanos - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
        }
    }

    private static Participant join(Room room, String id, Role role, RtpPeer peer) throws Exception {
        UdpTransport t = UdpTransport.open(new InetSocketAddress("127.0.0.1", 0), peer.localAddress());
        Participant p = room.join(id, role, t, MediaFormat.opusDefaults());
        peer.connect(t.localAddress());
        peer.startReceiving();
        return p;
    }

    private static Participant join(Room room, String id, ImpairedReceiver r) throws Exception {
        UdpTransport t = UdpTransport.open(new InetSocketAddress("127.0.0.1", 0), r.localAddress());
        Participant p = room.join(id, Role.LISTENER, t, MediaFormat.opusDefaults());
        r.connect(t.localAddress());
        r.start();
        return p;
    }
}
