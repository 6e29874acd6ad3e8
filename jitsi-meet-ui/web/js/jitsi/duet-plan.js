// The duet session state (room metadata key `duet`, docs/protocol.md) and what it means for one
// participant: their role, the audio-translation requests their page sends, and the sources it
// subscribes to. Pure functions: the page (jitsi-app.js) applies the plan through lib-jitsi-meet.
//
//   singer a: requests {<b>: "duet"}      hears <b>-a0.duet    (b's voice as a's mix-minus)
//   singer b: requests {<a>: "duet"}      hears <a>-a0.duet
//   listener: requests {<a>: "duetmix"}   hears <a>-a0.duetmix (all singers, aligned)

export const METADATA_KEY = 'duet';
export const SINGER_MIX = 'duet';
export const LISTENER_MIX = 'duetmix';

/** The audio source name lib-jitsi-meet and the bridge use for an endpoint's first microphone. */
export const audioSourceOf = (endpointId) => endpointId + '-a0';

/** Reads the `duet` key of the room metadata; null when absent or not understood. */
export function parseSession(metadata) {
  const s = metadata && metadata[METADATA_KEY];
  if (!s || typeof s !== 'object' || s.v !== 1) return null;
  const singers = s.singers && typeof s.singers === 'object' ? s.singers : {};
  const id = (v) => (typeof v === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(v) ? v : null);
  return {
    v: 1,
    active: s.active === true,
    singers: { a: id(singers.a), b: id(singers.b) },
    mode: typeof s.mode === 'string' ? s.mode : 'live',
    leader: s.leader === 'b' ? 'b' : 'a',
    updatedBy: typeof s.updatedBy === 'string' ? s.updatedBy : null,
    ts: Number(s.ts) || 0,
  };
}

/** A session value for a moderator to write. */
export function makeSession({ active, a, b, updatedBy, mode = 'live', leader = 'a', now = Date.now() }) {
  return { v: 1, active: Boolean(active), singers: { a: a || null, b: b || null }, mode, leader, updatedBy, ts: now };
}

/** 'singer-a', 'singer-b' or 'listener' while a duet runs; null when none does. */
export function roleOf(session, myId) {
  if (!session || !session.active || !session.singers.a || !session.singers.b) return null;
  if (myId === session.singers.a) return 'singer-a';
  if (myId === session.singers.b) return 'singer-b';
  return 'listener';
}

/**
 * What the local participant asks for: `requests` (endpoint -> synthetic name, sent with
 * conference.setParticipantTranslationLanguage) and `include` (source names for
 * conference.setAudioSubscriptionMode({all:false, include})). `fallback` is the partner's own
 * source, heard directly through the bridge until the synthetic source sends.
 */
export function planFor(session, myId) {
  const role = roleOf(session, myId);
  if (!role) return { role: null, requests: {}, include: [], fallback: null, hears: [] };
  const { a, b } = session.singers;
  if (role === 'singer-a' || role === 'singer-b') {
    const partner = role === 'singer-a' ? b : a;
    const name = audioSourceOf(partner) + '.' + SINGER_MIX;
    return { role, requests: { [partner]: SINGER_MIX }, include: [name], fallback: audioSourceOf(partner), hears: [partner] };
  }
  const name = audioSourceOf(a) + '.' + LISTENER_MIX;
  return { role, requests: { [a]: LISTENER_MIX }, include: [name], fallback: null, hears: [a, b] };
}
