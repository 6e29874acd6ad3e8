#!/usr/bin/env python3
"""Adds to jitsi-xmpp-extensions 1.0-113 (4281255) the API that JVB and Jicofo 11146 compile against.

JVB/Jicofo 11146 pin jitsi-xmpp-extensions 1.0-116-gc47d314, which is on no public Maven repository.
The three commits after 1.0-113 add, as far as the two projects' use of them shows:
  - colibri2 <connect>: an `id` string and `create` / `expire` delta flags (attributes of the same names;
    the id defaults to the url when a peer omits it)
  - Capability.CAP_RTP_MID_DEMUX_SUPPORT ("rtp-mid-demux")
  - Colibri2Endpoint: a `diarize` flag (getDiarize(), Builder.setDiarize(boolean))
JVB and Jicofo are built against the same patched jar, so they agree on the wire. Duet never parses
Colibri2 itself. Idempotent: a file that already has an edit is left alone.

usage: xmpp-extensions-api.py <jitsi-xmpp-extensions source tree>
"""
import pathlib
import sys

SRC = pathlib.Path(sys.argv[1]) / "src" / "main"
KT = SRC / "kotlin/org/jitsi/xmpp/extensions/colibri2"
JAVA = SRC / "java/org/jitsi/xmpp/extensions/colibri2"


def edit(path, anchor, replacement):
    text = path.read_text()
    if replacement in text:
        return
    if text.count(anchor) != 1:
        sys.exit(f"{path}: expected exactly one match for {anchor[:70]!r}")
    path.write_text(text.replace(anchor, replacement))


def add_after(path, anchor, addition):
    edit(path, anchor, anchor + addition)


# Connect.kt: constructor parameters, attributes, constants, provider
connect = KT / "Connect.kt"
edit(connect,
     "    video: Boolean = false\n) : AbstractPacketExtension(NAMESPACE, ELEMENT) {\n    init {\n",
     "    video: Boolean = false,\n"
     "    /** This connect's identity in the conference (added for 11146, see the script header). */\n"
     "    val id: String = url.toString(),\n"
     "    /** Delta flag: the connect is new. */\n"
     "    val create: Boolean = false,\n"
     "    /** Delta flag: the connect goes away. */\n"
     "    val expire: Boolean = false\n"
     ") : AbstractPacketExtension(NAMESPACE, ELEMENT) {\n    init {\n"
     "        setAttribute(ID_ATTR_NAME, id)\n"
     "        if (create) setAttribute(CREATE_ATTR_NAME, true)\n"
     "        if (expire) setAttribute(EXPIRE_ATTR_NAME, true)\n")
add_after(connect, '        const val VIDEO_ATTR_NAME = "video"\n',
          '        const val ID_ATTR_NAME = "id"\n'
          '        const val CREATE_ATTR_NAME = "create"\n'
          '        const val EXPIRE_ATTR_NAME = "expire"\n')
edit(connect,
     "        val connect = Connect(url = uri, protocol = protocol, type = type, audio = audio, video = video)",
     "        val connect = Connect(\n"
     "            url = uri, protocol = protocol, type = type, audio = audio, video = video,\n"
     '            id = parser.getAttributeValue("", Connect.ID_ATTR_NAME) ?: uri.toString(),\n'
     '            create = parser.getAttributeValue("", Connect.CREATE_ATTR_NAME)?.toBoolean() ?: false,\n'
     '            expire = parser.getAttributeValue("", Connect.EXPIRE_ATTR_NAME)?.toBoolean() ?: false\n'
     "        )")

# Capability.java: one more capability name
add_after(JAVA / "Capability.java",
          '    public static final String CAP_PRIVATE_ADDRESS_CONNECTIVITY = "private-address-connectivity";\n',
          "\n    /** Forwarded media may be demultiplexed by the RTP mid header extension (added for 11146). */\n"
          '    public static final String CAP_RTP_MID_DEMUX_SUPPORT = "rtp-mid-demux";\n')

# Colibri2Endpoint.java: the diarize attribute, its getter and its builder setter
endpoint = JAVA / "Colibri2Endpoint.java"
add_after(endpoint, '    public static final String MUC_ROLE_ATTR_NAME = "muc-role";\n',
          "\n    /** Attribute: diarization requested for this endpoint (added for 11146). */\n"
          '    public static final String DIARIZE_ATTR_NAME = "diarize";\n')
add_after(endpoint,
          "        if (b.mucRole != null)\n        {\n            setAttribute(MUC_ROLE_ATTR_NAME, b.mucRole.toString());\n        }\n",
          "\n        if (b.diarize)\n        {\n            setAttribute(DIARIZE_ATTR_NAME, true);\n        }\n")
edit(endpoint, "    /**\n     * Get the muc-role of the endpoint.\n     */",
     "    /** Whether diarization was requested; null when the attribute is absent. */\n"
     "    public @Nullable Boolean getDiarize()\n    {\n"
     "        String value = getAttributeAsString(DIARIZE_ATTR_NAME);\n"
     "        return value == null ? null : Boolean.parseBoolean(value);\n    }\n\n"
     "    /**\n     * Get the muc-role of the endpoint.\n     */")
add_after(endpoint, "        private MUCRole mucRole;\n",
          "\n        /** Whether diarization is requested. */\n"
          "        private boolean diarize = false;\n\n"
          "        /** Requests (or not) diarization for the endpoint being built. */\n"
          "        public Builder setDiarize(boolean diarize)\n        {\n"
          "            this.diarize = diarize;\n            return this;\n        }\n")
print("jitsi-xmpp-extensions: 11146 API added")
