package org.duet.mixer.jitsi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The frame key must name the Opus frame, whatever stamp padding the page or the mixer wrote. */
class FrameTraceTest {

    private static byte[] frame(int seed) {
        byte[] b = new byte[81];
        b[0] = (byte) 0xFC; // config 31 (CELT FB 20 ms), stereo, code 0: one frame
        for (int i = 1; i < b.length; i++) {
            b[i] = (byte) (seed * 31 + i * 7);
        }
        return b;
    }

    @Test
    void aStampedFrameHasTheKeyOfTheFrameItCarries() {
        byte[] plain = frame(1);
        byte[] stamped = new byte[plain.length + 64];
        int n = CaptureStamp.stampSend(plain, 0, plain.length, 1.7e12, stamped);
        assertThat(n).as("stamped length").isGreaterThan(plain.length);
        assertThat(Arrays.equals(stamped, 0, n, plain, 0, plain.length)).isFalse();
        assertThat(FrameTrace.key(stamped, 0, n)).isEqualTo(FrameTrace.key(plain, 0, plain.length)).isNotZero();
    }

    @Test
    void differentFramesHaveDifferentKeys() {
        assertThat(FrameTrace.key(frame(1), 0, 81)).isNotEqualTo(FrameTrace.key(frame(2), 0, 81));
        // the length is part of the key
        assertThat(FrameTrace.key(frame(1), 0, 81) >>> 32).isEqualTo(80);
    }

    @Test
    void paddingThatIsNoStampHasNoKey() {
        byte[] b = frame(3);
        b[0] = (byte) 0xFF; // code 3
        b[1] = 0x41; // one frame, padded
        b[2] = 5; // 5 bytes of padding: not a stamp
        assertThat(FrameTrace.key(b, 0, b.length)).isZero();
        assertThat(FrameTrace.key(b, 0, 0)).isZero();
    }
}
