// The grade of a 0-100 score, by the server's grade bands (GET /api/protocol `grade_bands`,
// from scoring/judgement.py): the page never retypes a score cut-off of its own.
import type { components } from "../api/schema";
import type { Grade } from "./strip";

export type GradeBand = components["schemas"]["GradeBandPublic"];

/** The grade of a 0-100 score: the first band (best first) whose lowest score it reaches. */
export function gradeOf(score: number, bands: readonly GradeBand[]): Grade {
  return bands.find((band) => score >= band.min_score)?.grade ?? "Miss";
}

/** Whether a 0-100 score reaches `grade` or better (false while the bands are unknown). */
export function reaches(score: number, grade: Grade, bands: readonly GradeBand[] | null): boolean {
  const lowest = bands?.find((band) => band.grade === grade)?.min_score;
  return lowest !== undefined && score >= lowest;
}
