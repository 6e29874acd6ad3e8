// Timing for singers (docs/sync.md): the page-clock ping that measures this browser's clock
// offset, and the "In sync" card: sync mode, who leads, the beat, latency calibration, and the
// figures (calibrated round trip, clock-offset uncertainty, the correction the listener mix applies).

const pageClock = () => performance.timeOrigin + performance.now(); // the clock Chrome stamps its RTCP SRs with

/**
 * Sends NTP-style clock pings on the signaling socket: 4 a second for 10 s, then 2 a second. Chrome's report
 * blocks on the mixer's stream come in RR packets (no NTP time), so these pings are the only bounds on this
 * browser's clock from below; at one every 2 s the estimate for a 60 +- 15 ms path was 0.96 ms p95 off in
 * some runs, at 2 a second 0.30-0.53 ms (docs/sync.md).
 */
function startClockPings(sig) {
  let sent = 0;
  let timer = null;
  const ping = () => {
    sig.send({ type: 'clock', t1: pageClock() });
    sent++;
    if (sent === 40) { clearInterval(timer); timer = setInterval(ping, 500); }
  };
  sig.addEventListener('clock', (e) => {
    const m = e.detail;
    sig.send({ type: 'clock-sample', t1: m.t1, t2: m.t2, t3: m.t3, t4: pageClock() });
  });
  sig.addEventListener('close', () => clearInterval(timer));
  timer = setInterval(ping, 250);
  ping();
}

const CARD = `
  <h2 id="sync-heading">In sync</h2>
  <p id="sync-role" class="hint">Live: you both hear each other as early as possible.</p>
  <div class="row" role="group" aria-label="Sync mode">
    <button type="button" id="sync-live">Live</button>
    <button type="button" id="sync-lead">I lead</button>
    <button type="button" id="sync-follow">Partner leads</button>
  </div>
  <fieldset class="row" aria-label="Beat">
    <label>Tempo <input id="sync-bpm" type="number" min="20" max="400" value="90" size="4"></label>
    <label>Beats/bar <input id="sync-bpb" type="number" min="1" max="16" value="4" size="3"></label>
    <label><input id="sync-accent" type="checkbox" checked> Accent</label>
    <label>Count-in bars <input id="sync-countin" type="number" min="0" max="4" value="1" size="2"></label>
    <button type="button" id="sync-beat-start">Start metronome</button>
    <button type="button" id="sync-backing">Backing track</button>
    <button type="button" id="sync-beat-stop">Stop</button>
  </fieldset>
  <div class="row">
    <button type="button" id="sync-calibrate">Calibrate my latency</button>
    <span id="sync-cal-status" role="status" aria-live="polite"></span>
  </div>
  <table class="figures" aria-label="Singers' timing">
    <thead><tr><th>Singer</th><th>Role</th><th>Calibration</th><th>Round trip</th><th>Clock ± </th><th>Correction</th></tr></thead>
    <tbody id="sync-singers"></tbody>
  </table>
  <p id="sync-listeners" class="hint"></p>`;

const fmt = (v, d = 1) => (v === null || v === undefined || Number.isNaN(v) ? '–' : v.toFixed(d) + ' ms');

/**
 * Adds the sync card to {@code container} and keeps it current from the server's messages.
 * @param sig the page's Signaling; @param isSinger () => whether this participant sings
 */
export function attachSync(sig, container, isSinger) {
  startClockPings(sig);
  const old = document.getElementById('sync-card');
  if (old) old.remove(); // a new signaling connection after a disconnect
  const card = document.createElement('section');
  card.className = 'card';
  card.id = 'sync-card';
  card.setAttribute('aria-labelledby', 'sync-heading');
  card.innerHTML = CARD;
  container.appendChild(card);
  const $ = (id) => card.querySelector('#' + id);
  let state = null;
  let clockBound = null;
  const send = (m) => sig.send(Object.assign({ type: 'sync' }, m));
  const partner = () => (state ? (state.singers.find((s) => !s.me) || {}).id : undefined);
  const me = () => (state ? (state.singers.find((s) => s.me) || {}).id : undefined);

  $('sync-live').onclick = () => send({ action: 'mode', mode: 'live' });
  $('sync-lead').onclick = () => send({ action: 'mode', mode: 'leader-follower', leader: me() });
  $('sync-follow').onclick = () => send({ action: 'mode', mode: 'leader-follower', leader: partner() });
  $('sync-beat-start').onclick = () => send({
    action: 'metronome', bpm: Number($('sync-bpm').value), beatsPerBar: Number($('sync-bpb').value),
    accent: $('sync-accent').checked, countIn: Number($('sync-countin').value) });
  $('sync-backing').onclick = () => send({ action: 'backing' });
  $('sync-beat-stop').onclick = () => send({ action: 'stop' });
  $('sync-calibrate').onclick = () => send({ action: 'calibrate' });

  sig.addEventListener('stats', (e) => {
    if (e.detail.sync) clockBound = e.detail.sync;
    if (e.detail.timing) { state = e.detail.timing; render(); }
  });

  function render() {
    const singing = isSinger();
    card.querySelectorAll('button, input').forEach((b) => { b.disabled = !singing; });
    const mine = state.singers.find((s) => s.me);
    const lf = state.mode === 'leader-follower';
    $('sync-live').setAttribute('aria-pressed', String(!lf));
    $('sync-lead').setAttribute('aria-pressed', String(lf && mine && mine.role === 'leader'));
    $('sync-follow').setAttribute('aria-pressed', String(lf && mine && mine.role === 'follower'));
    let role = 'Live: you both hear each other as early as possible; listeners hear you lined up by when you sang.';
    if (lf && mine && mine.role === 'leader') role = 'You lead: sing to the beat. You hear the beat only (your partner would reach you a whole round trip late).';
    if (lf && mine && mine.role === 'follower') role = 'You follow: you hear the leader and the beat together; sing along with them.';
    if (!mine) role = lf ? 'Leader/follower mode.' : 'Live mode.';
    $('sync-role').textContent = role;
    $('sync-listeners').textContent = lf
      ? `Listeners hear the leader and the beat ${fmt(mine && mine.role === 'follower' ? mine.correctionMs : (state.singers.find((s) => s.role === 'follower') || {}).correctionMs)} later, so both voices and the beat line up.`
      : 'Listeners hear both voices placed by capture time' + (state.beat ? ', the beat where your voices are.' : '.');
    if (mine) {
      $('sync-cal-status').textContent = mine.calibration === 'done' ? 'Calibrated.' : mine.calibrationMessage || '';
      $('sync-cal-status').className = mine.calibration === 'failed' ? 'error-text' : '';
    }
    const rows = state.singers.map((s) => {
      const bound = s.me && clockBound ? `${fmt(clockBound.clockErrorBoundMs)} (${clockBound.clockModeText})` : '–';
      return `<tr><td>${s.me ? 'you' : 'partner'}</td><td>${s.role}</td><td>${s.calibration}${
        s.calibration === 'failed' ? ': ' + escape(s.calibrationMessage) : ''}</td><td>${fmt(s.roundTripMs)}</td><td>${
        bound}</td><td>${fmt(s.correctionMs)}</td></tr>`;
    });
    $('sync-singers').innerHTML = rows.join('');
  }
}

function escape(s) {
  return String(s || '').replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));
}
