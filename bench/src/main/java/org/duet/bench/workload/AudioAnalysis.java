package org.duet.bench.workload;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.duet.bench.analysis.CrossCorrelator;
import org.duet.bench.analysis.DecodedStream;
import org.duet.bench.analysis.Goertzel;
import org.duet.bench.net.Endpoint;
import org.duet.bench.rtp.EncodedLoop;
import org.duet.bench.signal.TestSignal;

/**
 * Turns recorded output audio into figures: click latency and two-singer alignment from the
 * listener mix, concealed frames and own-voice residual from the mix-minus outputs.
 */
public final class AudioAnalysis {

    static final double CLICK_THRESHOLD = 0.4;
    static final int CLICK_SPACING = TestSignal.SAMPLE_RATE / 4;
    private static final int FRAME = TestSignal.FRAME;

    /** A click found in an output: its output position, arrival of the carrying packet, the input occurrence. */
    record Found(long outputPosition, long arrivalNanos, long inputPosition, long sendNanos) {
    }

    private AudioAnalysis() {
    }

    /**
     * Clicks of {@code singer} found in {@code output}, each matched to the input occurrence whose
     * carrying packet was sent last before the output packet arrived (within one click period).
     */
    static List<Found> clicks(DecodedStream output, Endpoint singer) {
        EncodedLoop loop = singer.loop();
        List<Long> inputs = loop.clickPositionsUpTo(singer.maxFrames());
        List<Found> out = new ArrayList<>();
        long periodNanos = clickPeriodNanos(loop);
        for (CrossCorrelator.Match m : CrossCorrelator.findAll(output.audio(), loop.signal().clickTemplate(),
                CLICK_THRESHOLD, CLICK_SPACING)) {
            int packet = output.packetAt(m.position());
            if (packet < 0) {
                continue;
            }
            long arrival = output.packetArrivalNanos(packet);
            Found best = null;
            for (long p : inputs) {
                long sent = singer.sendNanos(p / FRAME);
                if (sent == 0 || sent > arrival || arrival - sent >= periodNanos) {
                    continue;
                }
                if (best == null || sent > best.sendNanos) {
                    best = new Found(m.position(), arrival, p, sent);
                }
            }
            if (best != null) {
                out.add(best);
            }
        }
        return out;
    }

    static long clickPeriodNanos(EncodedLoop loop) {
        int[] starts = loop.signal().clickStarts();
        int periodSamples = starts.length > 1 ? starts[1] - starts[0] : loop.signal().lengthSamples();
        return periodSamples * 1_000_000_000L / TestSignal.SAMPLE_RATE;
    }

    /** Latency of each click arriving in [fromNanos, toNanos], in ms, minus {@code pathDelayMs}. */
    static List<Double> latenciesMs(List<Found> found, long fromNanos, long toNanos, double pathDelayMs) {
        List<Double> out = new ArrayList<>();
        for (Found f : found) {
            if (f.arrivalNanos >= fromNanos && f.arrivalNanos <= toNanos) {
                out.add((f.arrivalNanos - f.sendNanos) / 1e6 - pathDelayMs);
            }
        }
        return out;
    }

    /**
     * For clicks captured at the same instant by both singers: where B's click lies in the
     * listener mix relative to A's, in ms (0 = perfectly aligned).
     */
    static List<Double> alignmentMs(List<Found> a, List<Found> b, EncodedLoop loopA, EncodedLoop loopB) {
        long referenceOffset = loopB.decodedClickPositions()[0] - loopA.decodedClickPositions()[0];
        List<Double> out = new ArrayList<>();
        for (Found fa : a) {
            for (Found fb : b) {
                // same capture instant: both inputs are the same click index of the same loop pass
                if (Math.abs((fb.inputPosition - fa.inputPosition) - referenceOffset) < FRAME) {
                    double samples = (fb.outputPosition - fa.outputPosition) - (fb.inputPosition - fa.inputPosition);
                    out.add(samples * 1000.0 / TestSignal.SAMPLE_RATE);
                }
            }
        }
        return out;
    }

    /** Frame counts from one mix-minus output. */
    record MixMinusFigures(int frames, int concealed, double ownAmplitudeSum, double otherAmplitudeSum) {
        static final MixMinusFigures NONE = new MixMinusFigures(0, 0, 0, 0);

        MixMinusFigures plus(MixMinusFigures o) {
            return new MixMinusFigures(frames + o.frames, concealed + o.concealed,
                    ownAmplitudeSum + o.ownAmplitudeSum, otherAmplitudeSum + o.otherAmplitudeSum);
        }
    }

    /**
     * Looks for each frame of {@code other}'s tone in {@code self}'s mix-minus (placed by the lag of
     * the nearest click of {@code other}, allowing one frame of slip) and for any of {@code self}'s
     * tones, which should not be there.
     */
    static MixMinusFigures mixMinus(DecodedStream output, List<Found> otherClicks, Endpoint self, Endpoint other,
                                    long fromNanos, long toNanos) {
        if (otherClicks.isEmpty()) {
            return MixMinusFigures.NONE;
        }
        EncodedLoop loop = other.loop();
        TestSignal sig = loop.signal();
        TestSignal own = self.loop().signal();
        int codecDelay = loop.codecDelaySamples();
        float[] audio = output.audio();
        long[] clickInput = otherClicks.stream().mapToLong(Found::inputPosition).toArray();
        long[] lag = otherClicks.stream().mapToLong(f -> f.outputPosition - f.inputPosition).toArray();
        double[] ownHz = distinctFrequencies(own);
        List<Double> amps = new ArrayList<>();
        double ownSum = 0, otherSum = 0;
        int window = FRAME * 3 / 4;
        for (int n = 0; n < other.maxFrames(); n++) {
            // nominal send time: frames the network lost count too (the mixer had to conceal them)
            long sent = other.captureEpochNanos() + n * org.duet.bench.net.PacedSender.FRAME_NANOS + other.delayNanos();
            if (sent < fromNanos || sent > toNanos - 500_000_000L || sig.frameHasClick(n % sig.frames())) {
                continue;
            }
            long inputPos = (long) n * FRAME + codecDelay;
            int nearest = nearest(clickInput, inputPos);
            long start = inputPos + lag[nearest] + (FRAME - window) / 2;
            if (start - FRAME < 0 || start + FRAME + window > audio.length) {
                continue;
            }
            double hz = sig.frameHz(n % sig.frames());
            double best = 0;
            for (int m = -1; m <= 1; m++) {
                best = Math.max(best, Goertzel.amplitude(audio, (int) (start + m * FRAME), window, hz,
                        TestSignal.SAMPLE_RATE));
            }
            amps.add(best);
            double centred = Goertzel.amplitude(audio, (int) start, window, hz, TestSignal.SAMPLE_RATE);
            double leak = 0;
            for (double f : ownHz) {
                leak = Math.max(leak, Goertzel.amplitude(audio, (int) start, window, f, TestSignal.SAMPLE_RATE));
            }
            ownSum += leak;
            otherSum += centred;
        }
        if (amps.isEmpty()) {
            return MixMinusFigures.NONE;
        }
        double[] sorted = amps.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double reference = sorted[sorted.length / 2];
        int concealed = 0;
        StringBuilder debug = Boolean.getBoolean("bench.debug") ? new StringBuilder() : null;
        for (int i = 0; i < amps.size(); i++) {
            double a = amps.get(i);
            if (a < 0.5 * reference) {
                concealed++;
                if (debug != null && debug.length() < 400) {
                    debug.append(String.format(" %d:%.3f", i, a / reference));
                }
            }
        }
        if (debug != null) {
            System.err.printf("     mix-minus %s: %d of %d frames missing, ref %.4f:%s%n", self.label(), concealed,
                    amps.size(), reference, debug);
        }
        return new MixMinusFigures(amps.size(), concealed, ownSum, otherSum);
    }

    private static double[] distinctFrequencies(TestSignal s) {
        return Arrays.stream(java.util.stream.IntStream.range(0, s.frames()).mapToDouble(s::frameHz).toArray())
                .distinct().sorted().toArray();
    }

    private static int nearest(long[] sorted, long value) {
        int best = 0;
        for (int i = 1; i < sorted.length; i++) {
            if (Math.abs(sorted[i] - value) < Math.abs(sorted[best] - value)) {
                best = i;
            }
        }
        return best;
    }
}
