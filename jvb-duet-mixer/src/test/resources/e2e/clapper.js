// Test-only page script (BrowserLeaderFollowerTest): a singer who claps on every click they hear,
// a fixed time after it, whatever the machine's load. Injected before the page's own scripts.
//
// Why not through the page's audio: in a headless Chromium starved of CPU (a loaded 2-core machine,
// nice 15) the real-time audio paths (the fake output's timer, WebRTC to Web Audio, Web Audio to
// WebRTC) drop and insert tens of ms of audio, so a clapper that listens to what the page plays and
// claps into a Web Audio microphone claps tens of ms off, and the mixer rightly refuses its
// calibration (docs/sync.md). So this singer closes its loop on the RTP media times instead, with
// WebRTC encoded transforms (RTCRtpScriptTransform) in one worker:
//   - receiver: every Opus frame the page receives is decoded (WebCodecs) and searched for a click
//     (a tone burst below 2.8 kHz: the partner's claps, 5 kHz and up, are filtered out), sample-exact
//     on the received media time; the frame itself goes on to the page unchanged;
//   - sender: every Opus frame the page sends is replaced by this singer's own: silence, and a clap
//     (a 1.5 ms Hann-windowed burst at its own pitch) where it claps, encoded with WebCodecs.
// A click at received media time m was at the earliest on this machine at m + R (R: the minimum of
// arrival - media time over the last seconds, the same minimum-delay anchor the mixer uses); the
// clap goes into the sent media time that was captured at the earliest at m + R + DELAY_MS
// (S: the minimum of the time a sent frame reaches the transform - its media time). Both minima
// ignore whatever the load adds, so the singer's loop is the same for every click.
(() => {
  const CLAP_HZ = __CLAP_HZ__;
  const DELAY_MS = __DELAY_MS__;
  const state = { claps: 0, late: 0, heard: 0, framesIn: 0, framesOut: 0, replaced: 0, notReady: 0,
    error: null, heardAt: [], recvBaseMs: null, sendBaseMs: null, frameSamples: null, transforms: 0 };
  window.__clapper = state;
  if (typeof RTCRtpScriptTransform === 'undefined') {
    state.error = 'no RTCRtpScriptTransform';
    return;
  }
  const worker = `
    const RATE = 48000;
    const CLAP_HZ = ${CLAP_HZ};
    const DELAY_MS = ${DELAY_MS};
    const CLAP_SAMPLES = 72;             // 1.5 ms
    const THRESHOLD = 0.02;              // after the low-pass: a click (0.03-0.3), not a partner's clap (< 0.005)
    const REFRACTORY = 4800;             // one clap per click: nothing for 100 ms
    const LOOKAHEAD_FRAMES = 4;          // sent frames encoded this far ahead of the one going out
    const WINDOW_MS = 4000;              // the minimum-delay anchors' memory
    const st = { claps: 0, late: 0, heard: 0, framesIn: 0, framesOut: 0, replaced: 0, notReady: 0, error: null,
      heardAt: [], recvBaseMs: null, sendBaseMs: null, frameSamples: null };
    const report = () => postMessage(st);
    setInterval(report, 250);

    // Best-case (time - media time): drops at once to a smaller offset, rises at most RISE_MS_PER_S
    // towards the minimum of the last WINDOW_MS (500 ms buckets), as the mixer's own arrival baseline
    // does (jitter/ArrivalBaseline: 4 s, 2 ms/s); restarts on a jump of the media time (a new stream, a
    // sender that re-timed it).
    class MinAnchor {
      constructor(riseMsPerS) { this.rise = riseMsPerS; this.buckets = []; this.base = null; this.at = 0; this.frozen = false; }
      add(nowMs, offsetMs) {
        if (this.frozen) return; // settled: only a new stream timing starts it over (reset)
        if (this.base !== null && Math.abs(offsetMs - this.base) > 250) {
          this.reset(); st.anchorRestarts = (st.anchorRestarts || 0) + 1;
        }
        const id = Math.floor(nowMs / 500);
        const last = this.buckets[this.buckets.length - 1];
        if (!last || last.id !== id) this.buckets.push({ id, min: offsetMs });
        else last.min = Math.min(last.min, offsetMs);
        while (this.buckets.length && this.buckets[0].id <= id - WINDOW_MS / 500) this.buckets.shift();
        if (this.base === null || offsetMs < this.base) { this.base = offsetMs; this.at = nowMs; return; }
        let m = Infinity;
        for (const b of this.buckets) m = Math.min(m, b.min);
        if (m > this.base) this.base += Math.min(m - this.base, this.rise * Math.max(0, nowMs - this.at) / 1000);
        this.at = nowMs;
      }
      value() { return this.base; }
      reset() { this.buckets = []; this.base = null; this.frozen = false; }
    }
    // The ear: the mixer's stream is timed on the server's clock, which is this machine's clock, so its
    // best case never moves: this singer plays what it receives a fixed time after its media time (a
    // settled playout), and a server sending late for seconds under load does not change what it sings
    // to. (With a 4 s minimum the clapper followed a mixer late by a tick for 4 s: its claps moved 10 ms,
    // 2026-12-02.)
    // And it settles for good on the first click it hears: later, a faster packet still lowered the best
    // case by 2-5 ms over tens of seconds (a mixer late by a few ms most of the time under load), and the
    // singer's loop shrank by as much after its calibration (2026-12-02). A new stream timing starts over.
    const recv = new MinAnchor(0);
    // The voice: Chromium's capture falls behind real time on a starved machine (its media time lost
    // 140 ms in 30 s, 2026-12-02), and the mixer places this voice by its arrivals: follow the capture the
    // same way the mixer's arrival baseline follows it, so the clap is placed where it was meant to be.
    const send = new MinAnchor(2);

    // 32-bit RTP timestamps, unwrapped.
    const unwrapper = () => { let last = null, ext = 0; return (ts) => {
      if (last === null) { ext = ts; } else { let d = (ts - last) >>> 0; if (d > 0x7fffffff) d -= 0x100000000; ext += d; }
      last = ts; return ext; }; };

    // ---- the ear ----
    const unwrapIn = unwrapper();
    // Four cascaded 2nd-order low-passes at 2.8 kHz (RBJ biquad): a 5 kHz clap loses 42 dB, a 2.5 kHz click 9.
    const lp = (() => { const w = 2 * Math.PI * 2800 / RATE, a = Math.sin(w) / (2 * 0.7071), c = Math.cos(w);
      const a0 = 1 + a; return { b0: (1 - c) / 2 / a0, b1: (1 - c) / a0, b2: (1 - c) / 2 / a0, a1: -2 * c / a0, a2: (1 - a) / a0 }; })();
    const filt = [0, 1, 2, 3].map(() => ({ x1: 0, x2: 0, y1: 0, y2: 0 }));
    const step = (f, x) => { const y = lp.b0 * x + lp.b1 * f.x1 + lp.b2 * f.x2 - lp.a1 * f.y1 - lp.a2 * f.y2;
      f.x2 = f.x1; f.x1 = x; f.y2 = f.y1; f.y1 = y; return y; };
    let quietUntil = -Infinity;
    let decodedThrough = null;
    const decodedTimes = [];             // received media times sent to the decoder, in order (one output each)
    const decoder = new AudioDecoder({
      output: (data) => {
        const start = decodedTimes.shift();
        const n = data.numberOfFrames;
        const pcm = new Float32Array(n);
        data.copyTo(pcm, { planeIndex: 0, format: 'f32-planar' });
        data.close();
        let peak = 0;
        for (let i = 0; i < n; i++) {
          const y = step(filt[3], step(filt[2], step(filt[1], step(filt[0], pcm[i]))));
          const m = start + i;
          peak = Math.max(peak, Math.abs(y));
          if (m >= quietUntil && Math.abs(y) >= THRESHOLD) {
            quietUntil = m + REFRACTORY;
            heardClick(m);
          }
        }
        if (peak >= 0.01) { // diagnostics: what the ear got, by media ms
          st.peaks = st.peaks || [];
          st.peaks.push(Math.round(start / 48) % 100000 + ':' + peak.toFixed(3));
          if (st.peaks.length > 30) st.peaks.shift();
        }
        st.decoded = (st.decoded || 0) + 1;
      },
      error: (e) => { st.error = 'decoder: ' + e; },
    });
    decoder.configure({ codec: 'opus', sampleRate: RATE, numberOfChannels: 1 });

    function onReceived(frame) {
      const meta = frame.getMetadata();
      // receiveTime: when the packet came off the network (Chromium 1xx and later), not when this
      // worker got to it: a starved renderer's delay does not enter the ear's best case
      const now = typeof meta.receiveTime === 'number' && meta.receiveTime > 0 ? meta.receiveTime : performance.now();
      st.receiveTimes = (st.receiveTimes || 0) + (now !== meta.receiveTime ? 0 : 1);
      const ts = unwrapIn(meta.rtpTimestamp ?? frame.timestamp);
      st.framesIn++;
      if (decodedThrough !== null && (ts < decodedThrough - 9600 || ts > decodedThrough + 48000)) {
        recv.reset(); // a new stream timing: the ear settles afresh
        decodedThrough = null; // the sender re-timed its stream (the mixer switched between forwarding and mixing)
        quietUntil = -Infinity;
        st.retimed = (st.retimed || 0) + 1;
      }
      recv.add(now, now - ts * 1000 / RATE);
      if (decodedThrough !== null && ts < decodedThrough) { st.outOfOrder = (st.outOfOrder || 0) + 1; return; }
      decodedThrough = ts;
      decodedTimes.push(ts);
      decoder.decode(new EncodedAudioChunk({ type: 'key', timestamp: Math.round(ts * 1e6 / RATE), data: frame.data }));
    }

    // ---- the voice ----
    const unwrapOut = unwrapper();
    const clapsAt = [];                  // sent media times at which a clap starts
    let encoder = null;
    let fedThrough = null;               // sent media time up to which PCM went into the encoder
    const encoded = new Map();           // sent media time -> Opus packet (ArrayBuffer)
    const waiting = new Map();           // sent media time -> resolve()
    const fedTimes = [];                 // media times fed, in order (each encoder output is the next)

    function heardClick(m) {
      st.heard++;
      recv.frozen = recv.value() !== null;
      const R = recv.value(), S = send.value();
      if (R === null || S === null || fedThrough === null) return;
      // Earliest arrival of the click, plus the reaction; the sent media time captured then at the earliest.
      const target = Math.round((m * 1000 / RATE + R + DELAY_MS - S) * RATE / 1000);
      // How long after the click's earliest arrival it was heard, and how far ahead of what is encoded it claps.
      st.heardAt.push(Math.round(m / 48) % 100000 + ':' + Math.round(performance.now() - (m * 1000 / RATE + R))
        + ':' + Math.round((target - fedThrough) / 48));
      if (st.heardAt.length > 40) st.heardAt.shift();
      st.recvBaseMs = R; st.sendBaseMs = S;
      if (target < fedThrough) { st.late++; return; }
      clapsAt.push(target);
      st.claps++;
    }

    function setUpEncoder(frameSamples) {
      st.frameSamples = frameSamples;
      encoder = new AudioEncoder({
        output: (chunk) => {
          const ts = fedTimes.shift();
          const buf = new ArrayBuffer(chunk.byteLength);
          chunk.copyTo(buf);
          encoded.set(ts, buf);
          const r = waiting.get(ts);
          if (r) { waiting.delete(ts); r(); }
        },
        error: (e) => { st.error = 'encoder: ' + e; },
      });
      encoder.configure({ codec: 'opus', sampleRate: RATE, numberOfChannels: 1, bitrate: 64000,
        opus: { frameDuration: Math.round(frameSamples * 1e6 / RATE), complexity: 5, application: 'audio' } });
    }

    function feed(through, frameSamples) {
      while (fedThrough < through) {
        const pcm = new Float32Array(frameSamples);
        for (const c of clapsAt) {
          for (let i = Math.max(0, c - fedThrough); i < frameSamples && fedThrough + i - c < CLAP_SAMPLES; i++) {
            const t = fedThrough + i - c;
            const w = 0.5 - 0.5 * Math.cos(2 * Math.PI * t / (CLAP_SAMPLES - 1));
            pcm[i] += 0.5 * w * Math.sin(2 * Math.PI * CLAP_HZ * t / RATE);
          }
        }
        fedTimes.push(fedThrough);
        encoder.encode(new AudioData({ format: 'f32-planar', sampleRate: RATE, numberOfFrames: frameSamples,
          numberOfChannels: 1, timestamp: Math.round(fedThrough * 1e6 / RATE), data: pcm }));
        fedThrough += frameSamples;
      }
      while (clapsAt.length && clapsAt[0] + CLAP_SAMPLES < fedThrough - frameSamples) clapsAt.shift();
    }

    let lastOutTs = null;
    async function onSending(frame) {
      const now = performance.now();
      const ts = unwrapOut(frame.getMetadata().rtpTimestamp ?? frame.timestamp);
      st.framesOut++;
      send.add(now, now - ts * 1000 / RATE);
      if (encoder === null) {
        if (lastOutTs === null) { lastOutTs = ts; return; } // the first frame tells nothing of the frame length
        const n = ts - lastOutTs;
        if (n !== 480 && n !== 960) { lastOutTs = ts; return; }
        setUpEncoder(n);
        fedThrough = ts;
      }
      const n = st.frameSamples;
      if (ts < fedThrough - LOOKAHEAD_FRAMES * n * 4 || ts > fedThrough + 10 * n) { // re-timed stream: start over
        fedThrough = ts; encoded.clear();
      }
      feed(ts + (LOOKAHEAD_FRAMES + 1) * n, n);
      if (!encoded.has(ts)) {
        await new Promise((resolve) => { waiting.set(ts, resolve); setTimeout(resolve, 100); });
      }
      const packet = encoded.get(ts);
      if (packet) {
        frame.data = packet;
        st.replaced++;
      } else {
        st.notReady++;
      }
      for (const k of encoded.keys()) if (k <= ts) encoded.delete(k);
    }

    onrtctransform = (event) => {
      const t = event.transformer;
      const side = t.options.side;
      t.readable.pipeThrough(new TransformStream({
        async transform(frame, controller) {
          try {
            if (side === 'recv') onReceived(frame); else await onSending(frame);
          } catch (e) { st.error = side + ': ' + e; }
          controller.enqueue(frame);
        },
      })).pipeTo(t.writable);
    };
  `;
  const w = new Worker(URL.createObjectURL(new Blob([worker], { type: 'application/javascript' })));
  w.onmessage = (e) => Object.assign(state, e.data);
  w.onerror = (e) => { state.error = 'worker: ' + e.message; };

  const sending = new WeakSet();
  const receiving = new WeakSet();
  const attach = (pc) => {
    for (const s of pc.getSenders()) {
      if (!sending.has(s) && s.track && s.track.kind === 'audio') {
        sending.add(s); s.transform = new RTCRtpScriptTransform(w, { side: 'send' }); state.transforms++;
      }
    }
    for (const r of pc.getReceivers()) {
      if (!receiving.has(r) && r.track && r.track.kind === 'audio') {
        receiving.add(r); r.transform = new RTCRtpScriptTransform(w, { side: 'recv' }); state.transforms++;
      }
    }
  };
  const Original = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Original {
    constructor(...args) {
      super(...args);
      this.addEventListener('track', () => attach(this));
    }
    addTransceiver(...args) { const t = super.addTransceiver(...args); attach(this); return t; }
    addTrack(...args) { const s = super.addTrack(...args); attach(this); return s; }
  };
})();
