import { describe, expect, it } from "vitest";
import type { Beat } from "./beatCount";
import { STAGES, afterAttempt, currentStage, isMastered, stageSpan, startBreakdown, weakestEight } from "./breakItDown";

const GOOD = 60;
// 120 BPM from 0 s, count 1 on the first beat: eight n runs from 4(n-1) to 4n seconds.
const beats: Beat[] = Array.from({ length: 48 }, (_, i) => ({ time_s: 0.5 * i, count: (i % 8) + 1, eight: Math.floor(i / 8) + 1 }));

describe("break it down", () => {
  it("loops at 0.5x until the eight reaches Good, then 0.75x, 1x, then chains it", () => {
    let state = startBreakdown(3);
    expect(currentStage(state)).toEqual({ rate: 0.5, span: "eight" });
    state = afterAttempt(state, 45, GOOD);
    state = afterAttempt(state, 59.9, GOOD);
    expect(currentStage(state)?.rate).toBe(0.5);
    expect(state.attempts).toBe(2);
    const seen = [currentStage(state)];
    for (let i = 0; i < STAGES.length; i++) {
      state = afterAttempt(state, GOOD, GOOD);
      if (!isMastered(state)) seen.push(currentStage(state));
    }
    expect(seen).toEqual([
      { rate: 0.5, span: "eight" },
      { rate: 0.75, span: "eight" },
      { rate: 1, span: "eight" },
      { rate: 1, span: "chain" },
    ]);
    expect(isMastered(state)).toBe(true);
    expect(afterAttempt(state, 10, GOOD)).toBe(state);
  });

  it("resumes after the stages already passed", () => {
    expect(currentStage(startBreakdown(2, 2))).toEqual({ rate: 1, span: "eight" });
    expect(isMastered(startBreakdown(2, 9))).toBe(true);
  });

  it("loops the eight alone, then with the eight before and after", () => {
    expect(stageSpan(beats, 3, "eight", 24)).toEqual({ startS: 8, endS: 12 });
    expect(stageSpan(beats, 3, "chain", 24)).toEqual({ startS: 4, endS: 16 });
    // The first and the last eight have only one neighbour.
    expect(stageSpan(beats, 1, "chain", 24)).toEqual({ startS: 0, endS: 8 });
    expect(stageSpan(beats, 6, "chain", 23.5)).toEqual({ startS: 16, endS: 23.5 });
    expect(stageSpan(beats, 9, "eight", 24)).toBeNull();
  });

  it("picks the eight with the lowest score", () => {
    const timeline = Array.from({ length: 24 }, (_, t) => ({ time_s: t, score: t >= 12 && t < 16 ? 30 : 80 }));
    expect(weakestEight(timeline, beats)).toBe(4);
    expect(weakestEight(timeline, [])).toBeNull();
    expect(weakestEight([], beats)).toBeNull();
  });
});
