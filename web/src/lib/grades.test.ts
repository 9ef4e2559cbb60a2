import { describe, expect, it } from "vitest";
import { limbColour } from "./drawing";
import { type GradeBand, gradeOf, reaches } from "./grades";
import { GRADE_BANDS } from "./grades.fixture";
import { cueLine } from "./liveView";

// The same grades with other cut-offs: what the page shows must move with the server's bands.
const STRICTER: GradeBand[] = [
  { grade: "Perfect", min_score: 95 },
  { grade: "Great", min_score: 85 },
  { grade: "Good", min_score: 75 },
  { grade: "OK", min_score: 55 },
  { grade: "Miss", min_score: 0 },
];

describe("gradeOf", () => {
  it("grades a score by the first band it reaches, best first", () => {
    expect(gradeOf(95, GRADE_BANDS)).toBe("Perfect");
    expect(gradeOf(75, GRADE_BANDS)).toBe("Great");
    expect(gradeOf(59.9, GRADE_BANDS)).toBe("OK");
    expect(gradeOf(10, GRADE_BANDS)).toBe("Miss");
    expect(gradeOf(75, STRICTER)).toBe("Good");
  });
  it("knows no grade is reached before the bands have loaded", () => {
    expect(reaches(99, "Good", null)).toBe(false);
    expect(reaches(60, "Good", GRADE_BANDS)).toBe(true);
  });
});

describe("the live page follows the protocol's grade bands", () => {
  it("says 'Looking good' from the Good grade's lowest score on", () => {
    expect(cueLine(null, null, true, 60, GRADE_BANDS)).toMatch(/Looking good/);
    expect(cueLine(null, null, true, 59, GRADE_BANDS)).toMatch(/Follow the reference/);
    expect(cueLine(null, null, true, 70, STRICTER)).toMatch(/Follow the reference/);
    expect(cueLine(null, null, true, 80, STRICTER)).toMatch(/Looking good/);
  });
  it("colours a limb by its grade: green when Great or better, amber when Good or OK, red when a Miss", () => {
    expect(limbColour(0.75, GRADE_BANDS)).toBe("#22c55e");
    expect(limbColour(0.74, GRADE_BANDS)).toBe("#f59e0b");
    expect(limbColour(0.4, GRADE_BANDS)).toBe("#f59e0b");
    expect(limbColour(0.39, GRADE_BANDS)).toBe("#ef4444");
    expect(limbColour(0.8, STRICTER)).toBe("#f59e0b");
    expect(limbColour(0.5, STRICTER)).toBe("#ef4444");
  });
  it("leaves limbs white until the bands have loaded", () => {
    expect(limbColour(0.9, null)).toBe("rgba(255,255,255,0.85)");
  });
});
