import { describe, expect, it } from "vitest";
import { parseRoute, practiceHref } from "./route";

describe("routes", () => {
  it("defaults to the library", () => {
    expect(parseRoute("")).toEqual({ page: "library" });
    expect(parseRoute("#/nonsense")).toEqual({ page: "library" });
  });
  it("round-trips a practice link for one segment", () => {
    const href = practiceHref("abc", 4.5, 8);
    expect(parseRoute(href)).toEqual({ page: "practice", referenceId: "abc", startS: 4.5, endS: 8 });
  });
  it("round-trips a Break-It-Down stage", () => {
    const href = practiceHref("abc", 8, 12, { eight: 3, stage: 1, rate: 0.75 });
    expect(parseRoute(href)).toEqual({
      page: "practice",
      referenceId: "abc",
      startS: 8,
      endS: 12,
      breakdown: { eight: 3, stage: 1, rate: 0.75 },
    });
  });
  it("reads review and progress pages", () => {
    expect(parseRoute("#/review/s1")).toEqual({ page: "review", sessionId: "s1" });
    expect(parseRoute("#/progress/r1")).toEqual({ page: "progress", referenceId: "r1" });
  });
});
