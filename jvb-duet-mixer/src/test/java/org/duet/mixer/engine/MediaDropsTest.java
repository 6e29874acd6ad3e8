package org.duet.mixer.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.duet.mixer.jitter.InsertResult;
import org.duet.mixer.rtcp.RtcpDropReason;
import org.duet.mixer.rtp.RtpDropReason;
import org.junit.jupiter.api.Test;

class MediaDropsTest {

    @Test
    void eachReasonIsCountedApartAndTheNonDropsAreNotReasons() {
        MediaDrops d = new MediaDrops();
        d.rtp(RtpDropReason.BAD_VERSION);
        d.rtp(RtpDropReason.BAD_VERSION);
        d.rtcp(RtcpDropReason.BAD_LENGTH);
        d.jitter(InsertResult.LATE);
        d.payload();
        assertThat(d.get(MediaDrops.Stage.RTP, "bad_version")).isEqualTo(2);
        assertThat(d.get(MediaDrops.Stage.RTP, "too_short")).isZero();
        assertThat(d.get(MediaDrops.Stage.RTCP, "bad_length")).isEqualTo(1);
        assertThat(d.get(MediaDrops.Stage.JITTER, "late")).isEqualTo(1);
        assertThat(d.get(MediaDrops.Stage.PAYLOAD, MediaDrops.NOT_NEGOTIATED)).isEqualTo(1);
        assertThat(MediaDrops.reasons(MediaDrops.Stage.RTP)).doesNotContain("none").contains("bad_version");
        assertThat(MediaDrops.reasons(MediaDrops.Stage.JITTER)).doesNotContain("accepted", "ssrc_changed")
                .contains("duplicate", "late");
        assertThat(d.snapshot()).containsOnlyKeys("rtp", "rtcp", "payload", "jitter", "transport_feedback");
        assertThat(d.snapshot().get("rtp")).containsEntry("bad_version", 2L);
    }
}
