// An AudioWorklet that taps a signal: reports its level about 20 times a second and, while
// recording, hands the raw samples (first channel) to the page in chunks, each stamped with the
// context frame of its first sample so the page can place it on the wall clock.
class DuetTap extends AudioWorkletProcessor {
  constructor() {
    super();
    this.recording = false;
    this.chunk = null;
    this.chunkFill = 0;
    this.chunkStartFrame = 0;
    this.peak = 0;
    this.sumSquares = 0;
    this.levelFrames = 0;
    this.port.onmessage = (e) => {
      if (e.data === 'start') { this.recording = true; this.chunk = null; }
      if (e.data === 'stop') { this.flush(); this.recording = false; this.port.postMessage({ type: 'stopped' }); }
    };
  }

  flush() {
    if (this.chunk && this.chunkFill > 0) {
      const data = this.chunk.slice(0, this.chunkFill);
      this.port.postMessage({ type: 'chunk', startFrame: this.chunkStartFrame, data }, [data.buffer]);
    }
    this.chunk = null;
    this.chunkFill = 0;
  }

  process(inputs, outputs) {
    const input = inputs[0];
    const samples = input && input.length > 0 ? input[0] : null;
    const n = samples ? samples.length : 128;
    if (samples) {
      for (let i = 0; i < n; i++) {
        const v = samples[i];
        const a = v < 0 ? -v : v;
        if (a > this.peak) this.peak = a;
        this.sumSquares += v * v;
      }
    }
    this.levelFrames += n;
    if (this.levelFrames >= 2400) {
      this.port.postMessage({ type: 'level', peak: this.peak, rms: Math.sqrt(this.sumSquares / this.levelFrames) });
      this.peak = 0;
      this.sumSquares = 0;
      this.levelFrames = 0;
    }
    if (this.recording) {
      if (!this.chunk) {
        this.chunk = new Float32Array(4800);
        this.chunkFill = 0;
        this.chunkStartFrame = currentFrame;
      }
      if (samples) {
        this.chunk.set(samples, this.chunkFill);
      } else {
        this.chunk.fill(0, this.chunkFill, this.chunkFill + n);
      }
      this.chunkFill += n;
      if (this.chunkFill + 128 > this.chunk.length) this.flush();
    }
    // Pass the signal through so the node stays in the rendered graph.
    const out = outputs[0];
    if (out && out.length > 0) {
      for (let c = 0; c < out.length; c++) {
        if (samples) out[c].set(input[Math.min(c, input.length - 1)]); else out[c].fill(0);
      }
    }
    return true;
  }
}

registerProcessor('duet-tap', DuetTap);
