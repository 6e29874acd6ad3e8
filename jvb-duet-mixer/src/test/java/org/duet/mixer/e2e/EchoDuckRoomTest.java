package org.duet.mixer.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import org.duet.mixer.config.DuetConfig;
import org.duet.mixer.demo.RtpPeer;
import org.duet.mixer.demo.SingingSignal;
import org.duet.mixer.dsp.Biquad;
import org.duet.mixer.dsp.Fft;
import org.duet.mixer.echo.EchoReport;
import org.duet.mixer.room.DuetMixer;
import org.duet.mixer.room.Participant;
import org.duet.mixer.room.Role;
import org.duet.mixer.room.Room;
import org.duet.mixer.testing.AcousticPeer;
import org.duet.mixer.testing.CodecWarmUp;
import org.duet.mixer.testing.PeerJoin;
import org.junit.jupiter.api.Test;

/**
 * Issue 15's duck test through a running room, in real time: two plain-RTP singers over loopback
 * UDP ({@link AcousticPeer}) and a listener. X's microphone returns what X hears at -10 dB 40 ms
 * after it played, plus X's own singing; P sings on headphones. Under the {@code duck} policy the
 * echo of P's voice must drop by 20 dB or more, against a run under {@code ask-headphones} (which
 * leaves the voice alone), both in P's mix (what P heard: X's voice) and in the listener mix.
 *
 * <p>Measured on decoded audio as the impulse response from P's voice (what P sang) to what was
 * heard, averaged over 1 s frames (cross-spectrum over P's power, regularised, Hann, 16 kHz), read
 * against P's direct voice in the listener mix: in P's mix the
 * echo is the response's strongest 2 ms within 0-1 s of P's own time; in the listener mix P's
 * direct voice is the strongest peak and the echo the strongest 2 ms from 20 ms to 1 s after it.
 * A response, not a regression on P's voice at two lags: a held note correlates with itself 100-300
 * ms later, so two lagged copies of P's voice are nearly collinear and a regression on both smears
 * what is left of the direct voice into the echo's coefficient.
 */
class EchoDuckRoomTest {

    static final int RATE = 48_000;
    static final int SECONDS = 14;
    static final int FROM_SECONDS = 6; // after detection (1.6 s and more under load) and the duck's settling
    static final int DEC = 3;
    static final int N = 16_384;       // 1.02 s at 16 kHz
    static final int DIRECT = 1_600;   // where the listener mix's direct path sits in its response (0.1 s)

    @org.junit.jupiter.api.BeforeAll
    static void warmUp() {
        CodecWarmUp.run();
    }

    /** Echo levels, dB re P's direct voice in the listener mix (the response's scale), and that direct level. */
    record Levels(double echoInPartnersMix, double echoInListenerMix, double directInListenerMix, String echo) {
    }

    static Levels run(String policy, float[] pVoice, float[] xVoice) throws Exception {
        String overrides = "duet.mixer.loops = 1\nduet.echo.policy = " + policy + "\n";
        try (DuetMixer mixer = DuetMixer.start(DuetConfig.withOverrides(overrides));
             AcousticPeer p = AcousticPeer.onHeadphones("p");
             AcousticPeer x = new AcousticPeer("x", 0.316, 0, 1000, 40);
             RtpPeer listener = new RtpPeer("l", 111)) {
            Room room = mixer.openRoom("duck-" + policy);
            p.join(room, "p", Role.singer("p"));
            Participant px = x.join(room, "x", Role.singer("x"));
            PeerJoin.join(room, "l", Role.LISTENER, listener);
            long start = System.nanoTime() + 200_000_000L;
            x.closeLoopAt(start);
            p.start(pVoice, start);
            x.start(xVoice, start);
            // how much of the time the echo was reported, and where
            int polls = 0;
            int reported = 0;
            StringBuilder delays = new StringBuilder();
            while (System.nanoTime() < start + SECONDS * 1_000_000_000L) {
                Thread.sleep(100);
                EchoReport now = px.echo();
                if (System.nanoTime() > start + 3_000_000_000L && now != null) {
                    polls++;
                    reported += now.echo() ? 1 : 0;
                    if (polls % 10 == 0) {
                        delays.append(now.echo() ? String.format(" %.0f", now.delayMs()) : " -");
                    }
                }
            }
            p.await(SECONDS * 1000L + 10_000);
            x.await(5_000);
            System.out.printf("echo duck room, policy %s: X's echo reported %d of %d polls after 3 s; delay per second (ms):%s%n",
                    policy, reported, polls, delays);
            Thread.sleep(300);
            EchoReport r = px.echo();
            float[] heardByP = p.played();
            float[] heardByListener = listener.receivedAudio();
            // P's mix, in P's device time like P's voice: the echo comes 50 ms to 0.95 s after P sang it
            double[] pMix = response(decimate(pVoice), decimate(heardByP), N / 2 - 1, FROM_SECONDS);
            double echoP = localPeakDb(pMix, 0, N);
            // the listener mix: P's voice where the mix placed it (at index DIRECT), then its echo after it
            float[] xl = decimate(pVoice);
            float[] yl = decimate(heardByListener);
            int direct = strongestLag(xl, yl);
            double[] lMix = response(xl, yl, direct + N / 2 - 1 - DIRECT, FROM_SECONDS);
            double directDb = localPeakDb(lMix, DIRECT - 48, DIRECT + 48);
            double echoL = localPeakDb(lMix, DIRECT + RATE / DEC / 50, N);
            System.out.printf("echo duck room, policy %s: echo in P's mix %.1f dB, in the listener mix %.1f dB (direct %.1f dB);"
                    + " X %s; playout targets p %.0f / x %.0f ms, late %d / %d%n", policy, echoP, echoL, directDb, r,
                    p.targetMs(), x.targetMs(), p.latePackets(), x.latePackets());
            // P's mix and the listener mix carry P's voice through the same codecs: both read against P's direct voice
            return new Levels(echoP - directDb, echoL - directDb, directDb, String.valueOf(r));
        }
    }

    @Test
    @org.junit.jupiter.api.Disabled("the measurement is not reliable yet (P's direct voice reads 6 dB apart between runs; the"
            + " plain run's echo reads 0-7 dB under it where 10 is sent): docs/adaptation.md, 'Not done'")
    void theDuckPolicyTakesTheEchoOutOfThePartnersMixAndTheListenerMixBy20dB() throws Exception {
        float[] pVoice = SingingSignal.generate(RATE * SECONDS, 330, 0.4f, 51);
        float[] xVoice = SingingSignal.generate(RATE * SECONDS, 220, 0.4f, 61);
        Levels plain = run("ask-headphones", pVoice, xVoice);
        Levels duck = run("duck", pVoice, xVoice);
        System.out.printf("echo_duck_room partner's mix %.1f -> %.1f dB (drop %.1f), listener mix %.1f -> %.1f dB (drop %.1f),"
                        + " (re P's direct voice there), direct %.1f / %.1f dB (regularised scale); load %s%n", plain.echoInPartnersMix(), duck.echoInPartnersMix(),
                plain.echoInPartnersMix() - duck.echoInPartnersMix(), plain.echoInListenerMix(), duck.echoInListenerMix(),
                plain.echoInListenerMix() - duck.echoInListenerMix(), plain.directInListenerMix(),
                duck.directInListenerMix(), SpeakerLoopRoomTest.uptime());
        assertThat(plain.echoInPartnersMix()).as("without ducking P hears its echo (-10 dB sent back)").isGreaterThan(-16);
        assertThat(plain.echoInListenerMix()).as("without ducking the listener hears P's echo").isGreaterThan(-16);
        assertThat(Math.abs(plain.directInListenerMix() - duck.directInListenerMix())).as("P's direct voice, ducking or not")
                .isLessThan(3);
        assertThat(plain.echoInPartnersMix() - duck.echoInPartnersMix()).as("echo drop in P's mix, dB")
                .isGreaterThanOrEqualTo(20);
        assertThat(plain.echoInListenerMix() - duck.echoInListenerMix()).as("echo drop in the listener mix, dB")
                .isGreaterThanOrEqualTo(20);
    }

    /** 48 kHz -> 16 kHz (6 kHz low-pass, every third sample). */
    static float[] decimate(float[] x) {
        Biquad a = new Biquad().lowPass(6000, 0.5412, RATE);
        Biquad b = new Biquad().lowPass(6000, 1.3066, RATE);
        float[] y = new float[x.length / DEC];
        for (int i = 0; i < y.length * DEC; i++) {
            float v = b.process(a.process(x[i]));
            if (i % DEC == DEC - 1) {
                y[i / DEC] = v;
            }
        }
        return y;
    }

    /**
     * |h| of the response from x to y at lags {@code center - (N/2 - 1) + k} for k = 0..N-1 (zero
     * where the frames overlap too little: beyond 0.45 N from the centre), from 1 s Hann frames
     * (hop 0.5 s) of y from {@code fromSeconds} on: sum Y conj(X) / sum |X|^2, divided by how much
     * two Hann windows overlap at that lag's distance from the centre (so every lag reads true).
     */
    static double[] response(float[] x, float[] y, int center, int fromSeconds) {
        Fft fft = new Fft(N);
        double[] sr = new double[N];
        double[] si = new double[N];
        double[] sxx = new double[N];
        float[] xr = new float[N];
        float[] xi = new float[N];
        float[] yr = new float[N];
        float[] yi = new float[N];
        double[] w = new double[N];
        for (int i = 0; i < N; i++) {
            w[i] = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / N);
        }
        int rate = RATE / DEC;
        for (int t = fromSeconds * rate; t + N <= y.length; t += N / 2) {
            int xs = t - center; // x's frame: lag `center` aligns it with y's
            if (xs < 0 || xs + N > x.length) {
                continue;
            }
            for (int i = 0; i < N; i++) {
                yr[i] = (float) (y[t + i] * w[i]);
                yi[i] = 0;
                xr[i] = (float) (x[xs + i] * w[i]);
                xi[i] = 0;
            }
            fft.forward(yr, yi);
            fft.forward(xr, xi);
            for (int k = 0; k < N; k++) {
                sr[k] += yr[k] * xr[k] + yi[k] * xi[k];
                si[k] += yi[k] * xr[k] - yr[k] * xi[k];
                sxx[k] += xr[k] * xr[k] + xi[k] * xi[k];
            }
        }
        double mean = 0;
        for (int k = 0; k < N; k++) {
            mean += sxx[k] / N;
        }
        float[] hr = new float[N];
        float[] hi = new float[N];
        for (int k = 0; k < N; k++) {
            // Regularised: between a voice's harmonics x has almost no power and what y has there
            // (X's own singing) would make the response all noise. Every path from P's voice (the
            // direct one and the echo) is shrunk alike, so their ratio, and a drop between runs, stay.
            double den = sxx[k] + mean;
            hr[k] = (float) (sr[k] / den);
            hi[k] = (float) (si[k] / den);
        }
        fft.inverse(hr, hi); // circular: index m (mod N) is lag center + m
        double r0 = 0;
        for (int i = 0; i < N; i++) {
            r0 += w[i] * w[i];
        }
        double[] h = new double[N];
        for (int k = 0; k < N; k++) {
            int m = k - (N / 2 - 1);
            if (Math.abs(m) > 0.45 * N) {
                continue;
            }
            double rm = 0; // how much the two windows overlap at distance m
            for (int i = Math.max(0, -m); i < Math.min(N, N - m); i += 4) {
                rm += w[i] * w[i + m];
            }
            rm *= 4;
            h[k] = Math.abs(hr[Math.floorMod(m, N)]) * r0 / Math.max(rm, 1e-9 * r0);
        }
        return h;
    }

    /** The strongest 2 ms of the response between indexes {@code from} and {@code to}: its energy, dB. */
    static double localPeakDb(double[] h, int from, int to) {
        int half = RATE / DEC / 1000; // 1 ms
        double best = 0;
        for (int k = Math.max(half, from); k < Math.min(h.length - half, to); k++) {
            double e = 0;
            for (int j = k - half; j <= k + half; j++) {
                e += h[j] * h[j];
            }
            best = Math.max(best, e);
        }
        return 10 * Math.log10(best + 1e-20);
    }

    /** Lag (samples, y after x) of the strongest cross-correlation of x and y, by one FFT. */
    static int strongestLag(float[] x, float[] y) {
        int n = Integer.highestOneBit(Math.max(x.length, y.length) * 2 - 1) * 2;
        float[] ar = new float[n];
        float[] ai = new float[n];
        float[] br = new float[n];
        float[] bi = new float[n];
        System.arraycopy(x, 0, ar, 0, x.length);
        System.arraycopy(y, 0, br, 0, y.length);
        Fft fft = new Fft(n);
        fft.forward(ar, ai);
        fft.forward(br, bi);
        for (int k = 0; k < n; k++) {
            float r = br[k] * ar[k] + bi[k] * ai[k];
            float i = bi[k] * ar[k] - br[k] * ai[k];
            br[k] = r;
            bi[k] = i;
        }
        fft.inverse(br, bi);
        int best = 0;
        for (int k = 0; k < n; k++) {
            if (Math.abs(br[k]) > Math.abs(br[best])) {
                best = k;
            }
        }
        return best < n / 2 ? best : best - n;
    }
}
