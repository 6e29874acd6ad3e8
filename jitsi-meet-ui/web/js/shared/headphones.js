// The headphones rule for singers, shared by both pages. A singer hears the partner live; through
// speakers the microphone would send the partner's voice back (an echo, or a howl when both do
// it). Echo cancellation cannot replace headphones: it would also damage the singer's own voice,
// which is why the capture policy (audio.js SINGER_MIC_CONSTRAINTS) switches it off.

export const HEADPHONES_REQUIRED_MESSAGE = 'Please put on headphones and tick the box before you sing.';

/**
 * Checks the "I am wearing headphones" box before a singer's microphone opens.
 * @returns null when the person may sing, else an error { code: 'headphones', message }.
 */
export function headphonesProblem(checkbox) {
  if (checkbox && checkbox.checked) return null;
  return { code: 'headphones', message: HEADPHONES_REQUIRED_MESSAGE };
}
