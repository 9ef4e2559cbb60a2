import { useEffect, useState } from "react";
import { type RoutineMastery, api } from "../api/client";
import { masteredShare } from "../lib/strip";

/** The signed-in learner's mastery of every ready reference, by id (refetched when the list of
 * ready references changes: `readyIds`, comma-joined). */
export function useRoutineMastery(readyIds: string): Record<string, RoutineMastery> {
  const [mastery, setMastery] = useState<Record<string, RoutineMastery>>({});
  useEffect(() => {
    if (!readyIds) return;
    let cancelled = false;
    api
      .routinesMastery()
      .then((rows) => {
        if (!cancelled) setMastery(Object.fromEntries(rows.map((row) => [row.reference_video_id, row])));
      })
      .catch(() => undefined); // the card reads as before without it
    return () => {
      cancelled = true;
    };
  }, [readyIds]);
  return mastery;
}

/** "5 of 12 eights mastered" (an eight is mastered once it reached Good at 1x); nothing for a
 * reference without beats. */
export function MasteredShare({ mastery }: { mastery: RoutineMastery | undefined }) {
  const text = mastery ? masteredShare(mastery.eights, mastery.mastered) : null;
  if (!text) return null;
  return (
    <>
      {" · "}
      <span data-testid="mastered-share" title="Eight-counts that reached Good at full speed (1x) in Break it down">
        {text}
      </span>
    </>
  );
}
