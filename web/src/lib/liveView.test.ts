import { describe, expect, it } from "vitest";
import { CUE_HOLD_MS } from "./liveScore";
import { GRADE_BANDS } from "./grades.fixture";
import { EMPTY_LIVE_VIEW, type FrameResult, afterError, afterFrameResult, cueLine } from "./liveView";

function result(overrides: Partial<FrameResult> = {}): FrameResult {
  return {
    type: "frame_result",
    pose_landmarks: null,
    immediate_errors: [],
    accuracy: 0.8,
    timestamp: 1,
    reference_landmarks: null,
    part_scores: {},
    warning: null,
    dropped_frames: 0,
    processing_ms: 9,
    ...overrides,
  } as FrameResult;
}

describe("afterFrameResult", () => {
  it("smooths the score, counts frames and keeps the server's dropped count", () => {
    let view = afterFrameResult(EMPTY_LIVE_VIEW, result({ accuracy: 0.8 }), 0);
    view = afterFrameResult(view, result({ accuracy: 0.4, dropped_frames: 3 }), 100);
    expect(view.score).toBeCloseTo(0.7);
    expect(view.framesScored).toBe(2);
    expect(view.dropped).toBe(3);
  });

  it("keeps the score through frames without a person and says why", () => {
    const first = afterFrameResult(EMPTY_LIVE_VIEW, result({ accuracy: 0.6 }), 0);
    const texts = { no_person: "No one in the picture: step into the frame." };
    const next = afterFrameResult(first, result({ accuracy: null, warning: "no_person" }), 100, texts);
    expect(next.score).toBeCloseTo(0.6);
    expect(next.warning).toBe(texts.no_person);
  });

  it("holds a cue, then lets it go", () => {
    const cue = { message: "Raise your left arm higher", severity: "major" as const, body_part: "left_arm" };
    const shown = afterFrameResult(EMPTY_LIVE_VIEW, result({ immediate_errors: [cue] as FrameResult["immediate_errors"] }), 0);
    expect(shown.cue?.message).toBe("Raise your left arm higher");
    expect(afterFrameResult(shown, result(), CUE_HOLD_MS - 1).cue?.message).toBe("Raise your left arm higher");
    expect(afterFrameResult(shown, result(), CUE_HOLD_MS + 1).cue).toBeNull();
  });

  it("shows a refused message as the warning", () => {
    expect(afterError(EMPTY_LIVE_VIEW, "The frame is not a JPEG.").warning).toBe("The frame is not a JPEG.");
    expect(afterError(EMPTY_LIVE_VIEW, undefined).warning).toBe("The server refused a frame.");
  });
});

describe("cueLine", () => {
  const cue = { message: "Bend your knees more", severity: "major", shownAt: 0 };
  it("names the count the cue started on, when there is one", () => {
    expect(cueLine(cue, 5, true, 40, GRADE_BANDS)).toBe("On 5: Bend your knees more");
    expect(cueLine(cue, null, true, 40, GRADE_BANDS)).toBe("Bend your knees more");
  });
  it("hints while there is no cue", () => {
    expect(cueLine(null, null, false, null, GRADE_BANDS)).toMatch(/while you dance/);
    expect(cueLine(null, null, true, 75, GRADE_BANDS)).toMatch(/Looking good/);
    expect(cueLine(null, null, true, 50, GRADE_BANDS)).toMatch(/Follow the reference/);
  });
});
