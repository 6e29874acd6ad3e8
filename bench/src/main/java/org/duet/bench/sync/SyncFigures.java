package org.duet.bench.sync;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.duet.bench.report.Figure;
import org.duet.mixer.demo.ClockExchangeSimulation;
import org.duet.mixer.opus.OpusApplication;
import org.duet.mixer.opus.OpusCodecs;
import org.duet.mixer.opus.OpusDecoder;
import org.duet.mixer.opus.OpusEncoder;
import org.duet.mixer.opus.OpusSettings;
import org.duet.mixer.sim.SimSinger;
import org.duet.mixer.sim.SimulatedDuet;
import org.duet.mixer.sync.ClickPattern;
import org.duet.mixer.sync.ClickTrainDetector;
import org.duet.mixer.sync.LatencyCalibration;

/**
 * The #13 timing figures (docs/sync.md) that do not need a live room:
 * <ul>
 *   <li>{@code clock_offset_error_p95_ms}: the offset estimator against simulated senders with the
 *       #13 profile (A 10 +- 2 ms, B 60 +- 15 ms 2 % loss, clocks +350 / -1200 ms, 50 ppm), RTCP
 *       as Chrome sends it, media packets and the page's clock ping; p95 of |estimate - truth| over
 *       8 runs of 120 s each, from 30 s on; the worse of A and B. Also without pings (plain RTP).
 *   <li>{@code calibration_error_ms}: the calibration's click train coming back after injected
 *       loop delays (23.4, 137.3, 412.9 ms) through Opus with an echo and room noise; the largest
 *       |found - injected|.
 *   <li>{@code alignment_error_p95_ms} and {@code alignment_error_live_p95_ms}: the #13 duet in
 *       simulated time ({@link SimulatedDuet}: the real room engine, two singers clapping on the
 *       clicks they hear behind the profile above, browser-like playout, page pings, calibrated at
 *       join), 30 s leader/follower at 90 bpm (A leads; p95 over |A - beat|, |B - beat|, |A - B| in
 *       the listener mix) then 30 s live (p95 of how differently A's and B's claps sit in the
 *       listener mix relative to their true capture times). {@code calibration_at_join_s}: when the
 *       later of the two singers' calibrations at join was done (both are calibrated at once).
 * </ul>
 * Janus has no equivalent: its AudioBridge has no clock-offset estimate or calibration (it mixes
 * by arrival), so for this workload its error is the path asymmetry itself.
 */
public final class SyncFigures {

    private SyncFigures() {
    }

    public static List<Figure> run() {
        List<Figure> out = new ArrayList<>();
        double a = ClockExchangeSimulation.pooledP95ErrorMs(350, 50, 10, 2, 0, true);
        double b = ClockExchangeSimulation.pooledP95ErrorMs(-1200, -50, 60, 15, 2, true);
        double bRtcp = Math.max(ClockExchangeSimulation.pooledP95ErrorMs(350, 50, 10, 2, 0, false),
                ClockExchangeSimulation.pooledP95ErrorMs(-1200, -50, 60, 15, 2, false));
        out.add(new Figure("clock_offset_error_p95_ms", Math.max(a, b), "ms"));
        out.add(new Figure("clock_offset_error_rtcp_only_p95_ms", bRtcp, "ms"));
        // A browser whose report blocks come in RRs: only the page's pings bound it from below.
        double pingsOnly = Math.max(
                ClockExchangeSimulation.pooledP95ErrorMs(350, 50, 10, 2, 0, ClockExchangeSimulation.Exchange.PINGS_ONLY, 10),
                ClockExchangeSimulation.pooledP95ErrorMs(-1200, -50, 60, 15, 2, ClockExchangeSimulation.Exchange.PINGS_ONLY,
                        10));
        out.add(new Figure("clock_offset_error_pings_only_p95_ms", pingsOnly, "ms"));
        out.add(new Figure("calibration_error_ms", calibrationErrorMs(), "ms"));
        SimulatedDuet.Result duet = SimulatedDuet.run(new SimulatedDuet.Scenario(
                new SimSinger.Profile("a", 10, 2, 0, 350, 50, 12, 50, 6000, true, 1),
                new SimSinger.Profile("b", 60, 15, 2, -1200, -50, 25, 50, 8000, true, 2), 90, 30, 30));
        out.add(new Figure("alignment_error_p95_ms", duet.leaderFollowerP95Ms(), "ms"));
        out.add(new Figure("alignment_error_live_p95_ms", duet.liveP95Ms(), "ms"));
        out.add(new Figure("calibration_at_join_s", Math.max(duet.calibratedAfterMs()[0], duet.calibratedAfterMs()[1])
                / 1000, "s"));
        return out;
    }

    static double calibrationErrorMs() {
        int length = ClickPattern.LENGTH + LatencyCalibration.MAX_LOOP_SAMPLES + 4_800;
        ClickTrainDetector detector = new ClickTrainDetector(length);
        double worst = 0;
        Random random = new Random(3);
        for (double delayMs : new double[] {23.4, 137.3, 412.9}) {
            float[] x = new float[length];
            double d = delayMs * 48;
            for (int offset : ClickPattern.OFFSETS) {
                for (int i = 0; i < ClickPattern.CLICK_SAMPLES + 2; i++) {
                    double t = i - (d - Math.floor(d));
                    int p = offset + (int) Math.floor(d) + i;
                    float v = (float) click(t);
                    x[p] += v;
                    x[p + 384] += 0.3f * v; // an echo, 8 ms later
                }
            }
            for (int i = 0; i < x.length; i++) {
                x[i] += (float) (random.nextGaussian() * 0.003);
            }
            float[] back = throughOpus(x);
            ClickTrainDetector.Result r = detector.detect(back, back.length, ClickPattern.OFFSETS, 0,
                    LatencyCalibration.MAX_LOOP_SAMPLES);
            // RESTRICTED_LOWDELAY Opus delays decoded audio by its 2.5 ms look-ahead.
            worst = Math.max(worst, r.ok() ? Math.abs(r.delayMs() - delayMs - 2.5) : Double.POSITIVE_INFINITY);
        }
        return worst;
    }

    private static double click(double t) {
        if (t < 0 || t > ClickPattern.CLICK_SAMPLES - 1) {
            return 0;
        }
        double w = 0.5 - 0.5 * Math.cos(2 * Math.PI * t / (ClickPattern.CLICK_SAMPLES - 1));
        return 0.8 * w * Math.sin(2 * Math.PI * ClickPattern.CLICK_HZ * t / 48_000.0);
    }

    private static float[] throughOpus(float[] x) {
        int frame = 960;
        float[] out = new float[x.length];
        try (OpusEncoder enc = OpusCodecs.newEncoder(new OpusSettings(1, 64_000, 5, false, 0, false,
                OpusApplication.RESTRICTED_LOWDELAY, frame));
             OpusDecoder dec = OpusCodecs.newDecoder(1)) {
            short[] pcm = new short[frame];
            short[] decoded = new short[5760];
            byte[] packet = new byte[1500];
            for (int f = 0; (f + 1) * frame <= x.length; f++) {
                for (int i = 0; i < frame; i++) {
                    pcm[i] = (short) Math.round(Math.max(-1f, Math.min(1f, x[f * frame + i])) * 32767f);
                }
                int len = enc.encode(pcm, 0, frame, packet, 0, packet.length);
                int n = dec.decode(packet, 0, len, decoded, 0, decoded.length);
                for (int i = 0; i < n; i++) {
                    out[f * frame + i] = decoded[i] / 32768f;
                }
            }
        }
        return out;
    }
}
