package org.duet.bench.duet;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.duet.bench.analysis.Percentiles;

/**
 * The delays the mixer reports about itself (GET /api/stats, or the pipe child's {@code stats}) at the end of the measured window:
 * how far behind real time the listener mixes read their sources, and the singers' jitter-buffer
 * targets, each the median over the rooms. They explain the click latency the bench measures
 * from outside.
 */
final class ServerDelays {

    private ServerDelays() {
    }

    /** {median listener mix delay ms, median singer jitter target ms}; NaN where unknown. */
    static double[] of(JsonNode stats) {
        List<Double> mix = new ArrayList<>();
        List<Double> target = new ArrayList<>();
        if (stats != null) {
            for (JsonNode room : stats.path("rooms")) {
                for (JsonNode p : room.path("participants")) {
                    JsonNode st = p.path("stats");
                    if (p.path("role").asText().equals("listener") && st.path("mixDelayMs").isNumber()) {
                        mix.add(st.path("mixDelayMs").asDouble());
                    } else if (p.path("role").asText().startsWith("singer") && st.path("jitterTargetMs").isNumber()) {
                        target.add(st.path("jitterTargetMs").asDouble());
                    }
                }
            }
        }
        return new double[] {mix.isEmpty() ? Double.NaN : Percentiles.of(mix, 50),
                target.isEmpty() ? Double.NaN : Percentiles.of(target, 50)};
    }
}
