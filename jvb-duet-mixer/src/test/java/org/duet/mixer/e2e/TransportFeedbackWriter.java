package org.duet.mixer.e2e;

/**
 * Builds transport-wide feedback (RTPFB FMT 15) the way a receiver does, for tests: two-bit status
 * vector chunks (7 packets each), one-byte deltas where they fit, two-byte ones otherwise, the
 * reference time at the first arrival (64 ms units). See {@code rtcp/TransportFeedback} for the format.
 */
final class TransportFeedbackWriter {

    private TransportFeedbackWriter() {
    }

    /** @param arrivalMicros per packet, ignored where {@code received} is false */
    static byte[] write(int baseSequence, boolean[] received, long[] arrivalMicros) {
        int n = received.length;
        long ref = -1;
        for (int i = 0; i < n; i++) {
            if (received[i]) {
                ref = Math.floorDiv(arrivalMicros[i], 64_000);
                break;
            }
        }
        if (ref < 0) {
            ref = 0;
        }
        int chunks = (n + 6) / 7;
        byte[] deltas = new byte[2 * n];
        int d = 0;
        int[] symbols = new int[n];
        long last = ref * 64_000;
        for (int i = 0; i < n; i++) {
            if (!received[i]) {
                continue;
            }
            long delta = Math.round((arrivalMicros[i] - last) / 250.0);
            last += delta * 250;
            if (delta >= 0 && delta <= 255) {
                symbols[i] = 1;
                deltas[d++] = (byte) delta;
            } else {
                symbols[i] = 2;
                deltas[d++] = (byte) (delta >> 8);
                deltas[d++] = (byte) delta;
            }
        }
        int length = 20 + 2 * chunks + d;
        int padded = (length + 3) / 4 * 4;
        byte[] b = new byte[padded];
        b[0] = (byte) 0x8F;
        b[1] = (byte) 205;
        b[2] = (byte) ((padded / 4 - 1) >> 8);
        b[3] = (byte) (padded / 4 - 1);
        b[4] = 1; // sender SSRC 0x01000000; media SSRC 0
        b[12] = (byte) (baseSequence >> 8);
        b[13] = (byte) baseSequence;
        b[14] = (byte) (n >> 8);
        b[15] = (byte) n;
        b[16] = (byte) (ref >> 16);
        b[17] = (byte) (ref >> 8);
        b[18] = (byte) ref;
        for (int c = 0; c < chunks; c++) {
            int chunk = 0xC000;
            for (int i = 0; i < 7 && c * 7 + i < n; i++) {
                chunk |= symbols[c * 7 + i] << (12 - 2 * i);
            }
            b[20 + 2 * c] = (byte) (chunk >> 8);
            b[21 + 2 * c] = (byte) chunk;
        }
        System.arraycopy(deltas, 0, b, 20 + 2 * chunks, d);
        return b;
    }
}
