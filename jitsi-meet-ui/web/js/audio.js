// The page's audio: one AudioContext with the microphone (singers) and what the mixer sends back,
// each through a tap that meters it and can record it. Recording is what tests and power users
// read back: window.duet.capture (see app.js and docs/ui.md).
import { audioLatencyHint } from './latency.js';

/** Microphone constraints for singers: no processing at all, the mixer wants the raw voice. */
export const SINGER_MIC_CONSTRAINTS = {
  echoCancellation: false,
  noiseSuppression: false,
  autoGainControl: false,
  channelCount: 1,
};

class Tap {
  constructor(ctx, name, onLevel) {
    this.ctx = ctx;
    this.name = name;
    this.node = new AudioWorkletNode(ctx, 'duet-tap', { numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [1] });
    this.chunks = [];
    this.clockSamples = [];
    this.clockPairs = [];
    this.stopWaiters = [];
    this.node.port.onmessage = (e) => {
      const m = e.data;
      if (m.type === 'level') onLevel(m.peak, m.rms);
      else if (m.type === 'chunk') { this.chunks.push(m); this.sampleClock(); }
      else if (m.type === 'stopped') { this.stopWaiters.splice(0).forEach((w) => w()); }
    };
  }

  /** Pairs of (context time, wall-clock ms): the median offset maps context frames to wall time. */
  sampleClock() {
    const ts = this.ctx.getOutputTimestamp ? this.ctx.getOutputTimestamp() : null;
    let offsetMs;
    let contextTime;
    if (ts && ts.performanceTime > 0) {
      offsetMs = performance.timeOrigin + ts.performanceTime - ts.contextTime * 1000;
      contextTime = ts.contextTime;
    } else {
      offsetMs = performance.timeOrigin + performance.now() - this.ctx.currentTime * 1000;
      contextTime = this.ctx.currentTime;
    }
    this.clockSamples.push(offsetMs);
    // the pair itself too: a context whose clock runs at another rate than the wall clock (a
    // starved renderer) moves the offset during a recording, which one median cannot follow
    this.clockPairs.push([contextTime * this.ctx.sampleRate, offsetMs]);
  }

  start() {
    this.chunks = [];
    this.clockSamples = [];
    this.clockPairs = [];
    this.sampleClock();
    this.node.port.postMessage('start');
  }

  stop() {
    return new Promise((resolve) => {
      this.stopWaiters.push(resolve);
      this.node.port.postMessage('stop');
      setTimeout(resolve, 500);
    });
  }

  length() {
    return this.chunks.reduce((n, c) => n + c.data.length, 0);
  }

  /**
   * The recording as { startEpochMs, sampleRate, samples: base64 of little-endian Float32, clock:
   * [[i, startMs], ...] }: sample i was at startEpochMs + i / sampleRate by the median clock
   * offset; each pair is the start time one clock reading (taken at sample i) implies, so a fit
   * through them follows a context clock that drifts against the wall clock.
   */
  take() {
    const { samples, ...meta } = this.takeRaw();
    return { ...meta, samples: toBase64(new Uint8Array(samples.buffer)) };
  }

  /** take() with the samples as a Float32Array (for an upload as binary: no base64, no driver). */
  takeRaw() {
    const first = this.chunks.length ? this.chunks[0].startFrame : 0;
    const last = this.chunks.length ? this.chunks[this.chunks.length - 1] : null;
    const total = last ? last.startFrame + last.data.length - first : 0;
    const all = new Float32Array(total);
    // Each chunk goes where its frame number says, so a lost chunk leaves silence, not a time shift.
    for (const c of this.chunks) all.set(c.data, c.startFrame - first);
    const sorted = [...this.clockSamples].sort((a, b) => a - b);
    const offsetMs = sorted.length ? sorted[Math.floor(sorted.length / 2)] : 0;
    const startEpochMs = offsetMs + (first / this.ctx.sampleRate) * 1000;
    // clock: [sample index, epoch ms of sample 0 by that reading] pairs, for a fitted mapping
    const sr = this.ctx.sampleRate;
    const clock = this.clockPairs.map(([frame, off]) => [frame - first, off + (first / sr) * 1000]);
    return { name: this.name, sampleRate: this.ctx.sampleRate, startEpochMs, length: total, clock, samples: all };
  }
}

function toBase64(bytes) {
  let s = '';
  const step = 0x8000;
  for (let i = 0; i < bytes.length; i += step) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + step));
  }
  return btoa(s);
}

export class DuetAudio {
  /** @param levels callbacks { input(peak, rms), output(peak, rms) } */
  constructor(levels) {
    this.levels = levels;
    this.ctx = null;
    this.micStream = null;
    this.remoteSource = null;
    this.remotes = new Map(); // key -> { source, element }: several remote streams (Jitsi mode)
    this.extraTaps = new Map(); // name -> Tap: streams recorded but not played (the direct reference call)
  }

  async open() {
    // latencyHint: 'interactive' unless ?latency= says otherwise (latency.js, docs/browser-latency.md)
    this.ctx = new AudioContext({ latencyHint: audioLatencyHint(), sampleRate: 48000 });
    await this.ctx.audioWorklet.addModule(new URL('./tap-worklet.js', import.meta.url));
    // Taps must be pulled by the graph: route them into a silent sink.
    this.sink = new GainNode(this.ctx, { gain: 0 });
    this.sink.connect(this.ctx.destination);
    this.inputTap = new Tap(this.ctx, 'input', this.levels.input);
    this.inputTap.node.connect(this.sink);
    this.outputTap = new Tap(this.ctx, 'output', this.levels.output);
    this.outputTap.node.connect(this.sink);
    this.volume = new GainNode(this.ctx, { gain: 1 });
    this.volume.connect(this.ctx.destination);
    this.volume.connect(this.outputTap.node);
    if (this.ctx.state !== 'running') {
      try { await this.ctx.resume(); } catch (e) { /* resumes on the next user gesture */ }
    }
  }

  /** Opens the microphone with all browser processing off; returns the track to send. */
  async openMicrophone() {
    this.micStream = await navigator.mediaDevices.getUserMedia({ audio: SINGER_MIC_CONSTRAINTS, video: false });
    this.tapMicrophone(this.micStream);
    return this.micStream.getAudioTracks()[0];
  }

  /** Meters (and can record) a microphone stream opened elsewhere, e.g. by lib-jitsi-meet. */
  tapMicrophone(stream) {
    this.micStream = stream;
    const src = this.ctx.createMediaStreamSource(stream);
    src.connect(this.inputTap.node);
  }

  /** Plays what the mixer sends (and taps it). */
  playRemote(stream, audioElement) {
    // Chrome only feeds a remote WebRTC stream into Web Audio while a media element also holds it.
    audioElement.srcObject = stream;
    audioElement.muted = true;
    audioElement.play().catch(() => {});
    if (this.remoteSource) this.remoteSource.disconnect();
    this.remoteSource = this.ctx.createMediaStreamSource(stream);
    this.remoteSource.connect(this.volume);
  }

  /**
   * Plays one of several remote streams (the Jitsi page gets one track per source), mixed with
   * the others into the same volume control and output tap. Replaces an earlier stream of that key.
   */
  addRemote(key, stream) {
    this.removeRemote(key);
    const element = document.createElement('audio');
    element.hidden = true;
    element.dataset.remote = key;
    document.body.append(element);
    element.srcObject = stream; // see playRemote: keeps Chromium feeding the stream to Web Audio
    element.muted = true;
    element.play().catch(() => {});
    const source = this.ctx.createMediaStreamSource(stream);
    source.connect(this.volume);
    this.remotes.set(key, { source, element });
  }

  removeRemote(key) {
    const r = this.remotes.get(key);
    if (!r) return;
    r.source.disconnect();
    r.element.srcObject = null;
    r.element.remove();
    this.remotes.delete(key);
  }

  /**
   * Records {@code stream} under {@code name} without playing it (it goes to the silent sink), in
   * the same context and on the same clock as the other taps: the benchmark's direct call.
   */
  tapStream(name, stream) {
    const old = this.extraTaps.get(name);
    if (old) { old.source.disconnect(); old.element.srcObject = null; old.element.remove(); }
    const element = document.createElement('audio');
    element.hidden = true;
    document.body.append(element);
    element.srcObject = stream; // see playRemote
    element.muted = true;
    element.play().catch(() => {});
    const tap = new Tap(this.ctx, name, () => {});
    tap.node.connect(this.sink);
    const source = this.ctx.createMediaStreamSource(stream);
    source.connect(tap.node);
    this.extraTaps.set(name, { tap, source, element });
    return tap;
  }

  setVolume(v) {
    if (this.volume) this.volume.gain.setTargetAtTime(v, this.ctx.currentTime, 0.02);
  }

  setMuted(muted) {
    if (this.micStream) this.micStream.getAudioTracks().forEach((t) => { t.enabled = !muted; });
  }

  micSettings() {
    const t = this.micStream && this.micStream.getAudioTracks()[0];
    return t ? { ...t.getSettings(), label: t.label } : null;
  }

  async close() {
    [...this.remotes.keys()].forEach((k) => this.removeRemote(k));
    if (this.micStream) this.micStream.getTracks().forEach((t) => t.stop());
    this.micStream = null;
    if (this.ctx) await this.ctx.close().catch(() => {});
    this.ctx = null;
  }
}
