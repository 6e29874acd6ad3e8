package org.duet.mixer.jitsi.brewery;

import java.net.URI;
import java.util.Locale;
import org.jivesoftware.smack.packet.ExtensionElement;
import org.jivesoftware.smack.packet.XmlEnvironment;
import org.jivesoftware.smack.util.XmlStringBuilder;

/**
 * The presence extension a mixer announces itself with in the brewery MUC (the contract in
 * docs/protocol.md; the coordinator parses it):
 * <pre>
 * &lt;duet-mixer xmlns="urn:duet:mixer:1" id="mixer-1" url="ws://10.77.0.1:18770/translate"
 *   conferences="2" voices="4" load="0.07" graceful-shutdown="false" version="0.1.0"/&gt;
 * </pre>
 *
 * @param load the share of one core the mixer's media loops used lately (0..number of loops)
 */
public record MixerAnnouncement(String id, URI url, int conferences, int voices, double load,
                                boolean gracefulShutdown, String version) implements ExtensionElement {

    public static final String ELEMENT = "duet-mixer";
    public static final String NAMESPACE = "urn:duet:mixer:1";

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
}
