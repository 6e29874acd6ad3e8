package org.duet.coordinator.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DuetSessionTest {

    @Test
    void readsTheContractExampleAndIgnoresUnknownFields() {
        DuetSession s = DuetSession.parse("{\"v\":1,\"active\":true,\"singers\":{\"a\":\"5d2f2342\",\"b\":\"21eeebfd\","
                + "\"c\":\"x\"},\"mode\":\"live\",\"leader\":\"a\",\"updatedBy\":\"5d2f2342\",\"ts\":1764590000000,"
                + "\"calibration\":{\"later\":true}}");
        assertThat(s).isEqualTo(new DuetSession(true, "5d2f2342", "21eeebfd", "live", "a", "5d2f2342", 1764590000000L));
        assertThat(DuetSession.fromJson(s.toJson())).isEqualTo(s);
        assertThat(s.roleOf("21eeebfd")).isEqualTo("singer-b");
        assertThat(s.roleOf("0000abcd")).isEqualTo("listener");
        assertThat(s.stopped("5d2f2342").roleOf("5d2f2342")).isNull();
    }

    @Test
    void refusesBadJsonAndInvalidValues() {
        assertThatThrownBy(() -> DuetSession.parse("{\"v\":1,")).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> DuetSession.parse("[1]")).hasMessageContaining("object");
        assertThatThrownBy(() -> DuetSession.parse("{\"v\":2}")).hasMessageContaining("version");
        assertThatThrownBy(() -> DuetSession.parse("{\"v\":1,\"active\":true,\"singers\":{\"a\":\"5d2f2342\"}}"))
                .hasMessageContaining("both singers");
        assertThatThrownBy(() -> DuetSession.parse("{\"v\":1,\"singers\":{\"a\":\"5d2f234\"}}"))
                .hasMessageContaining("8 hex");
        assertThatThrownBy(() -> DuetSession.parse("{\"v\":1,\"singers\":{\"a\":\"<script>\"}}"))
                .hasMessageContaining("8 hex");
        assertThatThrownBy(() -> DuetSession.parse("{\"v\":1,\"active\":true,\"singers\":{\"a\":\"5d2f2342\","
                + "\"b\":\"5d2f2342\"}}")).hasMessageContaining("different");
        assertThatThrownBy(() -> DuetSession.parse("{\"v\":1,\"leader\":\"c\"}")).hasMessageContaining("leader");
        assertThatThrownBy(() -> DuetSession.parse("{\"v\":1,\"active\":\"yes\"}")).hasMessageContaining("active");
        assertThatThrownBy(() -> DuetSession.parse("{\"v\":1,\"mode\":\"LIVE!\"}")).hasMessageContaining("mode");
        assertThatThrownBy(() -> DuetSession.parse("{\"v\":1,\"singers\":{\"a\":7}}")).hasMessageContaining("string");
    }

    @Test
    void anInactiveSessionMayHaveNoSingers() {
        DuetSession s = DuetSession.parse("{\"v\":1,\"active\":false}");
        assertThat(s.singerA()).isNull();
        assertThat(s.mode()).isEqualTo("live");
        assertThat(s.leader()).isEqualTo("a");
    }
}
