package org.duet.bench.workload;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.duet.bench.analysis.DecodedStream;
import org.duet.bench.analysis.PacketTiming;
import org.duet.bench.net.Endpoint;
import org.duet.bench.net.PacedSender;
import org.duet.bench.net.ReceiveLoop;
import org.duet.bench.net.ReceivedStream;
import org.duet.bench.net.WallClock;
import org.duet.bench.proc.ProcCpuSampler;
import org.duet.bench.rtp.EncodedLoop;

/**
 * Drives one mixer with D duets of plain-RTP participants and measures it: singers pace
 * precomputed Opus packets with RTCP SR, everyone records what comes back, the server's CPU is
 * sampled from /proc over the measured window, then the recorded audio is analyzed.
 *
 * <p>Duets start staggered across one 20 ms frame (real clients are not synchronized); the two
 * singers of a duet share one capture clock, so their clicks are captured at the same instant.
 */
public final class Workload {

    private Workload() {
    }

    public static RunResult run(MixerUnderTest server, WorkloadSpec spec, EncodedLoop loopA, EncodedLoop loopB)
            throws IOException, InterruptedException {
        int frames = spec.totalFrames();
        // collect the previous run's garbage now, not during this run's measured window
        System.gc();
        List<Endpoint> all = new ArrayList<>();
        List<Endpoint[]> duets = new ArrayList<>();
        PacedSender sender = null;
        ReceiveLoop receiver = null;
        try {
            for (int i = 0; i < spec.duets(); i++) {
                boolean record = i < spec.analyzedDuets();
                int base = spec.portBase() == 0 ? 0 : spec.portBase() + 3 * i;
                long delayB = i == 0 ? TimeUnit.MICROSECONDS.toNanos(Math.round(spec.alignmentDelayMs() * 1000)) : 0;
                Endpoint a = Endpoint.open("d" + i + "a", Endpoint.Kind.SINGER, base, loopA, 0, 0x10000000L + 2L * i,
                        frames, record);
                all.add(a);
                Endpoint b = Endpoint.open("d" + i + "b", Endpoint.Kind.SINGER, base == 0 ? 0 : base + 1, loopB, delayB,
                        0x10000001L + 2L * i, frames, record);
                all.add(b);
                Endpoint l = Endpoint.open("d" + i + "l", Endpoint.Kind.LISTENER, base == 0 ? 0 : base + 2, null, 0,
                        0x20000000L + i, frames, record);
                all.add(l);
                duets.add(new Endpoint[] {a, b, l});
                MixerUnderTest.DuetPorts ports = server.addDuet(i, a.local(), b.local(), l.local());
                a.setRemote(ports.singerA());
                b.setRemote(ports.singerB());
                l.setRemote(ports.listener());
            }
            List<Endpoint> singers = new ArrayList<>();
            long t0 = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
            for (int i = 0; i < duets.size(); i++) {
                long epoch = t0 + PacedSender.FRAME_NANOS * i / duets.size();
                duets.get(i)[0].setCaptureEpochNanos(epoch);
                duets.get(i)[1].setCaptureEpochNanos(epoch);
                singers.add(duets.get(i)[0]);
                singers.add(duets.get(i)[1]);
            }
            sender = new PacedSender(singers, new WallClock(), frames, spec.profile());
            receiver = new ReceiveLoop(all, sender);
            receiver.start();
            sender.start();
            org.duet.bench.proc.RealtimeThreads.promote("bench-sender", "bench-receiver");
            ProcCpuSampler cpu = new ProcCpuSampler(server.pid());
            sleepUntil(t0 + TimeUnit.SECONDS.toNanos(spec.warmupSeconds()));
            cpu.reset();
            server.markWindow(true);
            long measureStart = System.nanoTime();
            sleepUntil(measureStart + TimeUnit.SECONDS.toNanos(spec.measureSeconds()));
            double cores = cpu.coresSinceReset();
            long measureEnd = System.nanoTime();
            server.markWindow(false);
            double reportedConcealed = server.reportedConcealedRate();
            Thread.sleep(1200);
            sender.close();
            receiver.close();
            return analyze(server, spec, duets, measureStart, measureEnd, cores, reportedConcealed, sender.lateSends());
        } finally {
            if (sender != null) {
                sender.close();
            }
            if (receiver != null) {
                receiver.close();
            }
            all.forEach(Endpoint::close);
        }
    }

    private static void sleepUntil(long deadlineNanos) throws InterruptedException {
        long left;
        while ((left = deadlineNanos - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
        }
    }

    private static RunResult analyze(MixerUnderTest server, WorkloadSpec spec, List<Endpoint[]> duets, long from,
                                     long to, double cores, double reportedConcealed, long lateSends) {
        List<Double> devs = new ArrayList<>();
        long expected = 0, delivered = 0;
        for (Endpoint[] d : duets) {
            for (Endpoint e : d) {
                StreamTiming t = timing(e.received(), from, to);
                if (Boolean.getBoolean("bench.debug")) {
                    PacketTiming.Deviation dv = PacketTiming.summarize(t.deviationsMs);
                    System.err.printf("  %s %s: %d pkts (%d expected), dev p50 %.2f p99 %.2f max %.2f ms%n",
                            server.name(), e.label(), t.delivered, t.expected, dv.p50AbsMs(), dv.p99AbsMs(), dv.maxAbsMs());
                }
                for (double v : t.deviationsMs) {
                    devs.add(v);
                }
                expected += t.expected;
                delivered += t.delivered;
            }
        }
        PacketTiming.Deviation timing = PacketTiming.summarize(devs.stream().mapToDouble(Double::doubleValue).toArray());
        List<Double> latencies = new ArrayList<>();
        List<Double> mixMinusLatencies = new ArrayList<>();
        List<Double> alignment = new ArrayList<>();
        AudioAnalysis.MixMinusFigures mm = AudioAnalysis.MixMinusFigures.NONE;
        for (int i = 0; i < Math.min(spec.analyzedDuets(), duets.size()); i++) {
            Endpoint a = duets.get(i)[0], b = duets.get(i)[1], l = duets.get(i)[2];
            DecodedStream listener = DecodedStream.decode(l.received());
            List<AudioAnalysis.Found> clicksA = AudioAnalysis.clicks(listener, a);
            List<AudioAnalysis.Found> clicksB = AudioAnalysis.clicks(listener, b);
            if (Boolean.getBoolean("bench.debug")) {
                System.err.printf("  duet %d listener: %d samples, %d packets, clicks A %d B %d; A=%s%n", i,
                        listener.audio().length, listener.packets(), clicksA.size(), clicksB.size(),
                        clicksA.stream().limit(3).map(f -> String.format("%.1f", (f.arrivalNanos() - f.sendNanos()) / 1e6)).toList());
                System.err.printf("     raw matches A %d, B %d%n",
                        org.duet.bench.analysis.CrossCorrelator.findAll(listener.audio(), a.loop().signal().clickTemplate(), 0.5, 12000).size(),
                        org.duet.bench.analysis.CrossCorrelator.findAll(listener.audio(), b.loop().signal().clickTemplate(), 0.3, 12000).size());
            }
            if (i == 0 && spec.alignmentDelayMs() > 0) {
                alignment.addAll(AudioAnalysis.alignmentMs(
                        clicksA.stream().filter(f -> f.arrivalNanos() >= from && f.arrivalNanos() <= to).toList(),
                        clicksB, a.loop(), b.loop()));
            } else {
                latencies.addAll(AudioAnalysis.latenciesMs(clicksA, from, to, 0));
                latencies.addAll(AudioAnalysis.latenciesMs(clicksB, from, to, 0));
                if (spec.alignmentDelayMs() <= 0 && i == 0) {
                    alignment.addAll(AudioAnalysis.alignmentMs(
                            clicksA.stream().filter(f -> f.arrivalNanos() >= from && f.arrivalNanos() <= to).toList(),
                            clicksB, a.loop(), b.loop()));
                }
            }
            DecodedStream mixA = DecodedStream.decode(a.received());
            DecodedStream mixB = DecodedStream.decode(b.received());
            List<AudioAnalysis.Found> bInA = AudioAnalysis.clicks(mixA, b);
            List<AudioAnalysis.Found> aInB = AudioAnalysis.clicks(mixB, a);
            mm = mm.plus(AudioAnalysis.mixMinus(mixA, bInA, a, b, from, to));
            mm = mm.plus(AudioAnalysis.mixMinus(mixB, aInB, b, a, from, to));
            if (!(i == 0 && spec.alignmentDelayMs() > 0)) { // duet 0's B is held back on purpose then
                mixMinusLatencies.addAll(AudioAnalysis.latenciesMs(bInA, from, to, 0));
                mixMinusLatencies.addAll(AudioAnalysis.latenciesMs(aInB, from, to, 0));
            }
        }
        double concealedRate = mm.frames() == 0 ? Double.NaN : mm.concealed() / (double) mm.frames();
        double residualDb = mm.otherAmplitudeSum() <= 0 ? Double.NaN
                : 20 * Math.log10(Math.max(mm.ownAmplitudeSum(), 1e-12) / mm.otherAmplitudeSum());
        return new RunResult(server.name(), spec.duets(), latencies, alignment, concealedRate, residualDb,
                reportedConcealed, cores, timing, expected == 0 ? 0 : delivered / (double) expected, lateSends,
                mixMinusLatencies);
    }

    private record StreamTiming(double[] deviationsMs, long expected, long delivered) {
    }

    /** Output packet timing of one received stream inside [from, to]. */
    static StreamTiming timing(ReceivedStream s, long from, long to) {
        int n = s.count();
        long[] arrival = new long[n];
        long[] ts = new long[n];
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (s.arrivalNanos(i) >= from && s.arrivalNanos(i) <= to) {
                arrival[k] = s.arrivalNanos(i);
                ts[k] = s.timestamp(i);
                k++;
            }
        }
        long period = PacedSender.FRAME_NANOS;
        long samplesPerPacket = 960;
        if (k > 2) {
            // the most common positive timestamp step is the packet duration
            long[] steps = new long[k - 1];
            for (int i = 1; i < k; i++) {
                steps[i - 1] = ts[i] - ts[i - 1];
            }
            java.util.Arrays.sort(steps);
            long step = steps[steps.length / 2];
            if (step > 0 && step <= 5760) {
                samplesPerPacket = step;
                period = step * 1_000_000_000L / 48_000;
            }
        }
        long[] slot = new long[k];
        for (int i = 0; i < k; i++) {
            slot[i] = Math.floorDiv(ts[i] - (k > 0 ? ts[0] : 0), samplesPerPacket);
        }
        long expected = (to - from) / period;
        return new StreamTiming(PacketTiming.deviationsMs(arrival, slot, k, period), expected, Math.min(k, expected));
    }
}
