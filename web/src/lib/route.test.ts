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
  it("reads review and progress pages", () => {
    expect(parseRoute("#/review/s1")).toEqual({ page: "review", sessionId: "s1" });
    expect(parseRoute("#/progress/r1")).toEqual({ page: "progress", referenceId: "r1" });
  });
});
