// The coach's line under the videos: the live score as a percentage and the cue, named by the
// count it started on ("On 5: ..."), as a teacher calling it out would. Cues and warnings are
// announced to screen readers as they come (the score, changing every frame, is not).
import { useEffect, useRef } from "react";
import type { Protocol } from "../../api/client";
import type { CountNow } from "../../lib/beatCount";
import { type LiveView, cueLine } from "../../lib/liveView";

export interface CueLine {
  /** The live score in percent, or null before the first scored frame. */
  scorePercent: number | null;
  cueText: string;
}

export function useCueLine(
  live: LiveView,
  countNow: CountNow | null,
  dancing: boolean,
  gradeBands: Protocol["grade_bands"] | null,
  announce: (text: string) => void,
): CueLine {
  // The count when the current cue first arrived (a ref: held while the cue is).
  const cueCount = useRef<{ message: string; count: number | null }>({ message: "", count: null });
  if (live.cue && live.cue.message !== cueCount.current.message) {
    cueCount.current = { message: live.cue.message, count: countNow?.count ?? null };
  }
  const scorePercent = live.score === null ? null : Math.round(live.score * 100);
  const cueText = cueLine(live.cue, cueCount.current.count, dancing, scorePercent, gradeBands);
  // announce is a state setter (stable): only a new cue or warning is announced.
  useEffect(() => {
    if (live.cue) announce(cueText);
  }, [live.cue, cueText]);
  useEffect(() => {
    if (live.warning) announce(live.warning);
  }, [live.warning]);
  return { scorePercent, cueText };
}
