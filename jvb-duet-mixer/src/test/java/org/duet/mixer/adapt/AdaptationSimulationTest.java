package org.duet.mixer.adapt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.PriorityQueue;
import java.util.SplittableRandom;
import org.duet.mixer.clock.ServerClock;
import org.duet.mixer.demo.FixedDelayPlayout;
import org.duet.mixer.demo.SingingSignal;
import org.duet.mixer.format.MediaFormat;
import org.duet.mixer.mix.MixSource;
import org.duet.mixer.mix.PlayoutCursor;
import org.duet.mixer.mix.SoftLimiter;
import org.duet.mixer.opus.OpusApplication;
import org.duet.mixer.opus.OpusCodecs;
import org.duet.mixer.opus.OpusSettings;
import org.duet.mixer.output.MixOutput;
import org.duet.mixer.output.OutputSubscriber;
import org.duet.mixer.rtcp.ReceptionStatistics;
import org.duet.mixer.rtp.RtpDropReason;
import org.duet.mixer.rtp.RtpPacket;
import org.duet.mixer.transport.PacketReceiver;
import org.duet.mixer.transport.PacketTransport;
import org.junit.jupiter.api.Test;

/**
 * Issue 15's adaptation test in simulated time (fast, and immune to a loaded machine): the real
 * {@link MixOutput} with its encoder classes and the real {@link ReceiverAdaptation}, real Opus;
 * the path is emulated per packet (drop with 10 % probability, delay 100 +- 30 ms, as netem does),
 * the receiver keeps RFC 3550 reception statistics, reports every 500 ms, and plays through a
 * fixed-delay buffer that decodes, rebuilds from in-band FEC, or conceals. One listener's path
 * goes clean -> lossy -> clean on an adapting output and on a fixed one; a second listener of the
 * adapting output stays clean.
 */
class AdaptationSimulationTest {

    private static final long MS = 1_000_000L;
    private static final long LOSS_FROM = 3000 * MS;
    private static final long LOSS_UNTIL = 12_000 * MS;
    private static final long END = 24_000 * MS;

    /** The mix content: two singers, read by capture position. */
    static final class Track implements MixSource {
        final float[] x;

        Track(float[] x) {
            this.x = x;
        }

        @Override
        public long completeThrough(long tickPosition) {
            return Long.MAX_VALUE;
        }

        @Override
        public void mixInto(long position, float gain, float[] out, int outOff, int count) {
            for (int i = 0; i < count; i++) {
                out[outOff + i] += gain * x[(int) Math.floorMod(position + i, (long) x.length)];
            }
        }

        @Override
        public boolean isStale(long tickPosition) {
            return false;
        }
    }

    /** The emulated path from the mixer to one receiver, in simulated time. */
    static final class Link implements PacketTransport {
        record Pending(long due, byte[] data) {
        }

        final SplittableRandom random;
        final PriorityQueue<Pending> queue = new PriorityQueue<>((a, b) -> Long.compare(a.due, b.due));
        long now;
        boolean lossy;

        Link(long seed) {
            random = new SplittableRandom(seed);
        }

        @Override
        public void sendRtp(byte[] buf, int off, int len) {
            if (lossy && random.nextDouble() < 0.10) {
                return;
            }
            long delay = lossy ? (long) ((100 + (random.nextDouble() * 2 - 1) * 30) * MS) : MS;
            queue.add(new Pending(now + delay, java.util.Arrays.copyOfRange(buf, off, off + len)));
        }

        @Override
        public void sendRtcp(byte[] buf, int off, int len) {
        }

        @Override
        public void setReceiver(PacketReceiver receiver) {
        }

        @Override
        public String describe() {
            return "simulated path";
        }

        @Override
        public void close() {
        }
    }

    /** One listener: reception statistics, reports, playout. */
    static final class Receiver {
        final Link link;
        final OutputSubscriber sub;
        final MixOutput out;
        final ReceiverAdaptation adaptation;
        final FixedDelayPlayout playout = new FixedDelayPlayout(OpusCodecs.newDecoder(1), 250 * MS);
        final RtpPacket rtp = new RtpPacket();
        ReceptionStatistics stats;
        long nextReport = 500 * MS;

        Receiver(long seed, MixOutput out, ReceiverAdaptation adaptation) {
            this.link = new Link(seed);
            this.sub = new OutputSubscriber(link, MediaFormat.opusDefaults());
            this.out = out;
            this.adaptation = adaptation;
        }

        void step(long now) {
            while (!link.queue.isEmpty() && link.queue.peek().due() <= now) {
                byte[] p = link.queue.poll().data();
                if (rtp.parse(p, 0, p.length) != RtpDropReason.NONE) {
                    continue;
                }
                if (stats == null) {
                    stats = new ReceptionStatistics(rtp.ssrc());
                }
                stats.onRtp(rtp.sequenceNumber(), rtp.timestamp(), now, 48_000);
                playout.insert(rtp.timestamp(), now, p, rtp.payloadOffset(), rtp.payloadLength());
            }
            playout.play(now);
            if (now >= nextReport && stats != null) {
                nextReport += 500 * MS;
                int fraction = stats.takeFractionLost();
                if (adaptation != null) {
                    OpusSettings s = adaptation.onReportBlock(fraction, stats.cumulativeLostClamped(),
                            (long) stats.jitter(), 20, now);
                    if (s != null) {
                        out.setSubscriberSettings(sub, s);
                    }
                }
            }
        }
    }

    private static MixOutput output(OpusSettings clean, Track track) {
        MixOutput out = new MixOutput("sim", new ServerClock(0), 480, OpusCodecs.newEncoder(clean), clean,
                new SoftLimiter(-1, 120), new PlayoutCursor(480, 48, 96, 100), 48_000);
        out.setSources(new MixSource[] {track}, new float[] {1f}, 1);
        out.setEncoderSource((o, s) -> o.addLane(s, OpusCodecs.newEncoder(s))); // built at once: simulated time
        return out;
    }

    @Test
    void lossyPathGetsFecAndLowerBitrateWithin2sConcealsHalfAsMuchAndRecoversWithin10s() {
        int seconds = 25;
        float[] a = SingingSignal.generate(48_000 * seconds, 220, 0.4f, 1);
        float[] b = SingingSignal.generate(48_000 * seconds, 330, 0.3f, 2);
        for (int i = 0; i < a.length; i++) {
            a[i] += b[i];
        }
        Track track = new Track(a);
        OpusSettings clean = new OpusSettings(1, 64_000, 5, true, 5, false, OpusApplication.RESTRICTED_LOWDELAY, 480);
        AdaptationConfig config = AdaptationConfig.defaults();
        MixOutput adaptive = output(clean, track);
        MixOutput fixed = output(clean, track);
        Receiver lossy = new Receiver(1, adaptive, new ReceiverAdaptation("lossy", config, clean, 480, true, false));
        Receiver steady = new Receiver(2, adaptive, new ReceiverAdaptation("clean", config, clean, 480, true, false));
        Receiver lossyFixed = new Receiver(1, fixed, null);
        adaptive.setSubscribers(new OutputSubscriber[] {lossy.sub, steady.sub});
        fixed.setSubscribers(new OutputSubscriber[] {lossyFixed.sub});
        Receiver[] all = {lossy, steady, lossyFixed};

        long fecOn = -1;
        long backAt = -1;
        int lossyBitrate = 0;
        double concealedAdaptive = Double.NaN;
        double concealedFixed = Double.NaN;
        double fecRate = Double.NaN;
        for (long now = 0; now < END; now += 10 * MS) {
            boolean lossyNow = now >= LOSS_FROM && now < LOSS_UNTIL;
            lossy.link.lossy = lossyNow;
            lossyFixed.link.lossy = lossyNow;
            for (Receiver r : all) {
                r.link.now = now;
            }
            adaptive.tick(now);
            fixed.tick(now);
            for (long t = now; t < now + 10 * MS; t += MS) {
                for (Receiver r : all) {
                    r.step(t);
                }
            }
            OpusSettings s = lossy.adaptation.current();
            if (fecOn < 0 && now >= LOSS_FROM && s.fec() && s.application() != OpusApplication.RESTRICTED_LOWDELAY
                    && s.bitrate() < clean.bitrate()) {
                fecOn = now;
                lossyBitrate = s.bitrate();
            }
            if (now == LOSS_FROM + 2500 * MS) { // measure the steady lossy phase
                lossy.playout.resetCounters();
                lossyFixed.playout.resetCounters();
            }
            if (now == LOSS_UNTIL - 10 * MS) {
                concealedAdaptive = lossy.playout.concealedRate();
                concealedFixed = lossyFixed.playout.concealedRate();
                fecRate = lossy.playout.fecRate();
            }
            if (backAt < 0 && now >= LOSS_UNTIL && s.equals(lossy.adaptation.base())) {
                backAt = now;
            }
        }
        System.out.printf("simulated: FEC on and bitrate %d -> %d b/s %d ms after loss onset; concealed %.4f adaptive"
                        + " vs %.4f fixed (FEC rebuilt %.4f); back %d ms after recovery; clean listener changes %d%n",
                clean.bitrate(), lossyBitrate, (fecOn - LOSS_FROM) / MS, concealedAdaptive, concealedFixed, fecRate,
                (backAt - LOSS_UNTIL) / MS, steady.adaptation.changes());
        assertThat(fecOn).as("FEC turned on").isPositive();
        assertThat((fecOn - LOSS_FROM) / MS).as("ms from loss onset to FEC on and bitrate down").isLessThanOrEqualTo(2000);
        assertThat(concealedFixed).as("concealed share without adaptation").isGreaterThan(0.05);
        assertThat(concealedAdaptive).as("concealed share with adaptation: at most half").isLessThanOrEqualTo(concealedFixed / 2);
        assertThat(backAt).as("settings back after recovery").isPositive();
        assertThat((backAt - LOSS_UNTIL) / MS).as("ms from recovery to the clean settings").isLessThanOrEqualTo(10_000);
        assertThat(steady.adaptation.changes()).as("the clean listener's settings never changed").isZero();
        assertThat(adaptive.settingsOf(steady.sub)).as("clean listener on the default encoder").isEqualTo(clean);
        adaptive.close();
        fixed.close();
    }
}
