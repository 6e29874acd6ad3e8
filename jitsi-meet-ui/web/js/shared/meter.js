// Level meters: the RMS bar, the peak tick and the dBFS figure that both pages show for the
// microphone and for what is played. Levels come from the duet-tap worklet (audio.js).

/** Draws one meter (element `id`, figure element `dbId`) from linear peak and RMS levels. */
export function renderMeter(id, dbId, peak, rms) {
  const db = rms > 0 ? 20 * Math.log10(rms) : -Infinity;
  const peakDb = peak > 0 ? 20 * Math.log10(peak) : -Infinity;
  const pos = (d) => Math.max(0, Math.min(100, ((d + 60) / 60) * 100));
  const el = document.getElementById(id);
  if (!el) return;
  el.querySelector('.rest').style.width = (100 - pos(db)) + '%';
  el.querySelector('.peak').style.left = pos(peakDb) + '%';
  const shown = isFinite(db) ? Math.max(-60, db) : -60;
  el.setAttribute('aria-valuenow', shown.toFixed(0));
  el.setAttribute('aria-valuetext', isFinite(db) && db > -60 ? db.toFixed(0) + ' dB' : 'silent');
  const fig = document.getElementById(dbId);
  if (fig) fig.textContent = isFinite(db) ? db.toFixed(1) : '-∞';
}
