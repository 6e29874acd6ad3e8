// Duet inside a Jitsi Meet conference (jitsi.html): joins the meeting's room through the
// deployment's own lib-jitsi-meet over XMPP WebSocket, shows the duet state that the moderator
// sets (room metadata key `duet`), and plays the Duet mix the bridge sends for this person's role.
// The state, the translation requests and the audio subscription are duet-session.js's job; this
// file is the page around it. Meters, figures and the headphones rule are shared with the
// standalone page.
import { DuetAudio, SINGER_MIC_CONSTRAINTS } from '../audio.js';
import { BrowserStats } from '../stats.js';
import { renderMeter } from '../shared/meter.js';
import { renderBrowserStats, renderMicSettings } from '../shared/figures.js';
import { headphonesProblem } from '../shared/headphones.js';
import { resolveConfig, loadScript, serviceUrlFor } from './config.js';
import { METADATA_KEY } from './duet-plan.js';
import { DuetSession, planFor } from './duet-session.js';
import { adoptComponentAddresses } from './components.js';
import { installCaptureStamps, encodedFramesState, recordSent, takeSent } from './encoded-frames.js';

const $ = (id) => document.getElementById(id);
const ROLE_NAMES = { 'singer-a': 'Singer A', 'singer-b': 'Singer B', listener: 'Listener' };
const ROOM_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

const state = {
  config: null, lib: 'not loaded', xmpp: 'disconnected', conference: 'none', ice: 'new',
  joined: false, joinedAs: null, endpointId: null, room: null, name: '', isModerator: false,
  session: null, role: null, plan: null, requests: {}, subscription: null,
  participants: [], remoteTracks: [], playing: [], sending: {},
  micSettings: null, browserStats: null, lastError: null, errors: [],
};

let JitsiMeetJS = null; let connection = null; let conference = null; let localTrack = null;
let audio = null; let statsTimer = null; let browserStats = null; let statsPc = null;
const remoteTracks = new Map(); // source name -> JitsiRemoteTrack
let session = null; // DuetSession (duet-session.js), from the moment the conference is joined

// ---------- UI helpers ----------

function showError(code, message) {
  state.lastError = { code, message };
  state.errors.push({ code, message });
  $('error-title').textContent = code ? 'Error: ' + code : 'Error';
  $('error-text').textContent = /[.!?]$/.test(message) ? message : message + '.';
  $('error').hidden = false;
}

function clearError() { $('error').hidden = true; }

function refreshConn() {
  let text = 'Not connected'; let level = '';
  if (state.joined && state.conference === 'failed') {
    text = 'Meeting failed'; level = 'bad';
  } else if (state.joined) {
    const live = state.ice === 'connected' || state.ice === 'completed';
    if (live) { text = 'Live in ' + state.room; level = 'ok'; }
    else if (state.ice === 'failed' || state.ice === 'disconnected') { text = 'Audio ' + state.ice; level = 'bad'; }
    else { text = 'Connecting audio…'; level = 'warn'; }
  } else if (state.xmpp === 'connecting' || state.conference === 'joining') {
    text = 'Joining…'; level = 'warn';
  }
  $('conn-text').textContent = text;
  $('conn-dot').className = 'dot ' + level;
  $('state-xmpp').textContent = state.xmpp;
  $('state-conference').textContent = state.conference;
  $('state-ice').textContent = state.ice;
}

function displayName(id) {
  if (id === state.endpointId) return (state.name || 'you') + ' (you)';
  const p = state.participants.find((q) => q.id === id);
  return p ? (p.name || id) : id;
}

function renderRoster() {
  const ul = $('roster');
  ul.replaceChildren();
  const everyone = [{ id: state.endpointId, name: state.name, moderator: state.isModerator, duet: state.joinedAs, you: true },
    ...state.participants];
  for (const p of everyone) {
    if (!p.id) continue;
    const li = document.createElement('li');
    const who = document.createElement('span');
    who.textContent = (p.name || p.id) + (p.you ? ' (you)' : '') + (p.moderator ? ' · moderator' : '');
    const tag = document.createElement('span');
    const role = planFor(state.session, p.id).role;
    tag.className = 'tag' + (role && role !== 'listener' ? ' singer' : '');
    tag.textContent = role && role !== 'listener' ? ROLE_NAMES[role]
      : p.duet === 'singer' ? 'ready to sing' : p.duet === 'listener' ? 'listening' : 'in the meeting (not on the duet page)';
    li.append(who, tag);
    ul.append(li);
  }
}

function renderSession() {
  const s = state.session;
  const role = state.role;
  $('me-role').textContent = role ? ROLE_NAMES[role] : 'Not singing';
  $('me-moderator').textContent = state.isModerator ? 'moderator' : 'participant';
  if (s && s.active && s.singers.a && s.singers.b) {
    $('duet-status').textContent = 'Duet running: ' + displayName(s.singers.a) + ' (A) with ' + displayName(s.singers.b)
      + ' (B)' + (s.updatedBy ? ', started by ' + displayName(s.updatedBy) : '') + '.';
  } else {
    $('duet-status').textContent = 'No duet is running.';
  }
  const p = state.plan;
  $('mix-list').textContent = p && p.role ? p.hears.map(displayName).join(', ') : 'the meeting: no duet is running';
  $('mix-sources').textContent = state.playing.length ? state.playing.join(', ') : '-';
  const sending = p && p.include.length ? p.include.map((n) => n + ': ' + (state.sending[n] ? 'yes' : 'not yet')).join(', ') : '-';
  $('mix-sending').textContent = sending;
  renderPicker();
  renderRoster();
  // A singer without a microphone cannot take part: say so plainly (once per role).
  if (role && role !== 'listener' && !localTrack && state.warnedRole !== role) {
    state.warnedRole = role;
    showError('no-microphone', 'You were picked as ' + ROLE_NAMES[role] + ' but joined to listen. Leave and join again as ready to sing.');
  }
}

function renderPicker() {
  const mod = state.isModerator;
  const s = state.session;
  const candidates = [{ id: state.endpointId, name: state.name, duet: state.joinedAs }, ...state.participants]
    .filter((p) => p.id);
  for (const [sel, key] of [['pick-a', 'a'], ['pick-b', 'b']]) {
    const el = $(sel);
    const current = el.value || (s && s.singers[key]) || '';
    el.replaceChildren();
    const none = document.createElement('option');
    none.value = '';
    none.textContent = '- pick a singer -';
    el.append(none);
    for (const p of candidates) {
      const o = document.createElement('option');
      o.value = p.id;
      o.textContent = (p.id === state.endpointId ? (p.name || 'you') + ' (you)' : (p.name || p.id))
        + (p.duet === 'singer' ? '' : p.duet === 'listener' ? ' - listening only' : ' - not on the duet page');
      o.disabled = p.duet !== 'singer';
      el.append(o);
    }
    el.value = candidates.some((p) => p.id === current) ? current : '';
    el.disabled = !mod;
  }
  const running = Boolean(s && s.active);
  $('start-button').disabled = !mod;
  $('start-button').textContent = running ? 'Change singers' : 'Start duet';
  $('stop-button').disabled = !mod || !running;
  $('picker-note').textContent = mod ? 'You are a moderator: pick two singers who joined ready to sing, then start.'
    : 'Only a moderator picks the singers and starts the duet. Everyone in the room sees the same state.';
}

// ---------- the duet session (duet-session.js) ----------

/** Called by DuetSession after every change of the `duet` state or of a Duet source's sending. */
function onSessionChange() {
  if (!session) return;
  state.session = session.state;
  state.plan = session.plan;
  state.role = session.plan.role;
  state.requests = { ...session.sent };
  state.subscription = session.subscription;
  state.sending = { ...session.sending };
  state.invalidStates = session.invalid;
  if (session.writeError) showError('session', session.writeError + '; try again');
  refreshPlayback();
  renderSession();
}

/** What the bridge forwards to this page: the Duet source(s), or null for the whole meeting. */
function wantedSources() {
  if (!session || !session.plan.role) return null; // no duet: hear the meeting as usual
  return session.wantedSubscription().include;
}

/** Plays exactly the remote audio tracks that the subscription wants (all of them without a duet). */
function refreshPlayback() {
  if (!audio) return;
  const wanted = wantedSources();
  const reference = new Set(session ? session.referenceSourceNames() : []);
  const want = new Set();
  for (const [name, track] of remoteTracks) {
    const translated = name.includes('.');
    if (reference.has(name)) {
      // recorded as 'direct:<source>' beside the output, never played (referenceSources)
      if (!audio.extraTaps.has('direct:' + name)) audio.tapStream('direct:' + name, track.getOriginalStream());
      continue;
    }
    if (wanted ? wanted.includes(name) : !translated) want.add(name);
  }
  for (const name of [...audio.remotes.keys()]) if (!want.has(name)) audio.removeRemote(name);
  for (const name of want) {
    if (!audio.remotes.has(name)) audio.addRemote(name, remoteTracks.get(name).getOriginalStream());
  }
  state.playing = [...want];
  state.remoteTracks = [...remoteTracks.keys()];
}

// ---------- lib-jitsi-meet ----------

async function loadLib(cfg) {
  if (window.JitsiMeetJS) { JitsiMeetJS = window.JitsiMeetJS; return; }
  const ok = await loadScript(cfg.libUrl);
  if (!ok || !window.JitsiMeetJS) {
    throw Object.assign(new Error('lib-jitsi-meet did not load from ' + cfg.libUrl
      + '. Serve this page next to a Jitsi Meet deployment or set libUrl in duet-config.js'), { code: 'library' });
  }
  JitsiMeetJS = window.JitsiMeetJS;
  JitsiMeetJS.init({});
  if (JitsiMeetJS.setLogLevel && JitsiMeetJS.logLevels) JitsiMeetJS.setLogLevel(JitsiMeetJS.logLevels.WARN);
  state.lib = JitsiMeetJS.version || 'loaded';
}

function connectionOptions(cfg, room) {
  const opts = {
    serviceUrl: serviceUrlFor(cfg.websocket, room),
    hosts: { ...cfg.hosts },
    // Synthetic (translated) sources only reach the client with SSRC rewriting on.
    flags: { ssrcRewritingEnabled: true },
    audioTranslation: { enabled: true },
  };
  if (cfg.focusUserJid) opts.focusUserJid = cfg.focusUserJid;
  return opts;
}

function connect(cfg, room, jwt) {
  return new Promise((resolve, reject) => {
    const ev = JitsiMeetJS.events.connection;
    connection = new JitsiMeetJS.JitsiConnection(null, jwt || null, connectionOptions(cfg, room));
    const done = (fn) => (...a) => {
      connection.removeEventListener(ev.CONNECTION_ESTABLISHED, ok);
      connection.removeEventListener(ev.CONNECTION_FAILED, bad);
      fn(...a);
    };
    const ok = done(() => resolve());
    const bad = done((err, msg) => reject(Object.assign(new Error('Cannot connect to the meeting server ('
      + (msg || err) + ')'), { code: 'xmpp' })));
    connection.addEventListener(ev.CONNECTION_ESTABLISHED, ok);
    connection.addEventListener(ev.CONNECTION_FAILED, bad);
    connection.addEventListener(ev.CONNECTION_DISCONNECTED, () => {
      state.xmpp = 'disconnected';
      if (state.joined) showError('disconnected', 'The connection to the meeting server closed');
      refreshConn();
    });
    state.xmpp = 'connecting';
    refreshConn();
    connection.connect();
  });
}

function participantsFromConference() {
  state.participants = conference.getParticipants().map((p) => ({
    id: p.getId(),
    name: p.getDisplayName() || '',
    moderator: p.isModerator(),
    duet: p.getProperty ? p.getProperty('duet') || null : null,
  }));
}

function joinConference(room, name, joinedAs) {
  return new Promise((resolve, reject) => {
    const ev = JitsiMeetJS.events.conference;
    conference = connection.initJitsiConference(room, {
      p2p: { enabled: false }, // a two-person call would otherwise bypass the bridge, and Duet with it
      audioTranslation: { enabled: true },
    });
    // Bounded: without Jicofo the library would wait forever for the focus to answer.
    const timeoutMs = state.config.joinTimeoutMs || 60000;
    const timer = setTimeout(() => reject(Object.assign(new Error('The meeting did not start within '
      + Math.round(timeoutMs / 1000) + ' s: no answer from its focus (Jicofo)'), { code: 'conference' })), timeoutMs);
    conference.on(ev.CONFERENCE_JOINED, () => {
      clearTimeout(timer);
      state.joined = true;
      state.conference = 'joined';
      state.endpointId = conference.myUserId();
      state.isModerator = conference.isModerator();
      participantsFromConference();
      // From here on the session reads the `duet` metadata and makes the requests and the subscription.
      session = new DuetSession(conference, ev.METADATA_UPDATED, {
        onChange: onSessionChange,
        directFallback: state.config.directFallback !== false,
        referenceSources: state.config.referenceSources === true,
      });
      resolve();
    });
    conference.on(ev.CONFERENCE_FAILED, (err) => {
      clearTimeout(timer);
      state.conference = 'failed';
      // After joining, Jicofo can still give up (e.g. no bridge could be allocated): say so.
      if (state.joined) showError('conference', 'The meeting failed (' + err + '). Leave and join again');
      refreshConn();
      reject(Object.assign(new Error('Could not join the meeting: ' + err), { code: 'conference' }));
    });
    conference.on(ev.CONFERENCE_LEFT, () => { state.conference = 'left'; refreshConn(); });
    const roster = () => { if (state.joined) { participantsFromConference(); renderSession(); } };
    conference.on(ev.USER_JOINED, roster);
    conference.on(ev.USER_LEFT, roster);
    conference.on(ev.DISPLAY_NAME_CHANGED, roster);
    conference.on(ev.PARTICIPANT_PROPERTY_CHANGED, roster);
    conference.on(ev.USER_ROLE_CHANGED, (id) => {
      if (id === state.endpointId) state.isModerator = conference.isModerator();
      roster();
    });
    conference.on(ev.TRACK_ADDED, (track) => {
      if (track.isLocal() || track.getType() !== 'audio') return;
      remoteTracks.set(track.getSourceName(), track);
      refreshPlayback();
      renderSession();
    });
    conference.on(ev.TRACK_REMOVED, (track) => {
      if (track.isLocal()) return;
      if (remoteTracks.get(track.getSourceName()) === track) remoteTracks.delete(track.getSourceName());
      refreshPlayback();
      renderSession();
    });
    if (ev.TRANSLATED_SOURCE_SENDING_CHANGED) {
      conference.on(ev.TRANSLATED_SOURCE_SENDING_CHANGED, (e) => {
        if (!session) return;
        session.setSending(e.sourceName, e.sending);
        onSessionChange();
      });
    }
    if (ev.AUDIO_TRANSLATION_FAILED) {
      conference.on(ev.AUDIO_TRANSLATION_FAILED, (e) => showError('translation', 'The bridge could not set up the duet mix: '
        + JSON.stringify(e)));
    }
    if (name) conference.setDisplayName(name);
    // Tells the other duet pages (and the moderator's picker) who can sing.
    conference.setLocalParticipantProperty('duet', joinedAs);
    if (localTrack) conference.addTrack(localTrack).catch((e) => showError('microphone', 'Cannot send the microphone: ' + e));
    state.conference = 'joining';
    conference.join();
  });
}

// ---------- join / leave ----------

function joinAs() {
  const r = document.querySelector('input[name=join-as]:checked');
  return r ? r.value : 'listener';
}

function updateHeadphonesBox() { $('headphones-box').hidden = joinAs() !== 'singer'; }

async function join(ev) {
  if (ev) ev.preventDefault();
  clearError();
  const room = $('room').value.trim().toLowerCase(); // Jitsi Meet room names are lower case
  const name = $('name').value.trim();
  const as = joinAs();
  if (!ROOM_PATTERN.test(room)) {
    showError('bad-room', 'Meeting names use letters, digits, ".", "_" or "-" (up to 128)');
    $('room').focus();
    return false;
  }
  const noHeadphones = as === 'singer' ? headphonesProblem($('headphones')) : null;
  if (noHeadphones) {
    showError(noHeadphones.code, noHeadphones.message);
    $('headphones').focus();
    return false;
  }
  $('join-button').disabled = true;
  try {
    await loadLib(state.config);
    audio = new DuetAudio({
      input: (peak, rms) => renderMeter('input-meter', 'input-db', peak, rms),
      output: (peak, rms) => renderMeter('output-meter', 'output-db', peak, rms),
    });
    await audio.open();
    // a measuring aid: a listener records the frames of its mix as they arrive (encoded-frames.js)
    if (as !== 'singer' && state.config.receivedFrames === true) installCaptureStamps();
    if (as === 'singer') {
      // before lib-jitsi-meet opens the bridge connection (encoded-frames.js)
      if (state.config.captureStamps !== false) state.captureStamps = installCaptureStamps();
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        throw Object.assign(new Error('Browsers only open the microphone on https:// pages or on localhost'), { code: 'microphone' });
      }
      try {
        await audio.openMicrophone(); // SINGER_MIC_CONSTRAINTS: no echo cancellation, noise suppression or gain
      } catch (e) {
        throw Object.assign(new Error('The microphone could not be opened: ' + e.message), { code: 'microphone' });
      }
      [localTrack] = JitsiMeetJS.createLocalTracksFromMediaStreams([{
        stream: audio.micStream, mediaType: 'audio', sourceType: 'microphone', constraints: { audio: SINGER_MIC_CONSTRAINTS },
      }]);
      state.micSettings = audio.micSettings();
    }
    renderMicSettings(state.micSettings);
    state.room = room; state.name = name; state.joinedAs = as;
    const jwt = new URLSearchParams(location.search).get('jwt');
    await connect(state.config, room, jwt);
    state.xmpp = 'connected';
    await joinConference(room, name, as);
    onJoined();
    return true;
  } catch (e) {
    showError(e.code || 'error', e.message);
    await teardown();
    return false;
  } finally {
    $('join-button').disabled = false;
  }
}

/** Component addresses lib-jitsi-meet's discovery missed (components.js). */
function fillComponentAddresses() {
  const xmpp = conference && conference.room && conference.room.xmpp;
  const filled = adoptComponentAddresses(xmpp, (state.config && state.config.hosts) || {});
  if (filled.length) {
    state.componentsFilled = filled;
    console.warn('duet: the server did not say where its components are; using ' + filled.join(', '));
  }
}

function onJoined() {
  fillComponentAddresses();
  $('me-room').textContent = state.room;
  $('me-name').textContent = state.name || 'anonymous';
  $('me-id').textContent = state.endpointId;
  $('mute-button').hidden = !localTrack;
  $('mic-card').hidden = !localTrack;
  $('cards').classList.toggle('listener', !localTrack);
  $('join-panel').hidden = true;
  $('session').hidden = false;
  history.replaceState(null, '', '?room=' + encodeURIComponent(state.room));
  setBackLink(state.room);
  onSessionChange();
  startStats();
  refreshConn();
}

function startStats() {
  browserStats = null; statsPc = null;
  statsTimer = setInterval(async () => {
    const tpc = conference && conference.jvbJingleSession && conference.jvbJingleSession.peerconnection;
    const pc = tpc && tpc.peerconnection; // lib-jitsi-meet's TraceablePeerConnection wraps the RTCPeerConnection
    if (pc && pc !== statsPc) { statsPc = pc; browserStats = new BrowserStats(pc); }
    if (pc) {
      state.ice = pc.iceConnectionState;
      const ids = new Set(state.playing.map((n) => remoteTracks.get(n)).filter(Boolean).map((t) => t.getTrack().id));
      try {
        state.browserStats = await browserStats.read(ids.size ? ids : undefined);
        renderBrowserStats(state.browserStats);
      } catch (e) { /* the connection is closing */ }
    }
    refreshConn();
  }, 1000);
}

async function leave() {
  if (conference) {
    try { await conference.leave(); } catch (e) { /* already gone */ }
  }
  await teardown();
}

async function teardown() {
  clearInterval(statsTimer);
  statsTimer = null;
  if (session) { try { session.dispose(); } catch (e) { /* the conference is gone */ } session = null; }
  if (localTrack) { try { await localTrack.dispose(); } catch (e) { /* ignore */ } localTrack = null; }
  if (connection) { try { connection.disconnect(); } catch (e) { /* ignore */ } connection = null; }
  conference = null;
  remoteTracks.clear();
  if (audio) { await audio.close(); audio = null; }
  Object.assign(state, { joined: false, conference: 'none', xmpp: 'disconnected', ice: 'new', endpointId: null,
    isModerator: false, session: null, role: null, plan: null, requests: {}, subscription: null, participants: [],
    remoteTracks: [], playing: [], sending: {} });
  $('session').hidden = true;
  $('join-panel').hidden = false;
  refreshConn();
}

// ---------- moderator actions ----------

/**
 * Writes any `duet` value as it is, with no client-side check: for the test hook, which shows that
 * Prosody itself refuses a non-moderator's write. The buttons go through DuetSession.
 */
function writeRaw(value) {
  if (!conference) throw new Error('not joined');
  const handler = conference.getMetadataHandler();
  if (!handler || !handler.isSupported()) throw new Error('this deployment has no room metadata component');
  handler.setMetadata(METADATA_KEY, value);
  return value;
}

function startDuet(a, b) {
  if (!session) throw new Error('not joined');
  return session.start(a, b);
}

function stopDuet() {
  if (!session) throw new Error('not joined');
  return session.stop();
}

// ---------- wiring ----------

function setBackLink(room) {
  const base = (state.config && state.config.meetingUrl) || '/';
  $('back-link').href = base + (room ? encodeURIComponent(room) : '');
  $('hdr-room').textContent = room || 'your meeting';
}

async function init() {
  const params = new URLSearchParams(location.search);
  if (params.get('room')) $('room').value = params.get('room');
  if (params.get('name')) $('name').value = params.get('name');
  const as = params.get('as');
  if (as === 'listener' || as === 'singer') document.querySelector(`input[name=join-as][value=${as}]`).checked = true;
  document.querySelectorAll('input[name=join-as]').forEach((r) => r.addEventListener('change', updateHeadphonesBox));
  updateHeadphonesBox();
  $('join-form').addEventListener('submit', join);
  $('leave-button').addEventListener('click', leave);
  $('error-close').addEventListener('click', clearError);
  $('volume').addEventListener('input', (e) => audio && audio.setVolume(Number(e.target.value)));
  $('mute-button').addEventListener('click', (e) => {
    const muted = e.currentTarget.getAttribute('aria-pressed') !== 'true';
    e.currentTarget.setAttribute('aria-pressed', String(muted));
    e.currentTarget.textContent = muted ? 'Unmute microphone' : 'Mute microphone';
    if (audio) audio.setMuted(muted);
  });
  $('picker').addEventListener('submit', (e) => {
    e.preventDefault();
    try { startDuet($('pick-a').value, $('pick-b').value); } catch (err) { showError('picker', err.message); }
  });
  $('stop-button').addEventListener('click', () => {
    try { stopDuet(); } catch (err) { showError('picker', err.message); }
  });
  refreshConn();
  state.config = await resolveConfig();
  setBackLink($('room').value.trim().toLowerCase());
  $('footer-deployment').textContent = 'XMPP ' + state.config.hosts.domain + ' · ' + state.config.websocket
    + (state.config.meetConfigLoaded ? ' (from /config.js)' : '');
  state.ready = true;
}

const extraTaps = () => (audio ? [...audio.extraTaps.values()].map((e) => e.tap) : []);

// For the end-to-end test and power users: the page's state, its actions, and a recording of what
// it sends (microphone) and what it actually plays (after the volume control).
const api = {
  state: () => JSON.parse(JSON.stringify({ ...state, encodedFrames: encodedFramesState() })),
  ready: () => Boolean(state.ready),
  join: async ({ room, name, as = 'singer', headphones = true } = {}) => {
    if (room) $('room').value = room;
    if (name !== undefined) $('name').value = name;
    document.querySelector(`input[name=join-as][value=${as}]`).checked = true;
    $('headphones').checked = Boolean(headphones);
    updateHeadphonesBox();
    return join();
  },
  leave,
  startDuet: (a, b) => startDuet(a, b),
  stopDuet: () => stopDuet(),
  writeSession: (value) => writeRaw(value), // no client-side moderator check: Prosody's is the one that counts
  /**
   * Lifetime receive figures of each remote audio source, by source name, from the bridge
   * connection's getStats(): how long this browser's own jitter buffer held its audio
   * (jitterBufferDelay over jitterBufferEmittedCount), its interarrival jitter and concealment.
   * What a Duet source adds over a direct one in the receiving browser, apart from the path.
   */
  inboundAudio: async () => {
    const tpc = conference && conference.jvbJingleSession && conference.jvbJingleSession.peerconnection;
    const pc = tpc && tpc.peerconnection;
    if (!pc) return {};
    const bySsrc = new Map();
    (await pc.getStats()).forEach((r) => {
      if (r.type === 'inbound-rtp' && r.kind === 'audio') bySsrc.set(r.ssrc, r);
    });
    const out = {};
    for (const [name, track] of remoteTracks) {
      const r = bySsrc.get(track.getSsrc());
      if (!r) continue;
      out[name] = { jitterBufferDelay: r.jitterBufferDelay, jitterBufferEmittedCount: r.jitterBufferEmittedCount,
        jitterBufferTargetDelay: r.jitterBufferTargetDelay, jitter: r.jitter, packetsReceived: r.packetsReceived,
        concealedSamples: r.concealedSamples, totalSamplesReceived: r.totalSamplesReceived };
    }
    return out;
  },
  capture: {
    start() {
      if (!audio || !audio.ctx) throw new Error('not joined');
      // what the recording's clock mapping rests on (getOutputTimestamp: output time, so both taps
      // are placed by the context's output latency)
      state.audioLatencyMs = { base: (audio.ctx.baseLatency || 0) * 1000, output: (audio.ctx.outputLatency || 0) * 1000 };
      audio.inputTap.start();
      audio.outputTap.start();
      recordSent(true, { withData: state.config.receivedFrames === true && state.joinedAs !== 'singer' });
      extraTaps().forEach((t) => t.start());
      return true;
    },
    async stop() {
      recordSent(false);
      await Promise.all([audio.inputTap.stop(), audio.outputTap.stop(), ...extraTaps().map((t) => t.stop())]);
      return { input: audio.inputTap.length(), output: audio.outputTap.length() };
    },
    // input, output, and one 'direct:<source>' per reference source (referenceSources)
    take() {
      const r = { input: audio.inputTap.take(), output: audio.outputTap.take() };
      extraTaps().forEach((t) => { r[t.name] = t.take(); });
      return r;
    },
    /**
     * What this page sent during the capture, frame by frame as Chromium encoded it, with each
     * frame's capture time: [[rtpTimestamp, captureUnixMs, base64 Opus], ...] (a singer with
     * capture stamps on; else empty). The capture-time reference of the Jitsi end-to-end test.
     */
    async sentFrames() {
      const { sent, received } = await takeSent();
      const ssrcs = {};
      for (const [name, track] of remoteTracks) ssrcs[name] = track.getSsrc();
      return { sent: sent.map((f) => [f.rtp, f.capture, btoa(String.fromCharCode(...f.data))]), received, ssrcs };
    },
    /** The names take() returns, for fetching one recording per call with takeOne. */
    names() {
      return ['input', 'output', ...extraTaps().map((t) => t.name)];
    },
    // one recording of take(): a driver on a loaded machine fetches megabytes in pieces
    takeOne(name) {
      return tapNamed(name).take();
    },
    /**
     * POSTs one recording's samples (little-endian Float32, binary) to {@code url} on the page's own
     * origin and resolves to the rest of take()'s answer. A test harness's way to fetch megabytes:
     * through the driver they took 10-100 s on a loaded machine, during which the page's XMPP
     * connection could time out.
     */
    async uploadOne(name, url) {
      const { samples, ...meta } = tapNamed(name).takeRaw();
      const r = await fetch(url, { method: 'POST', body: samples.buffer, headers: { 'Content-Type': 'application/octet-stream' } });
      if (!r.ok) throw new Error(`upload of ${name} refused: ${r.status}`);
      return meta;
    },
  },
};
function tapNamed(name) {
  if (name === 'input') return audio.inputTap;
  if (name === 'output') return audio.outputTap;
  const tap = extraTaps().find((t) => t.name === name);
  if (!tap) throw new Error(`no recording named ${name}`);
  return tap;
}

window.duetTest = api;
window.duet = api;

init().catch((e) => showError('config', e.message));
