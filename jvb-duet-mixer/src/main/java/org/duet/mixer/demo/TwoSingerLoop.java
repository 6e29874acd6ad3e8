package org.duet.mixer.demo;

import org.duet.mixer.dsp.Biquad;
import org.duet.mixer.echo.EchoControl;
import org.duet.mixer.echo.EchoPolicy;
import org.duet.mixer.echo.HowlSuppressor;
import org.duet.mixer.echo.LoopGainGuard;

/**
 * Two singers on speakers in simulated time, as the room joins them (issue 15's loop between two
 * singing voices): the mixer forwards each singer's voice (after their {@link EchoControl}) into
 * the other's mix {@code up} ms after its capture; each singer's microphone captures their own
 * voice plus their room's response to what they were sent, {@code echo} ms after it was sent
 * (their network down, their playout, their speakers); their room is a gain, flat or as a
 * resonance, or both. The room's {@link LoopGainGuard} checks the pair after every 10 ms, as the
 * room does each tick. Saturates at +-4 as a real loop clips. No wall clock: runs repeat exactly.
 */
public final class TwoSingerLoop {

    public static final int RATE = 48_000;
    public static final int BLOCK = 480;

    /**
     * One singer's room: what their microphone makes of what their speakers play, {@code flat}
     * times it plus a band-pass (Q 8) at {@code hz} with gain {@code peak} at its centre.
     */
    public record Room(double flat, double peak, double hz) {
        public static Room headphones() {
            return new Room(0.003, 0, 2000); // a headphone's leak, 50 dB down
        }
    }

    /** One singer: their voice, their room, their path's delays (multiples of 10 ms). */
    public record Singer(float[] voice, Room room, int upMs, int echoMs) {
    }

    /**
     * What a run heard: the listener mix (both voices as they left the controls, by capture time),
     * the controls and the guard.
     */
    public record Run(float[] listenerMix, EchoControl a, EchoControl b, LoopGainGuard guard, long firstCutSample) {
    }

    private TwoSingerLoop() {
    }

    /**
     * @param closeAt sample at which both rooms start returning what they are sent (before: headphones)
     * @param control whether the controls (howl suppressor, loop guard) act
     */
    public static Run run(Singer a, Singer b, int closeAt, boolean control) {
        int len = Math.min(a.voice.length, b.voice.length) / BLOCK * BLOCK;
        int upA = a.upMs * 48;
        int upB = b.upMs * 48;
        int echoA = a.echoMs * 48;
        int echoB = b.echoMs * 48;
        int margin = Math.max(upA, upB) + BLOCK;
        float[] outA = new float[len + margin];   // A's voice after its control, by capture position
        float[] outB = new float[len + margin];
        float[] sentA = new float[len + margin];  // what the mixer sent A, by when it left
        float[] sentB = new float[len + margin];
        Biquad[] roomA = room(a.room);
        Biquad[] roomB = room(b.room);
        EchoControl ca = new EchoControl("a", EchoPolicy.ASK_HEADPHONES, true, new HowlSuppressor(3_000));
        EchoControl cb = new EchoControl("b", EchoPolicy.ASK_HEADPHONES, true, new HowlSuppressor(3_000));
        LoopGainGuard guard = new LoopGainGuard();
        float[] block = new float[BLOCK];
        long firstCut = -1;
        int lagBlocks = Math.max(upA, upB) / BLOCK;
        for (int t = 0; t + BLOCK <= len + lagBlocks * BLOCK; t += BLOCK) {
            // arrivals at mixer time t: A's block captured at t - upA, B's at t - upB
            capture(a, t - upA, len, echoA, sentA, roomA, closeAt, ca, control, block, outA);
            capture(b, t - upB, len, echoB, sentB, roomB, closeAt, cb, control, block, outB);
            // sent at t: the partner's newest block (forwarded)
            if (t + BLOCK <= sentA.length) {
                for (int i = 0; i < BLOCK; i++) {
                    sentA[t + i] = t - upB + i >= 0 ? outB[t - upB + i] : 0f;
                    sentB[t + i] = t - upA + i >= 0 ? outA[t - upA + i] : 0f;
                }
                ca.onSent(sentA, t, BLOCK, t);
                cb.onSent(sentB, t, BLOCK, t);
            }
            if (control) {
                guard.check(ca, 1f, cb, 1f, (t + BLOCK) / 48);
                if (firstCut < 0 && guard.cuts() > 0) {
                    firstCut = t + BLOCK;
                }
            }
        }
        float[] mix = new float[len];
        for (int i = 0; i < len; i++) {
            mix[i] = outA[i] + outB[i];
        }
        return new Run(mix, ca, cb, guard, firstCut);
    }

    private static Biquad[] room(Room r) {
        return new Biquad[] {new Biquad().bandPass(r.hz, 8, RATE)};
    }

    /** One singer's microphone block captured at {@code at}, through their control, into {@code out}. */
    private static void capture(Singer s, int at, int len, int echo, float[] sent, Biquad[] room, int closeAt,
                                EchoControl c, boolean control, float[] block, float[] out) {
        if (at < 0 || at + BLOCK > len) {
            return;
        }
        for (int i = 0; i < BLOCK; i++) {
            int n = at + i;
            float played = n - echo >= 0 ? sent[n - echo] : 0f;
            float back = n >= closeAt ? (float) (s.room.flat * played + s.room.peak * room[0].process(played)) : 0f;
            block[i] = Math.max(-4f, Math.min(4f, s.voice[n] + back));
        }
        if (control) {
            c.process(block, BLOCK, at);
        }
        System.arraycopy(block, 0, out, at, BLOCK);
    }

    /** Level of {@code hz} per 10 ms (over 20 ms), dB re a full-scale sine. */
    public static double[] levelDb(float[] x, double hz) {
        double[] level = new double[x.length / BLOCK];
        for (int w = 0; w < level.length; w++) {
            level[w] = FeedbackLoop.toneDb(x, w * BLOCK, BLOCK * 2, hz);
        }
        return level;
    }
}
