import { describe, expect, it } from "vitest";
import { CUE_HOLD_MS, currentCue, smoothScore, warningText } from "./liveScore";

describe("live score", () => {
  it("moves towards new accuracies and ignores frames without a person", () => {
    let score = smoothScore(null, 0.8);
    expect(score).toBe(0.8);
    score = smoothScore(score, 0.4);
    expect(score).toBeCloseTo(0.7);
    expect(smoothScore(score, null)).toBeCloseTo(0.7);
  });
});

describe("cues", () => {
  it("holds a cue long enough to read, then clears it", () => {
    const cue = currentCue(null, [{ message: "Raise your left arm higher", severity: "major" }], 1000);
    expect(cue?.message).toBe("Raise your left arm higher");
    expect(currentCue(cue, [], 1000 + CUE_HOLD_MS - 1)).toBe(cue);
    expect(currentCue(cue, [], 1000 + CUE_HOLD_MS + 1)).toBeNull();
  });
  it("explains warnings in the server's words, readable before they load", () => {
    const texts = { no_person: "No one in the picture: step into the frame." };
    expect(warningText("no_person", texts)).toBe("No one in the picture: step into the frame.");
    expect(warningText("low_confidence", texts)).toBe("low confidence");
    expect(warningText("no_person")).toBe("no person");
    expect(warningText(null, texts)).toBeNull();
  });
});
