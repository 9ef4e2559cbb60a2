import { describe, expect, it } from "vitest";
import { nothingMatched, nothingMatchedReasons, nothingMatchedSummary } from "./nothingMatched";

const miss = { grade: "Miss" as const };

describe("nothingMatched", () => {
  it("is a score of 0 with every move a Miss", () => {
    expect(nothingMatched({ overallAccuracy: 0, moves: [miss, miss], framesCompared: 70, framesWithoutPerson: 0 })).toBe(true);
    expect(nothingMatched({ overallAccuracy: null, moves: [], framesCompared: 0, framesWithoutPerson: 40 })).toBe(true);
  });

  it("is not when any move matched or the score is above 0", () => {
    expect(nothingMatched({ overallAccuracy: 0, moves: [miss, { grade: "OK" }], framesCompared: 70, framesWithoutPerson: 0 })).toBe(false);
    expect(nothingMatched({ overallAccuracy: 0.12, moves: [miss], framesCompared: 70, framesWithoutPerson: 0 })).toBe(false);
  });
});

describe("nothingMatchedReasons", () => {
  it("puts the camera first when it never saw the learner", () => {
    const reasons = nothingMatchedReasons({ overallAccuracy: null, moves: [], framesCompared: 0, framesWithoutPerson: 40 });
    expect(reasons[0]).toMatch(/never saw you/);
  });

  it("gives the share of the section the learner was out of view", () => {
    const reasons = nothingMatchedReasons({ overallAccuracy: 0, moves: [miss], framesCompared: 20, framesWithoutPerson: 60 });
    expect(reasons[0]).toMatch(/lost you for 75 %/);
  });

  it("suggests dancing along and the mirror when the camera saw them all along", () => {
    const reasons = nothingMatchedReasons({ overallAccuracy: 0, moves: [miss], framesCompared: 80, framesWithoutPerson: 0 });
    expect(reasons.some((r) => /camera/.test(r))).toBe(false);
    expect(reasons.some((r) => /Mirror/.test(r))).toBe(true);
  });
});

describe("nothingMatchedSummary", () => {
  it("says there was nothing to score when nobody was seen, and a 0 otherwise", () => {
    expect(nothingMatchedSummary({ overallAccuracy: null, moves: [], framesCompared: 0, framesWithoutPerson: 40 })).toMatch(/did not see you/);
    expect(nothingMatchedSummary({ overallAccuracy: 0, moves: [miss], framesCompared: 40, framesWithoutPerson: 0 })).toMatch(/score is 0/);
  });
});
