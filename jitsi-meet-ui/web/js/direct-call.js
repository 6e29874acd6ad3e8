// A direct peer-to-peer call to another page, beside the call through Duet: the physical reference
// for the relayed path (what two browsers on the same network give without any server). The
// benchmark (`./duet bench --only browser`, docs/browser-latency.md) carries the offer and answer
// between two pages; this page sends the same microphone track it sends to Duet and records what
// arrives in the tap "direct", on the same clock as its other taps. Nothing here is played aloud.
//
// Both calls use the same latency levers (latency.js), so the difference between them is the server.
import { withPtime, tuneReceivers } from './latency.js';

export class DirectCall {
  /** @param getAudio returns the page's DuetAudio (its microphone and its taps) */
  constructor(getAudio) {
    this.getAudio = getAudio;
    this.pc = null;
  }

  /** @param offering true: add the microphone now; false: it goes on the transceiver the offer creates */
  open(offering) {
    const audio = this.getAudio();
    if (!audio || !audio.micStream) throw new Error('join as a singer first: the direct call sends the microphone');
    if (this.pc) this.pc.close();
    // No ICE servers: host candidates only (the benchmark keeps the loopback ones, see below).
    this.pc = new RTCPeerConnection({ iceServers: [], bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
    if (offering) {
      this.pc.addTransceiver(audio.micStream.getAudioTracks()[0], { direction: 'sendrecv', streams: [audio.micStream] });
    }
    this.pc.ontrack = (e) => {
      tuneReceivers(this.pc);
      audio.tapStream('direct', e.streams[0] || new MediaStream([e.track]));
    };
    return this.pc;
  }

  /** The offer, once ICE gathering finished (no trickle: the caller relays one message each way). */
  async offer(loopbackOnly = true) {
    const pc = this.open(true);
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    return onlyLoopback(pc.localDescription.sdp, loopbackOnly);
  }

  /** Takes the other page's offer, returns the answer. */
  async answer(offerSdp, loopbackOnly = true) {
    const pc = this.open(false);
    await pc.setRemoteDescription({ type: 'offer', sdp: withPtime(offerSdp) });
    const audio = this.getAudio();
    const t = pc.getTransceivers()[0];
    await t.sender.replaceTrack(audio.micStream.getAudioTracks()[0]);
    t.sender.setStreams(audio.micStream);
    t.direction = 'sendrecv';
    await pc.setLocalDescription(await pc.createAnswer());
    await gathered(pc);
    return onlyLoopback(pc.localDescription.sdp, loopbackOnly);
  }

  async accept(answerSdp) {
    await this.pc.setRemoteDescription({ type: 'answer', sdp: withPtime(answerSdp) });
  }

  state() {
    return this.pc ? this.pc.connectionState : 'closed';
  }

  close() {
    if (this.pc) this.pc.close();
    this.pc = null;
  }
}

function gathered(pc) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => { if (pc.iceGatheringState === 'complete') resolve(); };
    pc.addEventListener('icegatheringstatechange', done);
    setTimeout(resolve, 5000); // whatever was gathered by then
  });
}

/** Keeps only 127.0.0.1 host candidates: the measurement must not leave the machine. */
function onlyLoopback(sdp, loopbackOnly) {
  if (!loopbackOnly) return sdp;
  return sdp.split('\r\n').filter((l) => !l.startsWith('a=candidate:') || / 127\.0\.0\.1 /.test(l)).join('\r\n');
}
