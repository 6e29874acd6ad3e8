// Network adaptation and echo, as the server reports them in its stats push (docs/adaptation.md):
// what you get (bitrate, FEC, frame size, why), what you send and the server's advice for it, which
// this module applies to the sender (RTCRtpSender.setParameters maxBitrate; FEC and the bitrate
// ceiling through the answer's Opus fmtp), and whether the server hears its own mix coming back
// from your microphone (echo), with the capture policy: headphones (no processing, music quality)
// or speakers (the browser's echo cancellation on).

/** Bounds the page keeps the sender within (the server's defaults, duet.adapt). */
const MIN_BITRATE = 24000;
const MAX_BITRATE = 128000;

const fmtKbps = (bps) => (bps === null || bps === undefined ? '-' : Math.round(bps / 1000) + ' kb/s');
const fmtPct = (v) => (v === null || v === undefined ? '-' : v.toFixed(1) + ' %');
const fmtMs = (v) => (v === null || v === undefined ? '-' : Math.round(v) + ' ms');

/**
 * Adds FEC and the bitrate ceiling to the Opus fmtp of the server's answer: the answer's fmtp is
 * what configures this browser's Opus encoder (RFC 7587: the receiver states what it accepts).
 */
export function withSenderFmtp(sdp, maxAverageBitrate = MAX_BITRATE) {
  const m = /a=rtpmap:(\d+) opus\/48000/i.exec(sdp);
  if (!m) return sdp;
  const pt = m[1];
  const line = new RegExp('a=fmtp:' + pt + ' ([^\\r\\n]*)');
  const params = (s) => {
    const p = s.split(';').map((x) => x.trim()).filter((x) => x && !/^(useinbandfec|maxaveragebitrate)=/.test(x));
    return p.concat(['useinbandfec=1', 'maxaveragebitrate=' + maxAverageBitrate]).join(';');
  };
  if (line.test(sdp)) return sdp.replace(line, (all, p) => 'a=fmtp:' + pt + ' ' + params(p));
  return sdp.replace(m[0], m[0] + '\r\na=fmtp:' + pt + ' ' + params(''));
}

export class NetworkPanel {
  constructor(container) {
    this.el = document.createElement('section');
    this.el.className = 'card';
    this.el.id = 'network-card';
    this.el.setAttribute('aria-labelledby', 'network-heading');
    this.el.innerHTML = `
      <h3 id="network-heading">Network and echo</h3>
      <dl class="facts">
        <dt>You get</dt><dd id="net-get">-</dd>
        <dt>Why</dt><dd id="net-why">-</dd>
        <dt>You send</dt><dd id="net-send">-</dd>
        <dt>Server sees from you</dt><dd id="net-seen">-</dd>
        <dt>Echo</dt><dd id="net-echo">-</dd>
        <dt>Feedback</dt><dd id="net-howl">-</dd>
      </dl>
      <fieldset id="net-capture" hidden>
        <legend>Your microphone</legend>
        <label><input type="radio" name="capture" value="headphones" checked> Headphones (music quality)</label>
        <label><input type="radio" name="capture" value="speakers"> Speakers (echo cancellation on)</label>
      </fieldset>
      <p id="net-echo-advice" class="warn" hidden></p>`;
    container.appendChild(this.el);
    this.sender = null;
    this.track = null;
    this.appliedMaxBitrate = null;
    this.capture = 'headphones';
    this.userChoseCapture = false;
    this.el.querySelectorAll('input[name=capture]').forEach((r) => r.addEventListener('change', () => {
      this.userChoseCapture = true;
      this.setCapture(r.value);
    }));
    window.duet = window.duet || {};
    window.duet.network = this; // tests read the last report and what was applied
  }

  /** The sender and microphone track, for singers (listeners send nothing). */
  attach(sender, track) {
    this.sender = sender;
    this.track = track;
    this.el.querySelector('#net-capture').hidden = !track;
  }

  async setCapture(mode) {
    this.capture = mode;
    this.el.querySelectorAll('input[name=capture]').forEach((r) => { r.checked = r.value === mode; });
    if (!this.track) return;
    const on = mode === 'speakers';
    try {
      await this.track.applyConstraints({ echoCancellation: on, noiseSuppression: on, autoGainControl: on });
    } catch (e) { /* the browser keeps its current settings */ }
  }

  /** One stats push from the server. */
  render(stats) {
    this.last = stats;
    const $ = (id) => this.el.querySelector('#' + id);
    const r = stats.network && stats.network.receive;
    if (r) {
      $('net-get').textContent = r.forwarded ? 'your partner\'s voice, forwarded untouched'
        : fmtKbps(r.bitrate) + ', FEC ' + (r.fec ? 'on (' + r.lossHint + ' %)' : 'off') + ', ' + r.frameMs + ' ms frames'
          + (r.sharedEncoders > 1 ? ' (one of ' + r.sharedEncoders + ' encoder classes)' : '');
      $('net-why').textContent = 'loss ' + fmtPct(r.lossPercent) + ', jitter ' + fmtMs(r.jitterMs) + ', round trip ' + fmtMs(r.rttMs);
    }
    const s = stats.network && stats.network.send;
    if (s) {
      $('net-send').textContent = 'up to ' + fmtKbps(s.maxBitrate) + ', FEC ' + (s.fec ? 'on' : 'off');
      $('net-seen').textContent = (s.seenKbps === null ? '-' : Math.round(s.seenKbps) + ' kb/s') + ', loss ' + fmtPct(s.lossPercent);
      this.applyAdvice(s);
    }
    const e = stats.echo;
    if (e) {
      $('net-echo').textContent = e.detected ? 'your microphone returns your mix: ' + fmtMs(e.delayMs) + ', '
        + (e.returnLossDb === null ? '' : e.returnLossDb.toFixed(0) + ' dB down') : 'none';
      const advice = $('net-echo-advice');
      advice.hidden = !e.detected;
      if (e.detected && e.policy === 'ask-headphones') {
        advice.textContent = 'The mixer hears your own mix in your microphone: please use headphones.';
      } else if (e.detected && e.policy === 'browser-aec') {
        advice.textContent = 'The mixer hears your own mix in your microphone: echo cancellation was switched on.';
        if (this.capture !== 'speakers') this.setCapture('speakers');
      } else if (e.detected && e.policy === 'duck') {
        advice.textContent = 'The mixer hears your own mix in your microphone and takes it out of your voice'
          + ' (which costs some of your voice while others sing): headphones sound better.';
      }
      const h = e.howl;
      if (h) {
        $('net-howl').textContent = h.active ? 'howling at ' + Math.round(h.lastHz) + ' Hz: notched out of your voice'
          : h.caught > 0 ? h.caught + ' caught (last at ' + Math.round(h.lastHz) + ' Hz), none now' : 'none';
      }
      if (!this.userChoseCapture && e.proposedCapture && e.proposedCapture !== this.capture && e.detected) {
        this.setCapture(e.proposedCapture); // the default follows what the detector finds
      }
    }
  }

  /** Keeps the sender's bitrate at the server's advice, within the bounds. */
  async applyAdvice(s) {
    if (!this.sender || !s.maxBitrate) return;
    const target = Math.max(MIN_BITRATE, Math.min(MAX_BITRATE, s.maxBitrate));
    if (target === this.appliedMaxBitrate) return;
    try {
      const p = this.sender.getParameters();
      if (!p.encodings || !p.encodings.length) p.encodings = [{}];
      p.encodings[0].maxBitrate = target;
      await this.sender.setParameters(p);
      this.appliedMaxBitrate = target;
    } catch (e) { /* before negotiation completes; the next push retries */ }
  }
}
