// The names Duet uses inside a Jitsi conference (JITSI.md "Names", docs/protocol.md): the room
// metadata key of the session state, the synthetic source names the pages request, and
// lib-jitsi-meet's name for an endpoint's first audio source. duet-session.js builds the session
// on them; the page (jitsi-app.js) uses them too.
//
//   singer a: requests {<b>: "duet"}      hears <b>-a0.duet    (b's voice as a's mix-minus)
//   singer b: requests {<a>: "duet"}      hears <a>-a0.duet
//   listener: requests {<a>: "duetmix"}   hears <a>-a0.duetmix (all singers, aligned)

export const METADATA_KEY = 'duet';
export const SINGER_MIX = 'duet';
export const LISTENER_MIX = 'duetmix';

/** lib-jitsi-meet's source name for an endpoint's first microphone (getSourceNameForJitsiTrack). */
export const audioSourceOf = (endpointId) => endpointId + '-a0';
