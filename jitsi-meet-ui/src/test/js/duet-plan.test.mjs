// node --test: the names shared by duet-session.js and the page (js/jitsi/duet-plan.js), and the
// plan a page applies for each role (duet-session.js planFor) seen from the whole room.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { audioSourceOf, METADATA_KEY, SINGER_MIX, LISTENER_MIX } from '../../../web/js/jitsi/duet-plan.js';
import { makeDuetState, planFor } from '../../../web/js/jitsi/duet-session.js';

test('source names are lib-jitsi-meet\'s, mix names are the contract\'s', () => {
  assert.equal(audioSourceOf('12ab34cd'), '12ab34cd-a0');
  assert.deepEqual([METADATA_KEY, SINGER_MIX, LISTENER_MIX], ['duet', 'duet', 'duetmix']);
});

test('across a room, nobody ever subscribes to a mix that contains their own voice', () => {
  const a = 'aaaa1111'; const b = 'bbbb2222'; const listeners = ['cccc3333', 'dddd4444'];
  const s = makeDuetState({ active: true, a, b, updatedBy: a, now: 1 });
  const plans = Object.fromEntries([a, b, ...listeners].map((id) => [id, planFor(s, id)]));
  // singer X's ear is <partner>-a0.duet: the partner's voice, never X's
  assert.deepEqual(plans[a].include, [audioSourceOf(b) + '.duet']);
  assert.deepEqual(plans[b].include, [audioSourceOf(a) + '.duet']);
  for (const id of [a, b]) assert.ok(!plans[id].include.some((n) => n.startsWith(id)));
  // every listener asks for the same single aligned mix, so the bridge exports once
  const mixes = new Set(listeners.map((id) => plans[id].include.join()));
  assert.deepEqual([...mixes], [audioSourceOf(a) + '.duetmix']);
  // the requests name exactly the sources whose synthetic outputs are included
  for (const p of Object.values(plans)) {
    assert.deepEqual(Object.entries(p.requests).map(([ep, n]) => audioSourceOf(ep) + '.' + n), p.include);
  }
});
