// The grade of each move as the server sends it (a `move` message as the dance leaves the
// move): shown over the webcam, announced, and faded after MOVE_GRADE_HOLD_MS. Free of React.
import type { components } from "../api/schema";

export type MoveMessage = components["schemas"]["MoveMessage"];

export const MOVE_GRADE_HOLD_MS = 1500;

export interface ShownMove {
  move: MoveMessage;
  shownAt: number;
  /** Increases with every move shown, so the same grade twice in a row shows (and is said) anew. */
  serial: number;
}

/** A new move replaces the one shown. */
export function showMove(previous: ShownMove | null, move: MoveMessage, nowMs: number): ShownMove {
  return { move, shownAt: nowMs, serial: (previous?.serial ?? 0) + 1 };
}

/** The move still shown at nowMs, or null once it has faded. */
export function visibleMove(shown: ShownMove | null, nowMs: number): ShownMove | null {
  return shown && nowMs - shown.shownAt < MOVE_GRADE_HOLD_MS ? shown : null;
}

/** How long until the shown move fades (ms; 0 when it has). */
export function fadesInMs(shown: ShownMove | null, nowMs: number): number {
  return shown ? Math.max(0, shown.shownAt + MOVE_GRADE_HOLD_MS - nowMs) : 0;
}

/** What a screen reader says: "Great! First eight." */
export function moveAnnouncement(move: MoveMessage): string {
  return `${move.grade}! ${move.label}.`;
}

/** The CSS class of a grade ("grade-perfect", ..., "grade-miss"). */
export function gradeClass(grade: string): string {
  return `grade-${grade.toLowerCase()}`;
}
