import { describe, expect, it } from "vitest";
import { bodyPartChart } from "./progressChart";

const at = (minute: number) => new Date(Date.UTC(2026, 11, 6, 2, minute)).toISOString();

describe("bodyPartChart", () => {
  it("gives a row per scored attempt and a column per body part, most improved first", () => {
    const chart = bodyPartChart([
      { overall_accuracy: 0.4, per_body_part: { legs: 70, left_arm: 40.4 }, created_at: at(0) },
      { overall_accuracy: null, per_body_part: {}, created_at: at(1) },
      { overall_accuracy: 0.6, per_body_part: { legs: 66, left_arm: 71.6 }, created_at: at(2) },
    ]);
    expect(chart.parts).toEqual(["left_arm", "legs"]);
    expect(chart.rows.map((r) => [r.attempt, r.left_arm, r.legs])).toEqual([
      [1, 40, 70],
      [2, 72, 66],
    ]);
  });

  it("leaves a gap where an attempt did not score a body part", () => {
    const chart = bodyPartChart([
      { overall_accuracy: 0.4, per_body_part: { legs: 70 }, created_at: at(0) },
      { overall_accuracy: 0.5, per_body_part: { legs: 72, head: 50 }, created_at: at(1) },
    ]);
    expect(chart.rows[0].head).toBeNull();
    expect(chart.parts[0]).toBe("legs"); // head has one value: no change to rank it by
  });

  it("is empty without scored attempts", () => {
    expect(bodyPartChart([])).toEqual({ parts: [], rows: [] });
  });
});
