// A review where nothing matched (a score of 0, every move a Miss) says why it may have
// happened rather than showing empty charts. Pure, so it is tested without a browser.
import type { Grade } from "./strip";

export interface MatchFacts {
  overallAccuracy: number | null;
  moves: readonly { grade: Grade }[];
  framesCompared: number;
  framesWithoutPerson: number;
}

/** Whether nothing the learner danced matched: a score of 0 (or none) and no move above Miss. */
export function nothingMatched(facts: MatchFacts): boolean {
  const score = facts.overallAccuracy === null ? 0 : Math.round(facts.overallAccuracy * 100);
  return score === 0 && facts.moves.every((move) => move.grade === "Miss");
}

/** What happened, in one sentence. */
export function nothingMatchedSummary(facts: MatchFacts): string {
  if (facts.framesCompared === 0) return "The camera did not see you during this section, so there was nothing to score.";
  return "Your score is 0 and every move is a Miss: no part of your dance looked like this section.";
}

/** The likeliest reasons, most likely first, in the learner's words. */
export function nothingMatchedReasons(facts: MatchFacts): string[] {
  const seen = facts.framesCompared + facts.framesWithoutPerson;
  const reasons: string[] = [];
  if (seen === 0 || facts.framesCompared === 0) {
    reasons.push("The camera never saw you: stand back so your whole body is in the picture, in good light.");
  } else if (facts.framesWithoutPerson >= facts.framesCompared) {
    reasons.push(
      `The camera lost you for ${Math.round((100 * facts.framesWithoutPerson) / seen)} % of the section: stand back so your whole body stays in the picture.`,
    );
  }
  reasons.push("Dance this section with the reference: start when the countdown ends and follow its moves as they play.");
  reasons.push("Standing still or dancing another routine scores 0: a score above 0 means part of your dance matched.");
  reasons.push("Check the Mirror setting: on (the default) you copy the flipped reference as in a mirror; off, you mirror the dancer yourself.");
  return reasons;
}
