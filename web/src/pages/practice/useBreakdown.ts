// Break-It-Down's state on the practice page: the Good grade's lowest score (from the server's
// grade bands) that a pass must reach, the progression fed each pass's score, and the note
// shown when a pass must be danced again. The pass itself is scored in usePracticeRun.
import { type MutableRefObject, useEffect, useRef, useState } from "react";
import { api } from "../../api/client";
import { type BreakdownState, startBreakdown } from "../../lib/breakItDown";
import type { Breakdown } from "../../lib/route";

export interface BreakdownView {
  /** The score a pass needs to move on (null until the grade bands have loaded). */
  goodScore: number | null;
  note: string | null;
  setNote(note: string | null): void;
  /** A ref: the scorer updates it between passes without a re-render. */
  progression: MutableRefObject<BreakdownState | null>;
}

export function useBreakdown(breakdown: Breakdown | null, setError: (error: string | null) => void): BreakdownView {
  const [goodScore, setGoodScore] = useState<number | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const progression = useRef(breakdown ? startBreakdown(breakdown.eight, breakdown.stage) : null);
  useEffect(() => {
    if (!breakdown) return;
    api
      .protocol()
      .then((p) => setGoodScore(p.grade_bands.find((band) => band.grade === "Good")?.min_score ?? null))
      .catch(() => setError("Could not load the grade bands from the server."));
  }, [breakdown]);
  return { goodScore, note, setNote, progression };
}
