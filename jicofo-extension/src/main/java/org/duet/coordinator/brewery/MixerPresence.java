package org.duet.coordinator.brewery;

import java.net.URI;
import java.util.Locale;
import java.util.Map;
import org.jivesoftware.smack.packet.ExtensionElement;
import org.jivesoftware.smack.packet.XmlEnvironment;
import org.jivesoftware.smack.util.XmlStringBuilder;

/**
 * What a mixer announces in its brewery presence:
 * <pre>
 * &lt;duet-mixer xmlns="urn:duet:mixer:1" id="mixer-1" url="ws://10.77.0.1:18770/translate"
 *   conferences="2" voices="4" load="0.07" graceful-shutdown="false" version="0.1.0"/&gt;
 * </pre>
 * {@code load} is the share of one core its media loops use (0..cores). Unknown attributes are ignored.
 */
public final class MixerPresence implements ExtensionElement {

    public static final String ELEMENT = "duet-mixer";
    public static final String NAMESPACE = "urn:duet:mixer:1";

    private final String id;
    private final URI url;
    private final int conferences;
    private final int voices;
    private final double load;
    private final boolean gracefulShutdown;
    private final String version;

    public MixerPresence(String id, URI url, int conferences, int voices, double load, boolean gracefulShutdown,
                         String version) {
        if (id == null || id.isBlank() || id.length() > 64) {
            throw new IllegalArgumentException("mixer id must be 1..64 characters");
        }
        String scheme = url == null ? null : url.getScheme();
        if (scheme == null || !(scheme.equals("ws") || scheme.equals("wss")) || url.getHost() == null) {
            throw new IllegalArgumentException("mixer url must be ws:// or wss:// with a host: " + url);
        }
        if (conferences < 0 || voices < 0 || !(load >= 0) || Double.isInfinite(load)) {
            throw new IllegalArgumentException("negative or non-finite figures in the announcement of " + id);
        }
        this.id = id;
        this.url = url;
        this.conferences = conferences;
        this.voices = voices;
        this.load = load;
        this.gracefulShutdown = gracefulShutdown;
        this.version = version == null ? "" : version;
    }

    /** Builds one from the element's attributes; throws {@link IllegalArgumentException} when they are invalid. */
    public static MixerPresence fromAttributes(Map<String, String> a) {
        try {
            return new MixerPresence(a.get("id"), URI.create(required(a, "url")), intOr0(a.get("conferences")),
                    intOr0(a.get("voices")), a.get("load") == null ? 0 : Double.parseDouble(a.get("load")),
                    "true".equalsIgnoreCase(a.get("graceful-shutdown")), a.get("version"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad number in a mixer announcement: " + e.getMessage(), e);
        }
    }

    private static String required(Map<String, String> a, String key) {
        String v = a.get(key);
        if (v == null) {
            throw new IllegalArgumentException("mixer announcement without " + key);
        }
        return v;
    }

    private static int intOr0(String s) {
        return s == null ? 0 : Integer.parseInt(s.trim());
    }

    public String id() {
        return id;
    }

    public URI url() {
        return url;
    }

    public int conferences() {
        return conferences;
    }

    public int voices() {
        return voices;
    }

    public double load() {
        return load;
    }

    public boolean gracefulShutdown() {
        return gracefulShutdown;
    }

    public String version() {
        return version;
    }

    @Override
    public String getElementName() {
        return ELEMENT;
    }

    @Override
    public String getNamespace() {
        return NAMESPACE;
    }

    @Override
    public XmlStringBuilder toXML(XmlEnvironment enclosingNamespace) {
        XmlStringBuilder xml = new XmlStringBuilder(this, enclosingNamespace);
        xml.attribute("id", id);
        xml.attribute("url", url.toString());
        xml.attribute("conferences", conferences);
        xml.attribute("voices", voices);
        xml.attribute("load", String.format(Locale.ROOT, "%.3f", load));
        xml.attribute("graceful-shutdown", Boolean.toString(gracefulShutdown));
        xml.attribute("version", version);
        xml.closeEmptyElement();
        return xml;
    }

    @Override
    public String toString() {
        return id + " " + url + " conferences=" + conferences + " voices=" + voices + " load=" + load
                + (gracefulShutdown ? " graceful-shutdown" : "");
    }
}
