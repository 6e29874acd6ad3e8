// The rehearsal card: backing track (upload, start, stop, seek, level, loop), each singer's own
// monitor mix (partner, backing, and own-voice sidetone added here from the local microphone),
// the listeners' balance, and takes (record, list, play in the room, download).
// Server side and protocol: docs/rehearsal.md. app.js hooks it in with attach/joined/left.

const $ = (id) => document.getElementById(id);

/** Slider dB to a linear level; the bottom of the range is silence. */
const toLevel = (db, min) => (db <= min ? 0 : 10 ** (db / 20));
const toDb = (level, min) => (level <= 0 ? min : Math.round(20 * Math.log10(level)));
const fmtDb = (db, min) => (db <= min ? 'off' : (db > 0 ? '+' : '') + db + ' dB');
const fmtTime = (ms) => {
  const s = Math.max(0, Math.floor(ms / 1000));
  return Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');
};
const fmtBytes = (b) => (b >= 1048576 ? (b / 1048576).toFixed(1) + ' MiB' : Math.round(b / 1024) + ' KiB');

export class Rehearsal {
  /** @param opts { showError(code, message), getAudio() -> DuetAudio or null } */
  constructor(opts) {
    this.opts = opts;
    this.sig = null;
    this.state = null;      // the last `rehearsal` message
    this.role = null;
    this.sidetone = null;   // { source, gain } while on
    this.uploading = false;
    this.timer = null;
    this.wire();
  }

  /** A new signaling connection: listen for rehearsal state on it. */
  attach(sig) {
    this.sig = sig;
    sig.addEventListener('rehearsal', (e) => this.onState(e.detail));
  }

  /** Joined a room: ask for the rehearsal state (sent now and after every change). */
  joined(msg) {
    this.role = msg.role;
    const card = $('rehearsal-card');
    card.hidden = false;
    card.classList.toggle('listener', msg.role === 'listener');
    this.sig.send({ type: 'rehearsal' });
    clearInterval(this.timer);
    this.timer = setInterval(() => this.renderClock(), 250);
  }

  left() {
    clearInterval(this.timer);
    this.timer = null;
    this.setSidetone(false);
    $('sidetone').checked = false;
    $('rehearsal-card').hidden = true;
    this.state = null;
  }

  // ---------- controls ----------

  wire() {
    $('backing-file').addEventListener('change', (e) => {
      const f = e.target.files && e.target.files[0];
      if (f) this.upload(f);
    });
    $('backing-start').addEventListener('click', () => this.send({ type: 'backing', action: 'start' }));
    $('backing-stop').addEventListener('click', () => this.send({ type: 'backing', action: 'stop' }));
    $('backing-loop').addEventListener('change', (e) => this.send({ type: 'backing', action: 'loop', loop: e.target.checked }));
    $('backing-seek').addEventListener('change', (e) => this.send({ type: 'backing', action: 'seek', positionMs: Number(e.target.value) }));
    $('backing-seek').addEventListener('input', () => { this.seeking = true; });
    this.slider('backing-level', -40, (level) => this.send({ type: 'backing', action: 'level', level }));
    this.slider('monitor-partner', -40, () => this.sendMonitor());
    this.slider('monitor-backing', -40, () => this.sendMonitor());
    this.slider('sidetone-level', -40, (level) => { if (this.sidetone) this.sidetone.gain.gain.value = level; });
    $('sidetone').addEventListener('change', (e) => this.setSidetone(e.target.checked));
    $('take-record').addEventListener('click', () => {
      const recording = this.state && this.state.take;
      this.send({ type: 'take', action: recording ? 'stop' : 'start' });
    });
  }

  /** A dB slider with its label; {@code onChange(level)} when it is let go. */
  slider(id, min, onChange) {
    const el = $(id);
    const label = () => { $(id + '-db').textContent = fmtDb(Number(el.value), min); };
    el.addEventListener('input', label);
    el.addEventListener('change', () => { label(); onChange(toLevel(Number(el.value), min)); });
  }

  send(msg) {
    if (this.sig) this.sig.send(msg);
  }

  sendMonitor() {
    this.send({ type: 'monitor', partner: toLevel(Number($('monitor-partner').value), -40),
      backing: toLevel(Number($('monitor-backing').value), -40) });
  }

  /** Uploads a backing track; the server decodes it and every page in the room sees it. */
  async upload(file) {
    const s = this.state;
    if (!s) return;
    if (file.size > s.limits.maxUploadBytes) {
      this.opts.showError('file-too-large', `${file.name} is ${fmtBytes(file.size)}; backing tracks may be at most `
        + `${fmtBytes(s.limits.maxUploadBytes)}.`);
      $('backing-file').value = '';
      return;
    }
    this.uploading = true;
    $('backing-status').textContent = 'Uploading ' + file.name + '…';
    try {
      const r = await fetch('rehearsal/backing?name=' + encodeURIComponent(file.name), {
        method: 'POST', headers: { 'X-Duet-Token': s.token, 'Content-Type': 'application/octet-stream' }, body: file,
      });
      if (!r.ok) {
        let body = {};
        try { body = await r.json(); } catch (e) { /* not JSON */ }
        this.opts.showError(body.code || 'upload-failed', body.error || ('the upload failed (HTTP ' + r.status + ')'));
      }
    } catch (e) {
      this.opts.showError('upload-failed', 'The upload did not reach the server: ' + e.message);
    } finally {
      this.uploading = false;
      $('backing-file').value = '';
      if (this.state) this.render();
    }
  }

  /** Own voice in your own ear, straight from the microphone: no network delay at all. */
  setSidetone(on) {
    const audio = this.opts.getAudio();
    if (this.sidetone) {
      this.sidetone.source.disconnect();
      this.sidetone.gain.disconnect();
      this.sidetone = null;
    }
    if (!on || !audio || !audio.ctx || !audio.micStream) return;
    const source = audio.ctx.createMediaStreamSource(audio.micStream);
    const gain = new GainNode(audio.ctx, { gain: toLevel(Number($('sidetone-level').value), -40) });
    source.connect(gain).connect(audio.ctx.destination);
    this.sidetone = { source, gain };
  }

  // ---------- state from the server ----------

  onState(s) {
    this.state = s;
    this.render();
  }

  render() {
    const s = this.state;
    const b = s.backing;
    const can = s.canControl;
    $('backing-limits').textContent = `(${s.limits.formats.join(', ')}; up to ${fmtBytes(s.limits.maxUploadBytes)}, `
      + `${Math.round(s.limits.maxTrackSeconds / 60)} min)`;
    if (s.loading) {
      $('backing-status').textContent = `Decoding ${s.loading.name} (from ${s.loading.by})…`;
    } else if (this.uploading) {
      // keep "Uploading…"
    } else if (!b) {
      $('backing-status').textContent = 'No backing track yet.';
    } else {
      $('backing-status').textContent = `${b.name} · ${b.format} · ${fmtTime(b.durationMs)} · `
        + `${b.playing ? 'playing' : 'stopped'} · from ${b.loadedBy}`;
    }
    for (const id of ['backing-start', 'backing-stop', 'backing-loop', 'backing-seek', 'backing-level']) $(id).disabled = !can || !b;
    $('backing-file').disabled = !can;
    if (b) {
      $('backing-start').disabled = !can || b.playing;
      $('backing-stop').disabled = !can || !b.playing;
      $('backing-loop').checked = b.loop;
      $('backing-seek').max = String(b.durationMs);
      const db = toDb(b.level, -40);
      $('backing-level').value = String(db);
      $('backing-level-db').textContent = fmtDb(db, -40);
    }
    this.renderClock();
    if (this.role !== 'listener') {
      this.setSliderFromServer('monitor-partner', s.monitor.partner);
      this.setSliderFromServer('monitor-backing', s.monitor.backing);
      this.renderListenerLevels();
    }
    this.renderTakes();
  }

  setSliderFromServer(id, level) {
    const el = $(id);
    if (document.activeElement === el) return; // do not fight the singer's hand
    const db = toDb(level, -40);
    el.value = String(db);
    $(id + '-db').textContent = fmtDb(db, -40);
  }

  /** Backing position, moved on by this page's clock while playing. */
  renderClock() {
    const b = this.state && this.state.backing;
    if (!b) { $('backing-time').textContent = '0:00 / 0:00'; return; }
    let pos = b.positionMs;
    if (b.playing) {
      pos += Date.now() - b.atEpochMs;
      pos = b.loop ? pos % b.durationMs : Math.min(pos, b.durationMs);
    }
    $('backing-time').textContent = fmtTime(pos) + ' / ' + fmtTime(b.durationMs);
    if (document.activeElement !== $('backing-seek')) $('backing-seek').value = String(Math.round(pos));
  }

  renderListenerLevels() {
    const box = $('listener-levels');
    const s = this.state;
    const roles = (window.duet && window.duet.state().server && window.duet.state().server.singerRoles) || ['singer-a', 'singer-b'];
    const rows = [...roles.map((r) => [r, 'Singer ' + r.slice(7).toUpperCase(), s.listenerMix.voices[r] ?? 1]),
      ['backing', 'Backing', s.listenerMix.backing]];
    if (box.childElementCount !== rows.length) {
      box.replaceChildren();
      for (const [key, name] of rows) {
        const row = document.createElement('div');
        row.className = 'row inline';
        const id = 'listener-' + key;
        const label = document.createElement('label');
        label.htmlFor = id;
        label.textContent = name;
        const input = Object.assign(document.createElement('input'), { type: 'range', id, min: '-40', max: '6', step: '1' });
        const value = Object.assign(document.createElement('span'), { id: id + '-db', className: 'small' });
        row.append(label, input, value);
        box.append(row);
        this.slider(id, -40, (level) => {
          if (key === 'backing') this.send({ type: 'listener-mix', backing: level });
          else this.send({ type: 'listener-mix', voices: { [key]: level } });
        });
      }
    }
    for (const [key, , level] of rows) this.setSliderFromServer('listener-' + key, level);
  }

  renderTakes() {
    const s = this.state;
    const rec = $('take-record');
    rec.textContent = s.take ? 'Stop the take' : 'Record a take';
    rec.setAttribute('aria-pressed', String(!!s.take));
    $('take-status').textContent = s.take ? `Recording ${s.take.id}: ${fmtTime(s.take.durationMs)}` : '';
    const ul = $('takes-list');
    ul.replaceChildren();
    for (const t of [...s.takes].reverse()) {
      const li = document.createElement('li');
      const name = Object.assign(document.createElement('span'), { className: 'take-name' });
      name.textContent = `${t.id} · ${fmtTime(t.durationMs)} · ${t.status}${t.message ? ': ' + t.message : ''}`;
      li.append(name);
      if (t.status !== 'recording') {
        if (s.canControl && t.tracks.some((x) => x.file === 'mix.opus')) {
          const play = Object.assign(document.createElement('button'), { type: 'button', className: 'secondary' });
          play.textContent = 'Play in the room';
          play.addEventListener('click', () => this.send({ type: 'take', action: 'play', id: t.id }));
          li.append(play);
        }
        for (const track of t.tracks) {
          const a = document.createElement('a');
          a.href = `rehearsal/takes/${encodeURIComponent(t.id)}/${encodeURIComponent(track.file)}?token=${s.token}`;
          a.download = `${t.id}-${track.file}`;
          a.textContent = track.kind === 'voice' ? track.voice.replace('singer-', 'voice ') : track.kind;
          a.title = `${track.file}, ${fmtBytes(track.bytes)}`;
          li.append(a);
        }
        if (s.canControl) {
          const del = Object.assign(document.createElement('button'), { type: 'button', className: 'link' });
          del.textContent = 'Delete';
          del.addEventListener('click', () => {
            if (confirm('Delete take ' + t.id + ' and its files?')) this.send({ type: 'take', action: 'delete', id: t.id });
          });
          li.append(del);
        }
      }
      ul.append(li);
    }
  }

  /** For tests: the last state from the server. */
  snapshot() {
    return this.state ? JSON.parse(JSON.stringify(this.state)) : null;
  }
}
