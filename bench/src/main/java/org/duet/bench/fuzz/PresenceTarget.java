package org.duet.bench.fuzz;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.duet.coordinator.brewery.InvalidMixerPresence;
import org.duet.coordinator.brewery.MixerPresence;
import org.duet.coordinator.brewery.MixerPresenceProvider;
import org.jivesoftware.smack.packet.ExtensionElement;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smack.parsing.SmackParsingException;
import org.jivesoftware.smack.util.PacketParserUtils;
import org.jivesoftware.smack.xml.XmlPullParserException;

/**
 * The one place Duet parses XMPP presence: the coordinator reading mixers' announcements in the
 * brewery MUC (jicofo-extension brewery/MixerPresenceProvider, through Smack's stanza parser with
 * the StAX backend, as its connection does). Smack's reader turns XML, parsing and
 * IllegalArgumentException failures into an unparsable-stanza callback; anything else thrown would
 * end the connection's reader, so it counts as a crash.
 *
 * <p>Presences reach the coordinator through the XMPP server, which only relays well-formed XML
 * without DTDs (RFC 6120 section 11), so a case that is not well-formed (checked with the JDK's
 * SAX parser, DOCTYPE refused, wherever that decides the outcome) counts as refused by the XML layer. Fed to Smack as a string,
 * such cases can make the JDK's StAX reader throw a NullPointerException at the premature end of
 * the string (seen with JDK 17.0.15): that end cannot occur inside a live XMPP stream.
 */
final class PresenceTarget implements FuzzTarget {

    /**
     * One reused SAX reader (DOCTYPE refused) for the well-formedness check: building a new one per
     * case cost a third of the run's time (profiled with JFR: Xerces' configuration set-up).
     */
    private final org.xml.sax.XMLReader wellFormed;
    private final org.xml.sax.helpers.DefaultHandler ignore = new org.xml.sax.helpers.DefaultHandler();

    PresenceTarget() {
        MixerPresenceProvider.register();
        try {
            javax.xml.parsers.SAXParserFactory factory = javax.xml.parsers.SAXParserFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            wellFormed = factory.newSAXParser().getXMLReader();
            wellFormed.setContentHandler(ignore);
            wellFormed.setErrorHandler(ignore);
        } catch (javax.xml.parsers.ParserConfigurationException | org.xml.sax.SAXException e) {
            throw new IllegalStateException(e);
        }
    }

    private boolean isWellFormed(String xml) {
        try {
            wellFormed.parse(new org.xml.sax.InputSource(new java.io.StringReader(xml)));
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public String name() {
        return "presence";
    }

    @Override
    public List<byte[]> seeds() {
        String from = "from='duet-brewery@muc.example.org/mixer-1' to='coordinator@example.org/x' ";
        return Seeds.ascii(
                "<presence " + from + "xmlns='jabber:client'><duet-mixer xmlns='urn:duet:mixer:1' id='mixer-1' "
                        + "url='ws://10.0.0.5:8090/translate' conferences='3' voices='6' load='0.25' "
                        + "version='0.1.0'/></presence>",
                "<presence " + from + "xmlns='jabber:client'><x xmlns='http://jabber.org/protocol/muc#user'><item "
                        + "affiliation='none' role='participant'/></x><duet-mixer xmlns='urn:duet:mixer:1' "
                        + "id='m2' url='wss://mixer.example.org/translate' graceful-shutdown='true'/></presence>",
                "<presence " + from + "xmlns='jabber:client' type='unavailable'/>",
                "<presence " + from + "xmlns='jabber:client'><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' "
                        + "node='http://jitsi.org' ver='abc='/><duet-mixer xmlns='urn:duet:mixer:1' id='m3' "
                        + "url='ws://[::1]:8090/translate' conferences=' 1 ' load='1e-3'><extra/></duet-mixer></presence>");
    }

    @Override
    public List<byte[]> dictionary() {
        return Seeds.ascii("<", ">", "/>", "</", "='", "'", "\"", "&amp;", "&#0;", "&#x10FFFF;", "&lt;", "&bogus;",
                "<![CDATA[x]]>", "<!-- -->", "<?xml version='1.0'?>", "<!DOCTYPE p [<!ENTITY a 'aaaaaaaaaa'>]>", "&a;",
                " xmlns='urn:duet:mixer:1'", " xmlns='jabber:client'", "<duet-mixer ", " id=''", " url='ws://x'",
                " url=':'", " conferences='-1'", " voices='2147483648'", " load='NaN'", " load='Infinity'",
                " graceful-shutdown='true'", " type='error'", "<error type='cancel'/>", "\u0000", "\uFFFF");
    }

    @Override
    public int maxLength() {
        return 4096;
    }

    @Override
    public boolean run(byte[] input) throws Exception {
        String xml = new String(input, StandardCharsets.UTF_8);
        // Smack first, the well-formedness check only where it decides the outcome: a documented
        // refusal is a refusal either way, so most cases skip the second parse (it cost 40 % of the
        // run, profiled with JFR). What is not well-formed never counts as accepted nor as a crash.
        Stanza stanza;
        try {
            stanza = PacketParserUtils.parseStanza(xml);
        } catch (XmlPullParserException | SmackParsingException | IOException | IllegalArgumentException e) {
            return false; // Smack reports these to its parsing-exception callback; the connection goes on
        } catch (RuntimeException | Error e) {
            if (!isWellFormed(xml)) {
                return false; // the XMPP server would not relay it
            }
            throw e;
        }
        if (stanza == null || !isWellFormed(xml)) {
            return false;
        }
        ExtensionElement e = stanza.getExtensionElement(MixerPresence.ELEMENT, MixerPresence.NAMESPACE);
        if (e instanceof MixerPresence m) {
            if (m.conferences() < 0 || m.voices() < 0 || !(m.load() >= 0) || m.url() == null) {
                throw new BrokenContract("accepted an announcement the registry cannot rank: " + m);
            }
            return true;
        }
        if (e instanceof InvalidMixerPresence bad && (bad.reason() == null || bad.reason().isBlank())) {
            throw new BrokenContract("an invalid announcement without a reason");
        }
        return stanza.getExtensionElement(MixerPresence.ELEMENT, MixerPresence.NAMESPACE) == null
                && input.length > 0 && new String(input, StandardCharsets.UTF_8).contains("unavailable");
    }

    @Override
    public void close() {
    }
}
