package org.duet.jitsi.e2e;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One Chromium on Duet's Jitsi page (jitsi-meet-ui/web/jitsi.html), driven through the page's own
 * test API {@code window.duet}: join as singer or listener, the moderator's start, the page state,
 * and the recording of what the page sends and plays.
 */
final class Participant implements AutoCloseable {

    final String name;
    final ChromeDriver browser;
    /** A listener's microphone is silence and no check reads it: its recording is not fetched. */
    private boolean singer = true;

    Participant(String name, ChromeDriver browser) {
        this.name = name;
        this.browser = browser;
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> state() {
        return (Map<String, Object>) browser.executeScript("return window.duet ? window.duet.state() : {}");
    }

    String endpointId() {
        return (String) state().get("endpointId");
    }

    /** Opens the page and joins {@code room} through the page's own join (as a user would). */
    void join(String url, String room, boolean singer) {
        this.singer = singer;
        browser.get(url);
        new WebDriverWait(browser, Duration.ofSeconds(30), Duration.ofMillis(200))
                .until(d -> Boolean.TRUE.equals(browser.executeScript("return Boolean(window.duet && window.duet.ready())")));
        // the join resolves once Jicofo let the page into the conference: seconds on a busy machine
        browser.executeScript("window.__join = 'pending';"
                + "window.duet.join({room: arguments[0], name: arguments[1], as: arguments[2], headphones: true})"
                + ".then(() => { window.__join = 'ok'; }, e => { window.__join = 'failed: ' + (e && e.message); });",
                room, name, singer ? "singer" : "listener");
        new WebDriverWait(browser, Duration.ofSeconds(90), Duration.ofMillis(250))
                .until(d -> !"pending".equals(browser.executeScript("return window.__join")));
        Object r = browser.executeScript("return window.__join");
        if (!"ok".equals(r)) {
            throw new AssertionError(name + ": join " + r + "; page state " + state());
        }
    }

    /** The moderator's "Start duet" (the page writes the session state; Prosody enforces the moderator rule). */
    /**
     * Starts the duet as the moderator. lib-jitsi-meet learns that the room has Jitsi's room metadata
     * component from a disco answer that can come a moment after the join, and the page refuses to
     * write before that (as its button does for a user): retried for up to 20 s.
     */
    void startDuet(String singerA, String singerB) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            try {
                browser.executeScript("window.duet.startDuet(arguments[0], arguments[1])", singerA, singerB);
                return;
            } catch (org.openqa.selenium.JavascriptException e) {
                if (!String.valueOf(e.getMessage()).contains("no room metadata component") || System.nanoTime() > end) {
                    throw e;
                }
                Thread.sleep(250);
            }
        }
    }

    /** Polls the page state until {@code test} holds; fails with the page's log otherwise. */
    void await(String what, Duration timeout, Predicate<Map<String, Object>> test) {
        try {
            new WebDriverWait(browser, timeout, Duration.ofMillis(250)).until(d -> {
                Map<String, Object> s = state();
                Object errors = s.get("errors");
                if (errors instanceof List<?> l && !l.isEmpty()) {
                    throw new AssertionError(name + ": page error " + l);
                }
                return test.test(s);
            });
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError(name + ": timed out after " + timeout + " waiting for " + what
                    + "; page state: " + state(), e);
        }
    }

    /** The page's lifetime receive figures per remote audio source (getStats inbound-rtp), by source name. */
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> inboundAudio() {
        Object r = browser.executeAsyncScript(
                "const done = arguments[arguments.length - 1]; window.duet.inboundAudio().then(done, () => done({}));");
        return r instanceof Map<?, ?> m ? (Map<String, Map<String, Object>>) m : Map.of();
    }

    void startCapture() {
        browser.executeScript("return window.duet.capture.start()");
    }

    /** Stops the page's recordings (fetch them with {@link #takeCapture}). */
    void stopCapture() {
        browser.executeAsyncScript("const done = arguments[arguments.length - 1]; window.duet.capture.stop().then(done);");
    }

    /**
     * The recordings of a stopped capture. Stop every page's capture first, then take them: the pages
     * go on recording until stopped, and one page's fetch takes seconds on a loaded machine (a page
     * stopped after the others' fetches recorded 43 s instead of 12).
     */
    Recording takeCapture() {
        return takeCapture(null);
    }

    /** Only the recordings named in {@code only} ("input", "output", "direct:<source>"); null: all. */
    Recording takeCapture(java.util.Set<String> only) {
        // one recording per call: the listener's four (several MB of base64 each) in one answer
        // outlasted the driver's script timeout on a loaded machine
        List<?> names = (List<?>) browser.executeScript("return window.duet.capture.names()");
        Map<String, Track> direct = new java.util.TreeMap<>();
        Track input = null;
        Track output = null;
        for (Object n : names) {
            String name = (String) n;
            if ((name.equals("input") && !singer) || (only != null && !only.contains(name))) {
                continue; // a loaded renderer hands over about a second of audio per second
            }
            long t0 = System.nanoTime();
            Track t = upload(name);
            System.out.printf(java.util.Locale.ROOT, "jitsi e2e: %s's recording %s: %.1f s of audio, fetched in %.1f s%n",
                    this.name, name, t.samples().length / 48_000.0, (System.nanoTime() - t0) / 1e9);
            if (name.equals("input")) {
                input = t;
            } else if (name.equals("output")) {
                output = t;
            } else if (name.startsWith("direct:")) {
                direct.put(name.substring("direct:".length()), t);
            }
        }
        return new Recording(input, output, direct, only == null ? sentAudio() : null);
    }

    /**
     * What this singer's page sent during the capture, decoded from the Opus frames Chromium
     * encoded, each 20 ms placed at Chromium's own capture time of that frame (the capture stamps'
     * source, js/jitsi/encoded-frames.js): the capture-time reference. Null when the page recorded
     * no frames (no encoded streams, capture stamps off).
     */
    private Track sentAudio() {
        Object answer = browser.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "window.duet.capture.sentFrames().then(done, e => done(String(e && e.message || e)));");
        Object r = answer instanceof Map<?, ?> m ? m.get("sent") : answer;
        if (answer instanceof Map<?, ?> m && m.get("received") instanceof List<?> rec && m.get("ssrcs") instanceof Map<?, ?> ss) {
            received = rec;
            receivedSsrcs = ss;
        }
        if (!singer) {
            return null; // a listener sends nothing: what it received is kept (receivedAudio)
        }
        if (!(r instanceof List<?> frames) || frames.size() < 50) {
            System.out.println("jitsi e2e: " + name + " recorded no sent frames: " + (r instanceof List<?> l ? l.size() + " frames" : r));
            return null;
        }
        int n = frames.size();
        long[] rtp = new long[n];
        double[] capture = new double[n];
        byte[][] data = new byte[n][];
        for (int i = 0; i < n; i++) {
            List<?> f = (List<?>) frames.get(i);
            rtp[i] = ((Number) f.get(0)).longValue();
            capture[i] = ((Number) f.get(1)).doubleValue();
            data[i] = java.util.Base64.getDecoder().decode((String) f.get(2));
        }
        Track t = FrameAudio.decode(rtp, capture, data);
        System.out.printf(java.util.Locale.ROOT, "jitsi e2e: %s sent %d frames (%.1f s) in the capture; capture-time steps over 1 ms: %s%n",
                name, n, t.seconds(), FrameAudio.captureSteps(rtp, capture));
        return t;
    }

    /**
     * One received source as it arrived, decoded and placed by its media time: each frame at its
     * RTP timestamp, on a line through the earliest-arriving frame (receive time minus media time
     * at its smallest), so that neither the network's jitter nor this browser's playout (its
     * jitter buffer stretching or shrinking time) moves one part of the stream against another.
     * Needs the page to record frame data (duet-config {@code receivedFrames}, a listener); null
     * when it did not.
     */
    Track receivedAudio(String source) {
        Object ssrc = receivedSsrcs.get(source);
        if (!(ssrc instanceof Number want)) {
            return null;
        }
        List<List<?>> frames = new java.util.ArrayList<>();
        for (Object o : received) {
            List<?> e = (List<?>) o;
            if (e.size() >= 5 && ((Number) e.get(0)).longValue() == want.longValue()) {
                frames.add(e);
            }
        }
        if (frames.size() < 50) {
            return null;
        }
        long rtp0 = ((Number) frames.get(0).get(3)).longValue();
        // signed 32-bit offsets from the first frame: a frame reordered in the network comes before it
        frames.sort(java.util.Comparator.comparingLong(e -> (int) (((Number) e.get(3)).longValue() - rtp0)));
        int n = frames.size();
        long[] rtp = new long[n];
        double[] placed = new double[n];
        byte[][] data = new byte[n][];
        double anchor = Double.POSITIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            List<?> e = frames.get(i);
            rtp[i] = ((Number) e.get(3)).longValue();
            double mediaMs = (int) (rtp[i] - rtp0) / 48.0;
            anchor = Math.min(anchor, ((Number) e.get(1)).doubleValue() - mediaMs);
            data[i] = java.util.Base64.getDecoder().decode((String) e.get(4));
        }
        for (int i = 0; i < n; i++) {
            placed[i] = anchor + (int) (rtp[i] - rtp0) / 48.0;
        }
        return FrameAudio.decode(rtp, placed, data);
    }

    /**
     * Where the frame with {@code key} of {@code source} sits on the line {@link #receivedAudio}
     * places that source by (epoch ms), taking the copy received nearest {@code aroundMs}; NaN if
     * none came within a second of it.
     */
    double placedEpochOfKey(String source, double key, double aroundMs) {
        Object ssrc = receivedSsrcs.get(source);
        if (!(ssrc instanceof Number want)) {
            return Double.NaN;
        }
        long rtp0 = Long.MIN_VALUE;
        double anchor = Double.POSITIVE_INFINITY;
        double best = Double.NaN;
        double bestGap = 1000;
        List<List<?>> frames = new java.util.ArrayList<>();
        for (Object o : received) {
            List<?> e = (List<?>) o;
            if (e.size() >= 5 && ((Number) e.get(0)).longValue() == want.longValue()) {
                frames.add(e);
            }
        }
        if (frames.isEmpty()) {
            return Double.NaN;
        }
        frames.sort(java.util.Comparator.comparingLong(e -> (int) (((Number) e.get(3)).longValue()
                - ((Number) frames.get(0).get(3)).longValue())));
        rtp0 = ((Number) frames.get(0).get(3)).longValue();
        for (List<?> e : frames) {
            anchor = Math.min(anchor, ((Number) e.get(1)).doubleValue() - (int) (((Number) e.get(3)).longValue() - rtp0) / 48.0);
        }
        for (List<?> e : frames) {
            double at = ((Number) e.get(1)).doubleValue();
            if (((Number) e.get(2)).doubleValue() == key && Math.abs(at - aroundMs) < bestGap) {
                bestGap = Math.abs(at - aroundMs);
                best = anchor + (int) (((Number) e.get(3)).longValue() - rtp0) / 48.0;
            }
        }
        return best;
    }

    /** What the page received during the capture: [ssrc, receive time (Unix ms), frame key(, rtp, Opus)], and ssrc by source. */
    private List<?> received = List.of();
    private Map<?, ?> receivedSsrcs = Map.of();

    /**
     * For every Opus frame this page received both straight from the bridge ({@code directSource})
     * and through Duet ({@code duetSource}, the partner's voice forwarded untouched), how much later
     * it came through Duet, ms: what the export round trip adds, before either browser buffer.
     */
    double[] exportAddedMs(String directSource, String duetSource) {
        ReceivedTwice r = receivedTwice(directSource, duetSource);
        return r.viaDuet().stream().filter(v -> r.direct().containsKey(v[0]))
                .mapToDouble(v -> r.direct().get(v[0]).stream().map(t -> v[1] - t).min(java.util.Comparator.comparingDouble(Math::abs)).orElseThrow())
                .toArray();
    }

    /**
     * The frames of one voice this page received straight from the bridge (receive times by frame
     * key) and through Duet ([key, receive time]). A looped test signal repeats its frames (the same
     * bytes every loop): whoever matches them takes the nearest copy.
     */
    record ReceivedTwice(Map<Double, List<Double>> direct, List<double[]> viaDuet) {
    }

    ReceivedTwice receivedTwice(String directSource, String duetSource) {
        Object direct = receivedSsrcs.get(directSource);
        Object duet = receivedSsrcs.get(duetSource);
        Map<Double, List<Double>> directAt = new java.util.HashMap<>();
        List<double[]> viaDuet = new java.util.ArrayList<>();
        if (!(direct instanceof Number d) || !(duet instanceof Number u)) {
            return new ReceivedTwice(directAt, viaDuet);
        }
        for (Object o : received) {
            List<?> e = (List<?>) o;
            long ssrc = ((Number) e.get(0)).longValue();
            double at = ((Number) e.get(1)).doubleValue();
            double key = ((Number) e.get(2)).doubleValue();
            if (key == 0) {
                continue;
            }
            if (ssrc == d.longValue()) {
                directAt.computeIfAbsent(key, k -> new java.util.ArrayList<>()).add(at);
            } else if (ssrc == u.longValue()) {
                viaDuet.add(new double[] {key, at});
            }
        }
        return new ReceivedTwice(directAt, viaDuet);
    }

    private static final java.util.concurrent.atomic.AtomicInteger UPLOADS = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * One recording, its samples POSTed by the page to the page server as binary (through the
     * driver, megabytes of base64 took 10-100 s each on a loaded machine, and a run lost its
     * conference while one page's was fetched), the rest answered through the driver.
     */
    private Track upload(String recording) {
        String key = name + "-" + UPLOADS.incrementAndGet();
        Object meta = browser.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "window.duet.capture.uploadOne(arguments[0], '/upload/' + arguments[1])"
                + ".then(done, e => done({error: String(e && e.message || e)}));", recording, key);
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) meta;
        if (m == null || m.get("error") != null) {
            throw new AssertionError(name + ": upload of recording " + recording + " failed: " + (m == null ? null : m.get("error")));
        }
        byte[] bytes = PageServer.takeUpload(key);
        if (bytes == null) {
            throw new AssertionError(name + ": the page answered but its upload " + key + " never arrived");
        }
        return track(m, bytes);
    }

    private static Track track(Map<String, Object> m, byte[] bytes) {
        float[] samples = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(samples);
        double start = ((Number) m.get("startEpochMs")).doubleValue();
        double[][] readings = null;
        if (m.get("clock") instanceof List<?> pairs) {
            readings = new double[pairs.size()][];
            for (int i = 0; i < readings.length; i++) {
                List<?> pair = (List<?>) pairs.get(i);
                readings[i] = new double[] {((Number) pair.get(0)).doubleValue(), ((Number) pair.get(1)).doubleValue()};
            }
        }
        return new Track(samples, start, ((Number) m.get("sampleRate")).intValue(), RecordingClock.fit(start, readings));
    }

    /**
     * Samples (mono float), the wall-clock time of the first one by the page's median clock offset,
     * and the clock fitted through all of the page's readings ({@link RecordingClock}).
     */
    record Track(float[] samples, double startEpochMs, int sampleRate, RecordingClock clock, double[] frameEpochMs) {
        /** Samples per frame when each frame has its own time ({@code frameEpochMs}). */
        static final int FRAME = FrameAudio.BLOCK;

        double seconds() {
            return samples.length / (double) sampleRate;
        }

        Track(float[] samples, double startEpochMs, int sampleRate, RecordingClock clock) {
            this(samples, startEpochMs, sampleRate, clock, null);
        }

        /** A recording whose clock is the nominal rate from {@code startEpochMs}. */
        Track(float[] samples, double startEpochMs, int sampleRate) {
            this(samples, startEpochMs, sampleRate, new RecordingClock(startEpochMs, 0));
        }

        /** Wall-clock time (epoch ms) of sample {@code index}: by its frame's own time, else the fitted clock. */
        double epochMsAt(double index) {
            if (frameEpochMs != null) {
                int f = (int) Math.max(0, Math.min(frameEpochMs.length - 1, Math.floor(index / FRAME)));
                return frameEpochMs[f] + (index - (double) f * FRAME) * 1000.0 / sampleRate;
            }
            return clock.epochMsAt(index, sampleRate);
        }
    }

    /**
     * What the page sent (its microphone), what it played (everything it subscribed to), and the
     * singers' own sources straight from the bridge, by source name, recorded but not played (a
     * listener with {@code referenceSources}).
     */
    record Recording(Track input, Track output, Map<String, Track> direct, Track sent) {
    }

    @Override
    public void close() {
        browser.quit();
    }
}
