// Test-only page script (BrowserLeaderFollowerTest): a singer who claps exactly on every click they
// hear. Injected before the page's own scripts, it replaces the microphone with a Web Audio stream
// and listens to every track the page receives: whenever a click sounds in it (a calibration click
// or a metronome beat: tone bursts below 2.8 kHz), it claps into its microphone stream a fixed
// time later, sample-exact on its audio context's clock. The clap is a 1.5 ms Hann-windowed burst
// at this singer's own pitch, so the test can tell the two singers and the beat apart in the
// listener's recording. A page fed from a fake audio file could not react to what it hears.
(() => {
  const CLAP_HZ = __CLAP_HZ__;
  const DELAY_MS = __DELAY_MS__;
  const ctx = new AudioContext({ sampleRate: 48000, latencyHint: 'interactive' });
  const mic = ctx.createMediaStreamDestination();
  const processor = `
    class Clapper extends AudioWorkletProcessor {
      constructor(options) {
        super();
        const p = options.processorOptions;
        this.hz = p.hz;
        this.delay = p.delayFrames;
        this.threshold = p.threshold;
        this.length = 72; // 1.5 ms
        this.quietUntil = 0;
        this.pending = [];
      }
      process(inputs, outputs) {
        const input = inputs[0] && inputs[0][0];
        const out = outputs[0][0];
        const base = currentFrame;
        if (input) {
          for (let i = 0; i < input.length; i++) {
            const f = base + i;
            if (f >= this.quietUntil && Math.abs(input[i]) >= this.threshold) {
              this.pending.push(f + this.delay);
              this.quietUntil = f + 4800; // one clap per click: nothing for 100 ms
              this.port.postMessage(f);
            }
          }
        }
        out.fill(0);
        for (const start of this.pending) {
          for (let i = 0; i < out.length; i++) {
            const t = base + i - start;
            if (t >= 0 && t < this.length) {
              const w = 0.5 - 0.5 * Math.cos(2 * Math.PI * t / (this.length - 1));
              out[i] += 0.5 * w * Math.sin(2 * Math.PI * this.hz * t / sampleRate);
            }
          }
        }
        this.pending = this.pending.filter((s) => s + this.length > base + out.length);
        return true;
      }
    }
    registerProcessor('clapper', Clapper);`;
  const state = { claps: 0, tracks: 0, error: null, heardAt: [] };
  window.__clapper = state;
  const ready = ctx.audioWorklet
    .addModule(URL.createObjectURL(new Blob([processor], { type: 'application/javascript' })))
    .then(() => {
      const node = new AudioWorkletNode(ctx, 'clapper', {
        numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [1],
        processorOptions: { hz: CLAP_HZ, delayFrames: Math.round(DELAY_MS * 48), threshold: 0.06 },
      });
      node.port.onmessage = (e) => {
        state.claps++;
        state.heardAt.push(Math.round(e.data / 48)); // context ms, for the test's diagnostics
        if (state.heardAt.length > 40) state.heardAt.shift();
      };
      node.connect(mic);
      // Only clicks: the partner's claps (5 kHz and up) are filtered out before the ear.
      const ear = new BiquadFilterNode(ctx, { type: 'lowpass', frequency: 2800, Q: 0.707 });
      const ear2 = new BiquadFilterNode(ctx, { type: 'lowpass', frequency: 2800, Q: 0.707 });
      ear.connect(ear2);
      ear2.connect(node);
      return ear;
    })
    .catch((e) => { state.error = String(e); throw e; });

  const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    if (!constraints || !constraints.audio) return original(constraints);
    await ready;
    await ctx.resume();
    return new MediaStream(mic.stream.getAudioTracks());
  };

  const hear = (track) => {
    if (track.kind !== 'audio') return;
    ready.then((ear) => {
      const stream = new MediaStream([track]);
      // Chrome only feeds a remote WebRTC track into Web Audio while a media element holds it.
      const element = new Audio();
      element.muted = true;
      element.srcObject = stream;
      element.play().catch(() => {});
      ctx.createMediaStreamSource(stream).connect(ear);
      state.tracks++;
    });
  };
  const Original = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Original {
    constructor(...args) {
      super(...args);
      this.addEventListener('track', (e) => hear(e.track));
    }
  };
})();
