// For tests: GET /api/protocol's grade_bands as the server sends them today (from
// scoring/judgement.py GRADE_BANDS). The page itself always uses the protocol's.
import type { GradeBand } from "./grades";

export const GRADE_BANDS: readonly GradeBand[] = [
  { grade: "Perfect", min_score: 90 },
  { grade: "Great", min_score: 75 },
  { grade: "Good", min_score: 60 },
  { grade: "OK", min_score: 40 },
  { grade: "Miss", min_score: 0 },
];
