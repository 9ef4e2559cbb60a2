import { describe, expect, it } from "vitest";
import { GRADE_BANDS } from "./grades.fixture";
import { containRect, isVisible, limbColour, toCanvas } from "./drawing";

describe("containRect", () => {
  it("letterboxes a 16:9 video in a square box", () => {
    const rect = containRect(1280, 720, 400, 400);
    expect(rect.width).toBe(400);
    expect(rect.height).toBeCloseTo(225);
    expect(rect.top).toBeCloseTo(87.5);
    expect(rect.left).toBe(0);
  });
  it("pillarboxes a portrait video in a wide box", () => {
    const rect = containRect(720, 1280, 1280, 720);
    expect(rect.height).toBe(720);
    expect(rect.left).toBeCloseTo((1280 - 405) / 2);
  });
});

describe("toCanvas", () => {
  const rect = { left: 10, top: 20, width: 200, height: 100 };
  it("maps normalized coordinates into the drawn picture", () => {
    expect(toCanvas({ x: 0.25, y: 0.5 }, rect, false)).toEqual({ x: 60, y: 70 });
  });
  it("flips x for a mirrored picture so the overlay stays on the body", () => {
    expect(toCanvas({ x: 0.25, y: 0.5 }, rect, true)).toEqual({ x: 160, y: 70 });
  });
});

describe("limbColour and visibility", () => {
  it("goes from green to red as the score drops", () => {
    expect(limbColour(0.9, GRADE_BANDS)).toBe("#22c55e");
    expect(limbColour(0.5, GRADE_BANDS)).toBe("#f59e0b");
    expect(limbColour(0.1, GRADE_BANDS)).toBe("#ef4444");
  });
  it("does not draw hidden or out-of-frame points", () => {
    expect(isVisible({ x: 0.5, y: 0.5, z: 0, visibility: 0.9 })).toBe(true);
    expect(isVisible({ x: 0.5, y: 0.5, z: 0, visibility: 0.2 })).toBe(false);
    expect(isVisible({ x: 1.4, y: 0.5, z: 0, visibility: 0.9 })).toBe(false);
  });
});
