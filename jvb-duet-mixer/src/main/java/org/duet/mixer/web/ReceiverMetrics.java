package org.duet.mixer.web;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.duet.mixer.adapt.AdaptationSnapshot;
import org.duet.mixer.adapt.NetworkReport;
import org.duet.mixer.room.DuetMixer;
import org.duet.mixer.room.Participant;
import org.duet.mixer.room.Room;

/**
 * Per-receiver adaptation figures in /metrics, labelled {@code room} and {@code receiver} (the
 * participant id): what we send each receiver (bitrate, FEC, loss hint, frame, DTX), the feedback
 * behind it (loss, jitter, round trip) and, for a singer, the advice for their own sender.
 *
 * <p>The series are rebuilt from the rooms present at every scrape ({@link MultiGauge} with
 * overwrite), so a receiver or room that left disappears from the next scrape: the series count
 * follows the audience present, never its history. At most {@link #MAX_RECEIVERS} receivers are
 * listed; the rest are counted in {@code duet_adapt_receivers_unlisted}.
 */
final class ReceiverMetrics {

    /** Receivers listed per scrape: about 14 series each, so at most some 14 000 series. */
    static final int MAX_RECEIVERS = 1000;

    private record Figure(MultiGauge gauge, ToDoubleFunction<NetworkReport> value) {
    }

    private final List<Figure> figures = new ArrayList<>();
    private volatile int unlisted;

    ReceiverMetrics(MeterRegistry registry) {
        receive(registry, "duet.adapt.receiver.bitrate.bps", null, "Opus bitrate we send this receiver",
                a -> a.bitrate());
        receive(registry, "duet.adapt.receiver.fec", null, "in-band FEC in what we send this receiver (1 on)",
                a -> a.fec() ? 1 : 0);
        receive(registry, "duet.adapt.receiver.loss.hint.percent", null, "packet-loss hint of this receiver's encoder",
                a -> a.lossHint());
        receive(registry, "duet.adapt.receiver.frame", "seconds", "Opus frame duration we send this receiver",
                a -> a.frameMs() / 1000.0);
        receive(registry, "duet.adapt.receiver.dtx", null, "DTX in what we send this receiver (1 on)",
                a -> a.dtx() ? 1 : 0);
        receive(registry, "duet.adapt.receiver.loss.percent", null, "loss this receiver reported, last interval",
                a -> a.lossPercent());
        receive(registry, "duet.adapt.receiver.jitter", "seconds", "interarrival jitter this receiver reported",
                a -> a.jitterMs() / 1000.0);
        receive(registry, "duet.adapt.receiver.rtt", "seconds", "round trip to this receiver (LSR/DLSR)",
                a -> a.rttMs() / 1000.0);
        receive(registry, "duet.adapt.receiver.changes", null, "adaptation decisions so far for this receiver",
                a -> a.changes());
        figures.add(new Figure(multi(registry, "duet.adapt.receiver.forwarded", null,
                "this receiver's mix is a forwarded voice, left untouched (1 yes)"),
                n -> n.receive() == null ? Double.NaN : n.forwarded() ? 1 : 0));
        figures.add(new Figure(multi(registry, "duet.adapt.receiver.encoders", null,
                "encoders (network classes) running for the mix this receiver hears"),
                n -> n.receive() == null ? Double.NaN : n.sharedEncoders()));
        figures.add(new Figure(multi(registry, "duet.adapt.advice.bitrate.bps", null,
                "maximum bitrate advised to this singer's own sender"),
                n -> n.send() == null ? Double.NaN : n.send().bitrate()));
        figures.add(new Figure(multi(registry, "duet.adapt.advice.fec", null,
                "FEC advised to this singer's own sender (1 on)"),
                n -> n.send() == null ? Double.NaN : n.send().fec() ? 1 : 0));
        figures.add(new Figure(multi(registry, "duet.adapt.advice.seen.bps", null,
                "bitrate we receive from this singer, last interval"),
                n -> n.send() == null ? Double.NaN : n.sendKbps() * 1000));
        Gauge.builder("duet.adapt.receivers.unlisted", this, m -> m.unlisted)
                .description("receivers left out of the per-receiver series (more than " + MAX_RECEIVERS + ")")
                .register(registry);
    }

    private void receive(MeterRegistry registry, String name, String unit, String help,
                         ToDoubleFunction<AdaptationSnapshot> f) {
        figures.add(new Figure(multi(registry, name, unit, help),
                n -> n.receive() == null ? Double.NaN : f.applyAsDouble(n.receive())));
    }

    private static MultiGauge multi(MeterRegistry registry, String name, String unit, String help) {
        MultiGauge.Builder b = MultiGauge.builder(name).description(help);
        if (unit != null) {
            b.baseUnit(unit);
        }
        return b.register(registry);
    }

    /** Replaces every series with the receivers present now (a scrape calls it first). */
    synchronized void refresh(DuetMixer mixer) {
        List<List<MultiGauge.Row<?>>> rows = new ArrayList<>();
        for (int i = 0; i < figures.size(); i++) {
            rows.add(new ArrayList<>());
        }
        int listed = 0;
        int left = 0;
        for (Room room : mixer.rooms()) {
            for (Participant p : room.participants()) {
                NetworkReport net = p.network();
                if (net == null || (net.receive() == null && net.send() == null)) {
                    continue;
                }
                if (listed >= MAX_RECEIVERS) {
                    left++;
                    continue;
                }
                listed++;
                Tags tags = Tags.of("room", room.name(), "receiver", p.id());
                for (int i = 0; i < figures.size(); i++) {
                    double v = figures.get(i).value().applyAsDouble(net);
                    if (Double.isFinite(v)) { // unknown (no round trip yet, a listener's advice): no series
                        rows.get(i).add(MultiGauge.Row.of(tags, v));
                    }
                }
            }
        }
        unlisted = left;
        for (int i = 0; i < figures.size(); i++) {
            figures.get(i).gauge().register(rows.get(i), true);
        }
    }
}
