// Duet standalone page: join a room with a role, send the microphone (singers), play the mix the
// server sends, and show levels, connection state and latency figures.
import { Signaling } from './signaling.js';
import { DuetAudio } from './audio.js';
import { BrowserStats } from './stats.js';
import { renderMeter as meter } from './shared/meter.js';
import { fmtMs, fmtInt, renderBrowserStats, renderMicSettings as showMicSettings } from './shared/figures.js';
import { headphonesProblem } from './shared/headphones.js';
import { attachSync } from './sync.js';
import { Rehearsal } from './rehearsal.js';
import { Reconnect } from './reconnect.js';
import { accessFields, showInvites, onAssigned } from './access.js';
import { NetworkPanel, withSenderFmtp } from './network.js';
import { withPtime, tuneReceivers, leverSettings } from './latency.js';
import { DirectCall } from './direct-call.js';
import { audioTotals } from './stats.js';

const $ = (id) => document.getElementById(id);

const ROLE_NAMES = { 'singer-a': 'Singer A', 'singer-b': 'Singer B', listener: 'Listener' };
const roleName = (r) => ROLE_NAMES[r] || (r.startsWith('singer-') ? 'Singer ' + r.slice(7).toUpperCase() : r);

/** What each server error code means for the person in front of the page. */
const ERROR_ADVICE = {
  'role-taken': 'Someone already has that role. Pick another singer role or join as a listener.',
  'unknown-room': 'This server only has fixed rooms. Check the room name with whoever set it up.',
  'room-full': 'The room is full.',
  'bad-role': 'That role does not exist here.',
  'webrtc-unavailable': 'The server cannot take audio from browsers right now.',
  'negotiation-failed': 'The audio connection could not be set up.',
  removed: 'The operator removed you from the room.',
  forbidden: 'This room admits invited people only: open the link its moderator shared.',
  'message-too-large': 'The page sent a message the server refused as too large.',
};

const state = {
  signaling: 'disconnected', joined: false, participantId: null, role: null, room: null, name: '',
  connection: 'new', ice: 'new', youHear: [], roster: [], serverStats: null, browserStats: null,
  lastError: null, errors: [], signalingRttMs: null, micSettings: null,
};

let sig = null; let pc = null; let audio = null; let statsTimer = null; let browserStats = null;
let pendingCandidates = [];
const reconnect = new Reconnect({ rejoin, onStatus: (t) => (t ? setConn(t, 'warn') : refreshConn()) });
let network = null;

// ---------- UI helpers ----------

function showError(code, message) {
  state.lastError = { code, message };
  state.errors.push({ code, message });
  $('error-title').textContent = code ? 'Error: ' + code : 'Error';
  const sentence = /[.!?]$/.test(message) ? message : message + '.';
  $('error-text').textContent = sentence + (ERROR_ADVICE[code] ? ' ' + ERROR_ADVICE[code] : '');
  $('error').hidden = false;
}

function clearError() { $('error').hidden = true; }

function setConn(text, level) {
  $('conn-text').textContent = text;
  $('conn-dot').className = 'dot ' + (level || '');
}

function refreshConn() {
  if (!state.joined) { setConn(state.signaling === 'open' ? 'Connected, not in a room' : 'Not connected', ''); return; }
  const c = state.connection;
  if (c === 'connected') setConn('Live in ' + state.room, 'ok');
  else if (c === 'failed' || c === 'disconnected') setConn('Audio ' + c, 'bad');
  else setConn('Connecting audio…', 'warn');
  $('state-media').textContent = c;
  $('state-ice').textContent = state.ice;
  $('state-signaling').textContent = state.signaling;
}

function renderRoster() {
  const ul = $('roster');
  ul.replaceChildren();
  for (const p of state.roster) {
    const li = document.createElement('li');
    const who = document.createElement('span');
    who.textContent = (p.name || p.id) + (p.you ? ' (you)' : '');
    const tag = document.createElement('span');
    tag.className = 'tag';
    tag.textContent = roleName(p.role) + (p.transport === 'rtp' ? ' · RTP' : '');
    li.append(who, tag);
    ul.append(li);
  }
  const byId = new Map(state.roster.map((p) => [p.id, p]));
  const names = state.youHear.map((id) => {
    const p = byId.get(id);
    return p ? roleName(p.role) + (p.name ? ' (' + p.name + ')' : '') : id;
  });
  $('mix-list').textContent = names.length ? names.join(', ') : 'nobody yet: waiting for a singer';
}

function renderServerStats(s) {
  $('srv-rtt').textContent = fmtMs(s.rttMs);
  $('srv-jb').textContent = fmtMs(s.jitterTargetMs);
  $('srv-mix').textContent = fmtMs(s.mixDelayMs);
  $('srv-jitter').textContent = fmtMs(s.interarrivalJitterMs);
  $('srv-packets').textContent = fmtInt(s.packetsIn) + ' / ' + fmtInt(s.packetsOut);
  $('srv-lost').textContent = fmtInt(s.lost) + (s.late ? ' (+' + s.late + ' late)' : '');
  $('srv-concealed').textContent = fmtInt(s.concealed) + ' frames';
}

function renderMicSettings() { showMicSettings(state.micSettings); }

// ---------- join / leave ----------

function selectedRole() {
  const r = document.querySelector('input[name=role]:checked');
  return r ? r.value : 'listener';
}

function updateHeadphonesBox() {
  const singer = selectedRole() !== 'listener';
  $('headphones-box').hidden = !singer;
}

async function join(ev) {
  ev.preventDefault();
  clearError();
  const room = $('room').value.trim();
  const name = $('name').value.trim();
  const role = selectedRole();
  if (!$('room').checkValidity()) {
    showError('bad-message', 'Room names use letters, digits, ".", "_" or "-" (up to 64).');
    $('room').focus();
    return;
  }
  const noHeadphones = role !== 'listener' ? headphonesProblem($('headphones')) : null;
  if (noHeadphones) {
    showError(noHeadphones.code, noHeadphones.message);
    $('headphones').focus();
    return;
  }
  $('join-button').disabled = true;
  try {
    audio = new DuetAudio({
      input: (peak, rms) => meter('input-meter', 'input-db', peak, rms),
      output: (peak, rms) => meter('output-meter', 'output-db', peak, rms),
    });
    await audio.open();
    let micTrack = null;
    if (role !== 'listener') {
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        throw Object.assign(new Error('Browsers only open the microphone on https:// pages or on localhost. '
          + 'Ask whoever runs this server for an https:// address.'), { code: 'microphone' });
      }
      try {
        micTrack = await audio.openMicrophone();
      } catch (e) {
        throw Object.assign(new Error('The microphone could not be opened: ' + e.message), { code: 'microphone' });
      }
      state.micSettings = audio.micSettings();
    } else {
      state.micSettings = null;
    }
    renderMicSettings();
    await connectSignaling();
    sig.send({ type: 'join', room, role, name, ...accessFields() });
    const reply = await sig.next('joined', 'error');
    if (reply.type === 'error') {
      await teardown();
      return; // the error handler has shown it
    }
    onJoined(reply);
    await startPeer(reply, micTrack);
  } catch (e) {
    showError(e.code || 'error', e.message);
    await teardown();
  } finally {
    $('join-button').disabled = false;
  }
}

/** Shows one radio per singer role the server offers (singer-a, singer-b, ...) plus listener. */
function renderRoles(singerRoles) {
  const box = $('role-options');
  const current = selectedRole();
  box.replaceChildren();
  const partnerOf = (r) => {
    const others = singerRoles.filter((o) => o !== r).map(roleName);
    return others.length ? 'sings, hears ' + others.join(', ').replace(/Singer /g, 'singer ') : 'sings';
  };
  for (const r of [...singerRoles, 'listener']) {
    const label = document.createElement('label');
    label.className = 'role';
    const input = document.createElement('input');
    input.type = 'radio';
    input.name = 'role';
    input.value = r;
    input.checked = r === current;
    input.addEventListener('change', updateHeadphonesBox);
    const text = document.createElement('span');
    const strong = document.createElement('strong');
    strong.textContent = roleName(r);
    const small = document.createElement('small');
    small.textContent = r === 'listener' ? (singerRoles.length > 2 ? 'hears all singers, in time' : 'hears both, in time')
      : partnerOf(r);
    text.append(strong, small);
    label.append(input, text);
    box.append(label);
  }
  if (!document.querySelector('input[name=role]:checked')) document.querySelector('input[name=role]').checked = true;
  updateHeadphonesBox();
}

async function connectSignaling() {
  if (sig && state.signaling === 'open') return;
  const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws';
  sig = new Signaling(url);
  sig.addEventListener('error', (e) => onServerError(e.detail));
  sig.addEventListener('welcome', (e) => {
    state.server = e.detail;
    if (!state.joined && Array.isArray(e.detail.singerRoles)) renderRoles(e.detail.singerRoles);
  });
  sig.addEventListener('roster', (e) => { state.roster = e.detail.participants; state.youHear = e.detail.youHear; renderRoster(); });
  sig.addEventListener('stats', (e) => { state.serverStats = e.detail; renderServerStats(e.detail); if (network) network.render(e.detail); });
  sig.addEventListener('pong', (e) => { state.signalingRttMs = e.detail.rttMs; $('sig-rtt').textContent = fmtMs(e.detail.rttMs); });
  sig.addEventListener('answer', (e) => onAnswer(e.detail));
  sig.addEventListener('assigned', (e) => onAssigned(e.detail));
  sig.addEventListener('candidate', (e) => onRemoteCandidate(e.detail));
  rehearsal.attach(sig);
  sig.addEventListener('left', () => { if (state.joined && !reconnect.reconnecting) teardown(); });
  sig.addEventListener('close', (e) => {
    state.signaling = 'closed';
    if (state.joined && reconnect.active) { reconnect.lost('the connection closed'); return; }
    if (state.joined) showError('disconnected', 'The connection to the server closed' + (e.detail.reason ? ': ' + e.detail.reason : '.'));
    teardown();
  });
  await sig.connect();
  state.signaling = 'open';
  attachSync(sig, $('cards'), () => state.joined && state.role !== 'listener'); // timing: sync.js
}

function onServerError(err) {
  if (err.inReplyTo === 'candidate' && state.lastError) {
    state.errors.push(err); // follows an earlier failure; keep the first message on screen
    return;
  }
  showError(err.code, err.message);
  if (err.inReplyTo === 'offer' && pc) {
    // No media without an answer: stop trickling candidates the server cannot use.
    pc.onicecandidate = null;
    state.connection = 'failed';
    refreshConn();
  }
}

function onJoined(msg) {
  state.joined = true;
  state.participantId = msg.participantId;
  state.role = msg.role;
  state.room = msg.room;
  state.name = msg.name;
  state.roster = msg.participants;
  state.youHear = msg.youHear;
  $('me-role').textContent = roleName(msg.role);
  $('me-room').textContent = msg.room;
  $('me-name').textContent = msg.name || 'anonymous';
  $('me-id').textContent = msg.participantId;
  $('mute-button').hidden = msg.role === 'listener';
  $('mic-card').hidden = msg.role === 'listener'; // listeners send nothing
  $('cards').classList.toggle('listener', msg.role === 'listener');
  $('join-panel').hidden = true;
  $('session').hidden = false;
  reconnect.joined(msg, sig);
  history.replaceState(null, '', '?room=' + encodeURIComponent(msg.room));
  showInvites(msg, $('invite-link'));
  $('copy-status').textContent = '';
  renderRoster();
  refreshConn();
  rehearsal.joined(msg);
}

async function startPeer(joined, micTrack) {
  pc = new RTCPeerConnection({ iceServers: joined.iceServers || [], bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
  pendingCandidates = [];
  if (!network) network = new NetworkPanel($('cards'));
  if (micTrack) {
    const t = pc.addTransceiver(micTrack, { direction: 'sendrecv', streams: [audio.micStream] });
    network.attach(t.sender, micTrack);
  } else {
    pc.addTransceiver('audio', { direction: 'recvonly' });
  }
  pc.ontrack = (e) => {
    tuneReceivers(pc); // the receive-side latency lever (latency.js)
    audio.playRemote(e.streams[0] || new MediaStream([e.track]), $('remote-audio'));
  };
  pc.onicecandidate = (e) => {
    const c = e.candidate;
    sig.send(c ? { type: 'candidate', candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex }
      : { type: 'candidate', candidate: '' });
  };
  pc.onconnectionstatechange = () => {
    state.connection = pc.connectionState;
    refreshConn();
    if (pc.connectionState === 'failed') reconnect.lost('the audio connection failed');
  };
  pc.oniceconnectionstatechange = () => { state.ice = pc.iceConnectionState; refreshConn(); };
  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  sig.send({ type: 'offer', sdp: pc.localDescription.sdp });
  browserStats = new BrowserStats(pc);
  statsTimer = setInterval(async () => {
    if (!pc) return;
    try {
      state.browserStats = await browserStats.read();
      renderBrowserStats(state.browserStats);
    } catch (e) { /* the connection is closing */ }
  }, 1000);
}

async function onAnswer(msg) {
  if (!pc) return;
  try {
    await pc.setRemoteDescription({ type: 'answer', sdp: withPtime(withSenderFmtp(msg.sdp)) });
    for (const c of pendingCandidates.splice(0)) await addCandidate(c);
  } catch (e) {
    showError('negotiation-failed', 'The server\'s answer was not accepted: ' + e.message);
  }
}

async function onRemoteCandidate(msg) {
  if (!pc) return;
  if (!pc.remoteDescription) { pendingCandidates.push(msg); return; }
  await addCandidate(msg);
}

async function addCandidate(msg) {
  try {
    if (!msg.candidate) await pc.addIceCandidate(null);
    else await pc.addIceCandidate({ candidate: msg.candidate, sdpMid: msg.sdpMid ?? '0', sdpMLineIndex: msg.sdpMLineIndex ?? 0 });
  } catch (e) { /* a candidate the browser cannot use is not fatal */ }
}

/** Joins again after a lost connection (reconnect.js): same room, role and name, with the resume token. */
async function rejoin(resume) {
  clearInterval(statsTimer);
  if (pc) { pc.onconnectionstatechange = null; pc.close(); pc = null; }
  if (sig) { sig.ws.onclose = null; sig.close(); }
  state.signaling = 'closed';
  await connectSignaling();
  sig.send({ type: 'join', room: state.room, role: state.role, name: state.name, resume, ...accessFields() });
  const reply = await sig.next('joined', 'error');
  if (reply.type === 'error') throw Object.assign(new Error(reply.message), { code: reply.code });
  onJoined(reply);
  await startPeer(reply, audio && audio.micStream ? audio.micStream.getAudioTracks()[0] : null);
}

async function leave() {
  reconnect.left();
  if (sig) sig.send({ type: 'leave' });
  await teardown();
}

async function teardown() {
  clearInterval(statsTimer);
  statsTimer = null;
  directCall.close();
  if (pc) { pc.close(); pc = null; }
  if (audio) { await audio.close(); audio = null; }
  state.joined = false;
  state.connection = 'closed';
  state.participantId = null;
  $('session').hidden = true;
  $('join-panel').hidden = false;
  $('mute-button').setAttribute('aria-pressed', 'false');
  $('mute-button').textContent = 'Mute microphone';
  rehearsal.left();
  refreshConn();
}

// ---------- wiring ----------

function init() {
  const params = new URLSearchParams(location.search);
  if (params.get('room')) $('room').value = params.get('room');
  if (params.get('name')) $('name').value = params.get('name');
  const wanted = params.get('role');
  if (wanted) {
    const r = document.querySelector(`input[name=role][value="${CSS.escape(wanted)}"]`);
    if (r) r.checked = true;
  }
  document.querySelectorAll('input[name=role]').forEach((r) => r.addEventListener('change', updateHeadphonesBox));
  updateHeadphonesBox();
  $('join-form').addEventListener('submit', join);
  $('leave-button').addEventListener('click', leave);
  $('error-close').addEventListener('click', clearError);
  $('copy-invite').addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText($('invite-link').value);
      $('copy-status').textContent = 'Copied.';
    } catch (e) {
      $('invite-link').select();
      $('copy-status').textContent = 'Press Ctrl+C to copy.';
    }
  });
  $('volume').addEventListener('input', (e) => audio && audio.setVolume(Number(e.target.value)));
  $('mute-button').addEventListener('click', (e) => {
    const muted = e.currentTarget.getAttribute('aria-pressed') !== 'true';
    e.currentTarget.setAttribute('aria-pressed', String(muted));
    e.currentTarget.textContent = muted ? 'Unmute microphone' : 'Mute microphone';
    if (audio) audio.setMuted(muted);
  });
  refreshConn();
  // Meet the server early: it says which roles it offers, and the header shows it is reachable.
  connectSignaling().then(refreshConn).catch((e) => showError('unreachable', e.message));
}

// Backing track, monitor mixes and takes (js/rehearsal.js).
const rehearsal = new Rehearsal({ showError, getAudio: () => audio });

const directCall = new DirectCall(() => audio);
const extraTaps = () => (audio ? [...audio.extraTaps.values()].map((e) => e.tap) : []);

// For tests and power users: the page's state and a recording of what it sends and plays.
window.duet = {
  /** The direct reference call of the benchmark (direct-call.js) and the latency levers in use. */
  direct: directCall,
  levers: () => leverSettings(audio && audio.ctx),
  /** Lifetime getStats totals of the Duet call ('duet') or the direct call ('direct'). */
  totals: (which) => audioTotals(which === 'direct' ? directCall.pc : pc),
  rehearsal: () => rehearsal.snapshot(),
  state: () => JSON.parse(JSON.stringify(state)),
  capture: {
    /** Starts recording the microphone tap (what is sent) and the playback tap (what you hear). */
    start() {
      if (!audio || !audio.ctx) throw new Error('not joined');
      audio.inputTap.start();
      audio.outputTap.start();
      extraTaps().forEach((t) => t.start());
      return true;
    },
    /** Stops recording (both taps flushed); returns the recorded lengths in samples. */
    async stop() {
      await Promise.all([audio.inputTap.stop(), audio.outputTap.stop(), ...extraTaps().map((t) => t.stop())]);
      return { input: audio.inputTap.length(), output: audio.outputTap.length() };
    },
    /**
     * The last recording: { input, output } (plus { direct } during a direct call), each
     * { sampleRate, startEpochMs, length, samples (base64 Float32 LE) }.
     */
    take() {
      const r = { input: audio.inputTap.take(), output: audio.outputTap.take() };
      extraTaps().forEach((t) => { r[t.name] = t.take(); });
      return r;
    },
  },
};

init();
