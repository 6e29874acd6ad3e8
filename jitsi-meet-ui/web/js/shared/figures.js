// The figures both pages show: browser getStats() figures and the microphone's processing
// settings, written into elements with fixed ids (br-*, set-*; see index.html and jitsi.html).

const $ = (id) => document.getElementById(id);
const put = (id, text) => { const el = $(id); if (el) el.textContent = text; };

export const fmtMs = (v) => (v === null || v === undefined || !isFinite(v) ? '-' : v.toFixed(1) + ' ms');
export const fmtInt = (v) => (v === null || v === undefined ? '-' : String(v));

/** Browser column of the latency table, from BrowserStats.read(). */
export function renderBrowserStats(b) {
  put('br-rtt', fmtMs(b.rttMs));
  put('br-jb', fmtMs(b.jitterBufferMs));
  put('br-jitter', fmtMs(b.jitterMs));
  put('br-packets', fmtInt(b.packetsIn) + ' / ' + fmtInt(b.packetsOut));
  put('br-lost', fmtInt(b.lost));
  put('br-concealed', b.concealedPercent === undefined ? '-' : b.concealedPercent.toFixed(2) + ' %');
}

/** What the browser actually applied to the microphone (MediaStreamTrack.getSettings()), or nothing. */
export function renderMicSettings(s) {
  const onOff = (id, v) => {
    const el = $(id);
    if (!el) return;
    el.textContent = v === undefined ? 'unknown' : v ? 'on' : 'off';
    el.className = v ? 'on' : 'off';
  };
  if (!s) { ['set-aec', 'set-ns', 'set-agc', 'set-device'].forEach((id) => put(id, '-')); return; }
  onOff('set-aec', s.echoCancellation);
  onOff('set-ns', s.noiseSuppression);
  onOff('set-agc', s.autoGainControl);
  put('set-device', s.label || 'default');
}
