package org.duet.jitsi.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import org.duet.mixer.e2e.AudioAnalysis;

/** The outage a listener heard in a steady tone after an event (a mixer killed mid-duet). */
final class ToneOutage {

    private static final int RATE = SingerSignals.RATE;

    private ToneOutage() {
    }

    /**
     * How long the tone at {@code hz} was gone from {@code t} after {@code eventEpochMs}: the longest
     * run of 20 ms windows under half the level measured before the event, from the event to the end
     * of the recording (0 when it never dropped), or infinity when the tone is not steadily back: loud
     * in at least 80 % of the 20 ms windows of the second before the recording's last 300 ms (a page's
     * capture can end on a few glitched windows on a loaded machine: seen at load 38, a tone back for
     * 6 s read as never back). The browser's jitter buffer still plays what it held at the kill,
     * so the outage starts some hundreds of ms after the event: the first loud windows after the
     * event say nothing about the takeover.
     */
    static double longestAfterMs(float[] samples, double startEpochMs, double hz, double eventEpochMs) {
        float[] x = AudioAnalysis.bandPass(samples, hz, 40, RATE);
        int win = RATE / 50;
        int eventIdx = (int) Math.round((eventEpochMs - startEpochMs) * RATE / 1000.0);
        assertThat(eventIdx).as("recording covers the kill").isBetween(RATE / 2, x.length - RATE * 3);
        double before = AudioAnalysis.rms(x, Math.max(0, eventIdx - RATE), eventIdx);
        assertThat(before).as("partner's tone present before the kill").isGreaterThan(0.01);
        int quiet = 0;
        int longestQuiet = 0;
        int loudInLastSecond = 0;
        int windowsInLastSecond = 0;
        for (int i = eventIdx; i + win <= x.length; i += win) {
            boolean loud = AudioAnalysis.rms(x, i, i + win) >= before / 2;
            quiet = loud ? 0 : quiet + 1;
            longestQuiet = Math.max(longestQuiet, quiet);
            if (i + win > x.length - RATE * 13 / 10 && i + win <= x.length - RATE * 3 / 10) {
                windowsInLastSecond++;
                loudInLastSecond += loud ? 1 : 0;
            }
        }
        if (loudInLastSecond < windowsInLastSecond * 0.8) {
            return Double.POSITIVE_INFINITY;
        }
        return longestQuiet * 1000.0 / 50;
    }
}
