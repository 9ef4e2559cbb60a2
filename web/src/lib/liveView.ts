// What the practice page shows from the server's per-frame replies: the smoothed live score,
// the cue being held, the warning, and the running frame counts. A reducer, free of React.
import type { components } from "../api/schema";
import { type GradeBand, reaches } from "./grades";
import { type Cue, currentCue, smoothScore, warningText } from "./liveScore";

export type FrameResult = components["schemas"]["FrameResult"];

export interface LiveView {
  score: number | null;
  cue: Cue | null;
  warning: string | null;
  framesScored: number;
  dropped: number;
}

export const EMPTY_LIVE_VIEW: LiveView = { score: null, cue: null, warning: null, framesScored: 0, dropped: 0 };

/** warningTexts: the server's words for warning codes (GET /api/protocol), null until loaded. */
export function afterFrameResult(
  view: LiveView,
  result: FrameResult,
  nowMs: number,
  warningTexts: Readonly<Record<string, string>> | null = null,
): LiveView {
  return {
    score: smoothScore(view.score, result.accuracy),
    cue: currentCue(view.cue, result.immediate_errors, nowMs),
    warning: warningText(result.warning, warningTexts),
    framesScored: view.framesScored + 1,
    dropped: result.dropped_frames,
  };
}

/** A refused message (an `error` reply) shows as the warning; the rest stays. */
export function afterError(view: LiveView, message: unknown): LiveView {
  return { ...view, warning: typeof message === "string" && message ? message : "The server refused a frame." };
}

/**
 * The cue line under the score: the held cue (with the count it started on), else a hint:
 * "Looking good" once the score reaches the Good grade of the server's bands (GET /api/protocol).
 */
export function cueLine(
  cue: Cue | null,
  cueCount: number | null,
  dancing: boolean,
  scorePercent: number | null,
  gradeBands: readonly GradeBand[] | null,
): string {
  if (cue) return cueCount !== null ? `On ${cueCount}: ${cue.message}` : cue.message;
  if (!dancing) return "Cues appear here while you dance";
  return scorePercent !== null && reaches(scorePercent, "Good", gradeBands)
    ? "Looking good, keep going"
    : "Follow the reference: watch its arms and legs";
}
