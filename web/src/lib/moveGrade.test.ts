import { describe, expect, it } from "vitest";
import { MOVE_GRADE_HOLD_MS, type MoveMessage, fadesInMs, gradeClass, moveAnnouncement, showMove, visibleMove } from "./moveGrade";

const move = (grade: MoveMessage["grade"], label = "First eight"): MoveMessage => ({
  type: "move",
  label,
  start_s: 0,
  end_s: 4,
  score: 80,
  grade,
  eight: 1,
});

describe("move grade popup", () => {
  it("shows a move's grade, then fades it after the hold", () => {
    const shown = showMove(null, move("Great"), 1000);
    expect(visibleMove(shown, 1000)?.move.grade).toBe("Great");
    expect(visibleMove(shown, 1000 + MOVE_GRADE_HOLD_MS - 1)).not.toBeNull();
    expect(visibleMove(shown, 1000 + MOVE_GRADE_HOLD_MS)).toBeNull();
    expect(fadesInMs(shown, 1200)).toBe(MOVE_GRADE_HOLD_MS - 200);
    expect(fadesInMs(shown, 5000)).toBe(0);
  });

  it("holds about a second and a half", () => {
    expect(MOVE_GRADE_HOLD_MS).toBeGreaterThanOrEqual(1200);
    expect(MOVE_GRADE_HOLD_MS).toBeLessThanOrEqual(2000);
  });

  it("replaces the shown move with the next, restarting the hold, even for the same grade", () => {
    const first = showMove(null, move("Good"), 0);
    const second = showMove(first, move("Good", "Second eight"), 1400);
    expect(second.serial).toBe(first.serial + 1);
    expect(visibleMove(second, 2000)?.move.label).toBe("Second eight");
  });

  it("is announced with the grade first, and styled by grade", () => {
    expect(moveAnnouncement(move("Perfect"))).toBe("Perfect! First eight.");
    expect(gradeClass("OK")).toBe("grade-ok");
    expect(gradeClass("Miss")).toBe("grade-miss");
  });
});
