import { describe, expect, it } from "vitest";
import { TimeMap } from "./localRecording";

describe("TimeMap.span", () => {
  it("finds where the recording shows a stretch of the dance", () => {
    const map = new TimeMap();
    for (let i = 0; i <= 50; i += 1) map.add(10 + i * 0.1, 2 + i * 0.1); // dance 10-15 s at recording 2-7 s
    expect(map.span(11, 12, 0)).toEqual({ fromS: expect.closeTo(3, 5), toS: expect.closeTo(4, 5) });
    expect(map.span(11, 12)?.fromS).toBeCloseTo(2.75, 5);
  });

  it("takes the last pass of a looped section", () => {
    const map = new TimeMap();
    for (let pass = 0; pass < 2; pass += 1) {
      for (let i = 0; i <= 20; i += 1) map.add(4 + i * 0.1, pass * 10 + i * 0.1);
    }
    expect(map.span(5, 5.5, 0)).toEqual({ fromS: expect.closeTo(11, 5), toS: expect.closeTo(11.5, 5) });
  });

  it("is null for a moment that was never recorded", () => {
    const map = new TimeMap();
    map.add(1, 0);
    map.add(1.1, 0.1);
    expect(map.span(30, 31)).toBeNull();
  });
});
