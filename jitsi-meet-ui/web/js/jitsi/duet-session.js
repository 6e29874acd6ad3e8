// Duet's session state on a lib-jitsi-meet JitsiConference (plain ES module, no build step).
//
// The state is the room metadata key `duet` (docs/protocol.md, "Session state"):
//   {"v":1, "active":true, "singers":{"a":"<endpointId>","b":"<endpointId>"},
//    "mode":"live", "leader":"a", "updatedBy":"<endpointId>", "ts":<ms>}
// Jitsi's Prosody component mod_room_metadata_component stores it and broadcasts it to every
// occupant; it accepts a write only from a moderator (others are refused, nothing changes).
// Endpoint ids are 8 hex digits (lib-jitsi-meet JitsiConference.ts: randomHexString(8)).
//
// API
//   import { DuetSession, parseDuetState, makeDuetState, validEndpointId } from './duet-session.js';
//
//   const duet = new DuetSession(conference, JitsiMeetJS.events.conference.METADATA_UPDATED, {
//     onChange: ({ state, plan, previous }) => { ... },  // after every applied change (the one for the
//                                                       // state at construction: right after it returns)
//     directFallback: true,   // singers also hear the partner's own source until the Duet mix sends
//     referenceSources: false, // a listener also receives (to record, not play) both singers' own sources
//     log: console,           // where refused/invalid states are reported (warn)
//   });
//   duet.state        the current `duet` value (parsed, validated) or null (none, or invalid: counted)
//   duet.plan         the local participant's plan: { role: 'singer-a'|'singer-b'|'listener'|null,
//                     requests: {endpointId: 'duet'|'duetmix'}, include: [source names], fallback, hears }
//   duet.invalid      how many invalid `duet` values were seen (ignored)
//   duet.canWrite()   true when this participant is a moderator and the deployment has the component
//   duet.start(a, b, { mode, leader })   moderator only: writes an active duet of endpoints a and b
//   duet.stop()       moderator only: writes the same singers with active:false
//   duet.write(value) moderator only: writes a `duet` value made with makeDuetState
//   duet.rerequests   how many times a request the bridge never started was withdrawn and made again
//   duet.setSending(sourceName, sending)  the bridge's TRANSLATED_SOURCE_SENDING_CHANGED for a Duet
//                     source: while the singer's Duet mix is not sending, the partner's own source
//                     stays included (directFallback)
//   duet.apply()      re-reads the metadata and applies it (call after join, when the id is known)
//   duet.dispose()    undoes the requests and the subscription and stops listening
//
// What apply() does for the local participant (JITSI.md "Names"):
//   singer a: conference.setParticipantTranslationLanguage(<b>, 'duet')
//             conference.setAudioSubscriptionMode({all:false, include:['<b>-a0.duet']})
//   singer b: the same with a and b swapped
//   listener: setParticipantTranslationLanguage(<a>, 'duetmix'), include ['<a>-a0.duetmix']
//   none (no duet, or it stopped): each earlier request is removed (language null) and the
//             subscription goes back to lib-jitsi-meet's default {all:true, include:[], exclude:[]}.
// Requests go through Jitsi's audiotranslation Prosody component to Jicofo, which asks the bridge
// to export the singers' audio to Duet and to carry the `<source>.<name>` synthetic sources back.

import { audioSourceOf, LISTENER_MIX, METADATA_KEY, SINGER_MIX } from './duet-plan.js';

export { METADATA_KEY, SINGER_MIX, LISTENER_MIX, audioSourceOf };

const ENDPOINT_ID = /^[0-9a-fA-F]{8}$/;
/** A page's Duet source that has not started this long after another mix of the duet did is asked for again. */
export const STUCK_AFTER_MS = 5000;
/** Between withdrawing a stuck request and making it again (Jicofo applies them in order). */
const REREQUEST_GAP_MS = 1000;
const MAX_REREQUESTS = 3;
const MODE = /^[a-z][a-z-]{0,31}$/;

/** True for a lib-jitsi-meet endpoint id (8 hex digits). */
export const validEndpointId = (id) => typeof id === 'string' && ENDPOINT_ID.test(id);

/**
 * Validates a `duet` value (an object, or its JSON text). Returns the normalized state, or throws an
 * Error saying what is wrong. Unknown fields are ignored. Same rules as the Java DuetSession.
 */
export function parseDuetState(value) {
  let s = value;
  if (typeof s === 'string') {
    try { s = JSON.parse(s); } catch (e) { throw new Error('duet state is not JSON: ' + e.message); }
  }
  if (!s || typeof s !== 'object' || Array.isArray(s)) throw new Error('duet state must be an object');
  if (s.v !== 1) throw new Error('unsupported duet state version: ' + s.v);
  if (s.active !== undefined && typeof s.active !== 'boolean') throw new Error('active must be true or false');
  if (s.singers !== undefined && s.singers !== null && (typeof s.singers !== 'object' || Array.isArray(s.singers))) {
    throw new Error('singers must be an object');
  }
  const singers = s.singers || {};
  const id = (v, field) => {
    if (v === undefined || v === null) return null;
    if (!validEndpointId(v)) throw new Error(field + ' is not an endpoint id (8 hex digits)');
    return v;
  };
  const a = id(singers.a, 'singers.a');
  const b = id(singers.b, 'singers.b');
  const mode = s.mode === undefined || s.mode === null ? 'live' : s.mode;
  if (typeof mode !== 'string' || !MODE.test(mode)) throw new Error('mode must be a lower-case word');
  const leader = s.leader === undefined || s.leader === null ? 'a' : s.leader;
  if (leader !== 'a' && leader !== 'b') throw new Error('leader must be "a" or "b"');
  const active = s.active === true;
  if (active && (!a || !b)) throw new Error('an active duet needs both singers');
  if (a && b && a.toLowerCase() === b.toLowerCase()) throw new Error('singer a and singer b must differ');
  const ts = s.ts === undefined || s.ts === null ? 0 : Number(s.ts);
  if (!Number.isFinite(ts) || ts < 0) throw new Error('ts must be a non-negative number');
  return { v: 1, active, singers: { a, b }, mode, leader, updatedBy: id(s.updatedBy, 'updatedBy'), ts };
}

/** A `duet` value for a moderator to write (validated). */
export function makeDuetState({ active, a, b, updatedBy, mode = 'live', leader = 'a', now = Date.now() }) {
  return parseDuetState({ v: 1, active: Boolean(active), singers: { a: a || null, b: b || null }, mode, leader,
    updatedBy: updatedBy || null, ts: now });
}

/** The local participant's role and what it asks the bridge for (see the header). */
export function planFor(state, myId) {
  const none = { role: null, requests: {}, include: [], fallback: null, hears: [] };
  if (!state || !state.active || !myId) return none;
  const { a, b } = state.singers;
  if (myId === a || myId === b) {
    const partner = myId === a ? b : a;
    return {
      role: myId === a ? 'singer-a' : 'singer-b',
      requests: { [partner]: SINGER_MIX },
      include: [audioSourceOf(partner) + '.' + SINGER_MIX],
      fallback: audioSourceOf(partner),
      hears: [partner],
    };
  }
  return {
    role: 'listener',
    requests: { [a]: LISTENER_MIX },
    include: [audioSourceOf(a) + '.' + LISTENER_MIX],
    fallback: null,
    hears: [a, b],
  };
}

const DEFAULT_SUBSCRIPTION = Object.freeze({ all: true, include: [], exclude: [] });

// A metadata write is a message to Prosody's room_metadata component with no answer of its own: it
// is confirmed when the new value comes back in the room's metadata. A write sent while the
// component was still being discovered, or lost on a busy server, was seen to vanish (the duet
// never started); it is sent again until it is seen, a few times.
const WRITE_CONFIRM_MS = 3000;
const WRITE_ATTEMPTS = 8; // 24 s in all: a loaded test stack applied a write 12 s after the first try

/** Whether two duet states say the same thing (the written one and the one the room echoes). */
function sameState(x, y) {
  return Boolean(x && y) && x.ts === y.ts && x.active === y.active && x.mode === y.mode
    && x.leader === y.leader && x.singers.a === y.singers.a && x.singers.b === y.singers.b;
}

/** Binds the `duet` state of one JitsiConference to the local participant's requests and subscription. */
export class DuetSession {
  constructor(conference, metadataUpdatedEvent, { onChange = () => {}, directFallback = true, referenceSources = false, log = console,
    timers = { setTimeout: (f, ms) => setTimeout(f, ms), clearTimeout: (id) => clearTimeout(id) } } = {}) {
    if (!conference) throw new Error('DuetSession needs a JitsiConference');
    this.conference = conference;
    this.event = metadataUpdatedEvent || 'conference.metadata.updated';
    this.onChange = onChange;
    this.directFallback = directFallback;
    this.referenceSources = referenceSources;
    this.log = log;
    this.timers = timers;
    this.pendingWrite = null; // { state, attempt, timer }: written, not yet seen in the room's metadata
    this.writeError = null;
    this.state = null;
    this.plan = planFor(null, null);
    this.invalid = 0;
    this.sent = {};          // endpoint -> name: what setParticipantTranslationLanguage was last told
    this.sending = {};       // synthetic source name -> whether the bridge says it is sending
    this.stuckTimer = null;  // _watchForAStuckRequest
    this.rerequests = 0;     // requests withdrawn and made again because the bridge never started them
    this.rerequestsForRole = 0;
    this.subscription = null; // what setAudioSubscriptionMode was last told (null: never)
    this.listener = (metadata) => this._onMetadata(metadata);
    conference.on(this.event, this.listener);
    // The state the conference already holds is applied now; its onChange comes after this constructor
    // returns, so a caller's `session = new DuetSession(...)` is assigned when onChange runs.
    this.deferChange = true;
    this.apply();
    this.deferChange = false;
  }

  /** The local endpoint id (lib-jitsi-meet: conference.myUserId()). */
  myId() {
    try { return this.conference.myUserId ? this.conference.myUserId() : null; } catch (e) { return null; }
  }

  _handler() {
    return this.conference.getMetadataHandler ? this.conference.getMetadataHandler() : null;
  }

  canWrite() {
    const h = this._handler();
    return Boolean(h && h.isSupported() && this.conference.isModerator && this.conference.isModerator());
  }

  /** Writes a `duet` value. Prosody refuses it unless this participant is a moderator. */
  write(value) {
    const state = parseDuetState(value);
    const h = this._handler();
    if (!h || !h.isSupported()) throw new Error('this deployment has no room metadata component');
    if (!this.conference.isModerator()) throw new Error('only a moderator can change the duet');
    this._cancelPendingWrite();
    this.writeError = null;
    h.setMetadata(METADATA_KEY, state);
    this.pendingWrite = { state, attempt: 1, timer: null };
    this._awaitEcho();
    return state;
  }

  /** Resends the pending write unless the room's metadata shows it by then; gives up after a few tries. */
  _awaitEcho() {
    const p = this.pendingWrite;
    p.timer = this.timers.setTimeout(() => {
      if (this.pendingWrite !== p) return;
      // The room may hold the write although no update event reached us (seen on the test stack:
      // Prosody applied it, the page never heard): read what the room holds before resending.
      this.apply();
      if (this.pendingWrite !== p) return;
      if (p.attempt >= WRITE_ATTEMPTS) {
        this.pendingWrite = null;
        this.writeError = 'the duet change was not confirmed by the server after ' + p.attempt + ' tries';
        this.log.warn('duet: ' + this.writeError);
        this.onChange(this);
        return;
      }
      const h = this._handler();
      if (h && h.isSupported()) {
        p.attempt++;
        this.log.warn('duet: the room metadata does not show the duet change yet; sending it again (try '
          + p.attempt + ')');
        h.setMetadata(METADATA_KEY, p.state);
      }
      this._awaitEcho();
    }, WRITE_CONFIRM_MS);
    if (p.timer && typeof p.timer.unref === 'function') p.timer.unref(); // under node (tests): never holds the process
  }

  _cancelPendingWrite() {
    if (this.pendingWrite && this.pendingWrite.timer !== null) this.timers.clearTimeout(this.pendingWrite.timer);
    this.pendingWrite = null;
  }

  start(a, b, { mode = 'live', leader = 'a' } = {}) {
    return this.write(makeDuetState({ active: true, a, b, mode, leader, updatedBy: this.myId() }));
  }

  stop() {
    const s = this.state;
    return this.write(makeDuetState({ active: false, a: s && s.singers.a, b: s && s.singers.b,
      mode: s ? s.mode : 'live', leader: s ? s.leader : 'a', updatedBy: this.myId() }));
  }

  /** Re-reads the metadata the conference holds and applies it. */
  apply() {
    const h = this._handler();
    this._onMetadata(h ? h.getMetadata() : null);
  }

  setSending(sourceName, sending) {
    if (Boolean(this.sending[sourceName]) === Boolean(sending)) return;
    this.sending[sourceName] = Boolean(sending);
    this._applySubscription();
    this._watchForAStuckRequest();
  }

  /** Whether every Duet source this page plays is sending. */
  _ownSourcesSending() {
    return this.plan.include.length > 0 && this.plan.include.every((n) => this.sending[n]);
  }

  /**
   * A request the bridge dropped: Jicofo 11146 can add a synthetic source to the bridge and then,
   * handling the sender's session-accept a moment later, re-signal that sender's sources without it
   * (seen on the local stack: the bridge then drops its media as a removed source, and this page
   * would wait forever). The bridge tells every page when any synthetic source starts sending, so
   * when another source of the duet sends and this page's own has not followed within
   * STUCK_AFTER_MS, the page withdraws its request and makes it again (a second later), which makes
   * Jicofo signal the source afresh. At most MAX_REREQUESTS times per role.
   */
  _watchForAStuckRequest(waitMs = STUCK_AFTER_MS) {
    if (!this.plan.role || this.stuckTimer || this._ownSourcesSending()) return;
    if (this.rerequestsForRole >= MAX_REREQUESTS) return;
    const otherSending = Object.entries(this.sending).some(([name, on]) => on && !this.plan.include.includes(name)
      && (name.endsWith('.' + SINGER_MIX) || name.endsWith('.' + LISTENER_MIX)));
    if (!otherSending) return;
    this.stuckTimer = this.timers.setTimeout(() => {
      this.stuckTimer = null;
      if (!this.plan.role || this._ownSourcesSending()) return;
      this.rerequestsForRole++;
      this.rerequests++;
      const asked = { ...this.sent };
      this.log.warn('duet: ' + this.plan.include.join(', ') + ' did not start ' + waitMs
        + ' ms after another mix of the duet did: asking for it again');
      for (const ep of Object.keys(asked)) this.conference.setParticipantTranslationLanguage(ep, null);
      this.sent = {};
      this.stuckTimer = this.timers.setTimeout(() => {
        this.stuckTimer = null;
        for (const [ep, name] of Object.entries(this.plan.requests)) {
          if (asked[ep] === name && this.sent[ep] !== name) {
            this.conference.setParticipantTranslationLanguage(ep, name);
            this.sent[ep] = name;
          }
        }
        this._applySubscription(); // a translation request rewrites lib-jitsi-meet's include list
        this._watchForAStuckRequest(2 * STUCK_AFTER_MS); // the source is set up again from scratch
      }, REREQUEST_GAP_MS);
    }, waitMs);
  }

  _cancelStuckWatch() {
    if (this.stuckTimer) this.timers.clearTimeout(this.stuckTimer);
    this.stuckTimer = null;
  }

  _onMetadata(metadata) {
    const raw = metadata ? metadata[METADATA_KEY] : undefined;
    let state = null;
    if (raw !== undefined && raw !== null) {
      try {
        state = parseDuetState(raw);
      } catch (e) {
        this.invalid++;
        this.log.warn('duet: ignoring an invalid duet state in the room metadata: ' + e.message);
        state = null;
      }
    }
    if (this.pendingWrite && sameState(state, this.pendingWrite.state)) this._cancelPendingWrite();
    const previous = this.state;
    this.state = state;
    this._applyPlan(previous);
  }

  _applyPlan(previous) {
    const plan = planFor(this.state, this.myId());
    const before = this.plan;
    this.plan = plan;
    const c = this.conference;
    // Undo requests that no longer hold, then make the new ones (each is a stanza to the
    // audiotranslation component; lib-jitsi-meet sends only what changed).
    for (const ep of Object.keys(this.sent)) {
      if (plan.requests[ep] !== this.sent[ep]) c.setParticipantTranslationLanguage(ep, null);
    }
    for (const [ep, name] of Object.entries(plan.requests)) {
      if (this.sent[ep] !== name) c.setParticipantTranslationLanguage(ep, name);
    }
    this.sent = { ...plan.requests };
    if (plan.role !== before.role) {
      this.sending = {};
      this.rerequestsForRole = 0;
      this._cancelStuckWatch();
    }
    this._applySubscription();
    const change = { state: this.state, plan, previous };
    if (this.deferChange) queueMicrotask(() => this.onChange(change));
    else this.onChange(change);
  }

  /** The subscription for the current plan: the Duet source (+ the fallback), or the default. */
  wantedSubscription() {
    const p = this.plan;
    if (!p.role) return DEFAULT_SUBSCRIPTION;
    const useFallback = this.directFallback && p.fallback && !p.include.some((n) => this.sending[n]);
    const include = useFallback ? [...p.include, p.fallback] : [...p.include];
    for (const name of this.referenceSourceNames()) if (!include.includes(name)) include.push(name);
    return { all: false, include, exclude: [] };
  }

  /**
   * With the referenceSources option (a measuring aid, off by default), the page also receives the
   * singers' own sources straight from the bridge, to be recorded and not played: a listener both
   * singers', a singer the partner's (the fallback is then recorded instead of played). They are
   * what measurements compare Duet's mixes with: the bridge's direct forwarding. Empty otherwise.
   */
  referenceSourceNames() {
    if (!this.referenceSources || !this.plan.role || !this.state) return [];
    if (this.plan.role === 'listener') return [audioSourceOf(this.state.singers.a), audioSourceOf(this.state.singers.b)];
    return this.plan.fallback ? [this.plan.fallback] : [];
  }

  _applySubscription() {
    // A page that never had a duet role keeps lib-jitsi-meet's own subscription untouched.
    if (this.subscription === null && !this.plan.role) return;
    const sub = this.wantedSubscription();
    // Translation requests also rewrite lib-jitsi-meet's include list; this call sets ours after them.
    this.conference.setAudioSubscriptionMode({ all: sub.all, include: [...sub.include], exclude: [] });
    this.subscription = this.plan.role ? sub : null;
  }

  /** Undoes everything this session asked for and stops listening. */
  dispose() {
    this._cancelPendingWrite();
    this._cancelStuckWatch();
    this.conference.off ? this.conference.off(this.event, this.listener)
      : this.conference.removeEventListener(this.event, this.listener);
    for (const ep of Object.keys(this.sent)) this.conference.setParticipantTranslationLanguage(ep, null);
    this.sent = {};
    if (this.subscription !== null) this.conference.setAudioSubscriptionMode({ ...DEFAULT_SUBSCRIPTION });
    this.subscription = null;
    this.plan = planFor(null, null);
  }
}
