import { describe, expect, it } from "vitest";
import type { Beat } from "./beatCount";
import { eightSpans, gradeClass, layoutStrip, masteredShare, masteryRows, moveItems, withGaps } from "./strip";

/** A steady grid: `eights` eight-counts of 0.5 s beats after a 2-beat pickup at 0 s. */
function grid(eights: number): Beat[] {
  const beats: Beat[] = [
    { time_s: 0, count: 7, eight: 0 },
    { time_s: 0.5, count: 8, eight: 0 },
  ];
  for (let e = 1; e <= eights; e++) {
    for (let c = 1; c <= 8; c++) beats.push({ time_s: 1 + (e - 1) * 4 + (c - 1) * 0.5, count: c, eight: e });
  }
  return beats;
}

describe("layoutStrip", () => {
  const item = (key: string, startS: number, endS: number) => ({ key, startS, endS, grade: null, label: key, description: key });

  it("places spans as percentages of the reference, in time order", () => {
    const placed = layoutStrip([item("b", 5, 10), item("a", 0, 2.5)], 10);
    expect(placed.map((p) => [p.key, p.leftPct, p.widthPct])).toEqual([
      ["a", 0, 25],
      ["b", 50, 50],
    ]);
  });

  it("clips spans to the reference and drops empty ones", () => {
    const placed = layoutStrip([item("over", 8, 14), item("before", -2, 1), item("outside", 11, 12), item("empty", 3, 3)], 10);
    expect(placed.map((p) => [p.key, p.leftPct, p.widthPct])).toEqual([
      ["before", 0, 10],
      ["over", 80, 20],
    ]);
  });

  it("draws nothing on a reference of unknown length", () => {
    expect(layoutStrip([item("a", 0, 1)], 0)).toEqual([]);
  });
});

describe("withGaps", () => {
  const item = (key: string, startS: number, endS: number) => ({ key, startS, endS, grade: "Good" as const, label: key, description: key });

  it("fills what no move covers with not-danced spans, before, between and after", () => {
    const filled = layoutStrip(withGaps([item("b", 6, 8), item("a", 2, 4)], 10, (s, e) => `${s}-${e} not danced`), 10);
    expect(filled.map((p) => [p.startS, p.endS, p.grade, p.description])).toEqual([
      [0, 2, null, "0-2 not danced"],
      [2, 4, "Good", "a"],
      [4, 6, null, "4-6 not danced"],
      [6, 8, "Good", "b"],
      [8, 10, null, "8-10 not danced"],
    ]);
  });

  it("adds nothing where moves touch or overlap, and one span when nothing was danced", () => {
    expect(withGaps([item("a", 0, 5), item("b", 4, 10)], 10, () => "x")).toHaveLength(2);
    expect(withGaps([], 10, () => "x").map((g) => [g.startS, g.endS])).toEqual([[0, 10]]);
  });
});

describe("eightSpans", () => {
  it("runs each eight from its count 1 to the next, leaving out the pickup", () => {
    expect(eightSpans(grid(3), 20)).toEqual([
      { eight: 1, startS: 1, endS: 5 },
      { eight: 2, startS: 5, endS: 9 },
      { eight: 3, startS: 9, endS: 13 },
    ]);
  });

  it("ends the last eight at the end of the reference when the video stops first", () => {
    expect(eightSpans(grid(2), 7).at(-1)).toEqual({ eight: 2, startS: 5, endS: 7 });
  });

  it("has no spans without beats", () => {
    expect(eightSpans([], 10)).toEqual([]);
  });
});

describe("masteryRows", () => {
  const mastery = [
    {
      eight: 2,
      stage: 1,
      best_score: 80,
      mastered: false,
      best_by_rate: [
        { rate: 0.5, best_score: 64.4, grade: "Good" as const },
        { rate: 0.75, best_score: 80, grade: "Great" as const },
      ],
    },
  ];

  it("colours each eight by its best grade at each speed, and says so in words", () => {
    const rows = masteryRows(eightSpans(grid(3), 20), mastery, [0.5, 0.75, 1]);
    expect(rows.map((r) => r.rate)).toEqual([0.5, 0.75, 1]);
    expect(rows[0].items.map((i) => i.grade)).toEqual([null, "Good", null]);
    expect(rows[1].items.map((i) => i.grade)).toEqual([null, "Great", null]);
    expect(rows[2].items.every((i) => i.grade === null)).toBe(true);
    expect(rows[0].items[1].description).toBe("2nd eight at 0.5x: best Good (64)");
    expect(rows[2].items[0].description).toBe("1st eight at 1x: not danced yet");
  });
});

describe("moveItems", () => {
  it("links every move to a loop of its own span", () => {
    const items = moveItems([{ label: "Chorus", start_s: 2, end_s: 6, score: 41.6, grade: "OK" }], (m) => `#/practice/r?start=${m.start_s}&end=${m.end_s}`);
    expect(items[0]).toMatchObject({ grade: "OK", href: "#/practice/r?start=2&end=6", description: "Chorus: OK (42). Loop it in practice." });
  });
});

describe("words", () => {
  it("names the grade's colour class", () => {
    expect(gradeClass("Perfect")).toBe("grade-perfect");
    expect(gradeClass(null)).toBe("grade-none");
  });

  it("says how much of a routine is mastered", () => {
    expect(masteredShare(12, 5)).toBe("5 of 12 eights mastered");
    expect(masteredShare(1, 0)).toBe("0 of 1 eight mastered");
    expect(masteredShare(0, 0)).toBeNull();
  });
});
