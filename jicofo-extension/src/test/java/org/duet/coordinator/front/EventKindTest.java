package org.duet.coordinator.front;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EventKindTest {
    @Test
    void readsTheEventTypeFromTheFirstCharacters() {
        assertThat(EventKind.of("{\"event\":\"media\",\"sequenceNumber\":\"3\",\"media\":{}}")).isEqualTo(EventKind.MEDIA);
        assertThat(EventKind.of("{\"event\":\"sources\",\"exports\":[]}")).isEqualTo(EventKind.SOURCES);
        // what JVB 11146 really sends (jicoco-mediajson SourcesEvent.toJson(), checked against the jar):
        // the class name as a first "event", the kind in a second one
        assertThat(EventKind.of("{\"event\":\"SourcesEvent\",\"exports\":[\"abcd1234-a0\",\"bcde2345-a0\"],"
                + "\"requests\":[\"abcd1234-a0.duet\"],\"event\":\"sources\"}")).isEqualTo(EventKind.SOURCES);
        assertThat(EventKind.of("{\"event\": \"start\",\"start\":{}}")).isEqualTo(EventKind.START);
        assertThat(EventKind.of("{\"event\":\"info\"}")).isEqualTo(EventKind.INFO);
        assertThat(EventKind.of("{\"event\":\"ping\",\"id\":1}")).isEqualTo(EventKind.PING);
        assertThat(EventKind.of("{\"event\":\"session-end\"}")).isEqualTo(EventKind.SESSION_END);
        assertThat(EventKind.of("{\"event\":\"mediax\"}")).isEqualTo(EventKind.OTHER);
        assertThat(EventKind.of("not json")).isEqualTo(EventKind.OTHER);
        assertThat(EventKind.of("{\"event\":7}")).isEqualTo(EventKind.OTHER);
        assertThat(EventKind.of("")).isEqualTo(EventKind.OTHER);
    }
}
