// Break-It-Down: learn the weakest eight-count slowly, then at speed, then in context. A state
// machine, free of React: the practice page feeds it each attempt's score and plays what it says.
//
// Stages, in order: the eight alone at 0.5x, at 0.75x, at 1x, then chained with the eight
// before and after at 1x. An attempt scoring at least `goodScore` (the Good grade's lowest
// score, from the server's grade bands) passes its stage; otherwise the same stage loops again.
import type { Beat } from "./beatCount";

export interface Stage {
  rate: 0.5 | 0.75 | 1;
  /** The eight alone, or chained with its neighbours. */
  span: "eight" | "chain";
}

export const STAGES: readonly Stage[] = [
  { rate: 0.5, span: "eight" },
  { rate: 0.75, span: "eight" },
  { rate: 1, span: "eight" },
  { rate: 1, span: "chain" },
];

export interface BreakdownState {
  eight: number;
  /** Index into STAGES of the stage being practised; STAGES.length when mastered. */
  stage: number;
  /** Attempts at the current stage so far. */
  attempts: number;
  lastScore: number | null;
}

/** Start on an eight, resuming after the last stage already passed (0: none). */
export function startBreakdown(eight: number, stagesPassed = 0): BreakdownState {
  return { eight, stage: Math.min(Math.max(stagesPassed, 0), STAGES.length), attempts: 0, lastScore: null };
}

export function isMastered(state: BreakdownState): boolean {
  return state.stage >= STAGES.length;
}

export function currentStage(state: BreakdownState): Stage | null {
  return STAGES[state.stage] ?? null;
}

/** The state after an attempt scored `score` (0-100): the next stage when it reached Good. */
export function afterAttempt(state: BreakdownState, score: number, goodScore: number): BreakdownState {
  if (isMastered(state)) return state;
  if (score >= goodScore) return { eight: state.eight, stage: state.stage + 1, attempts: 0, lastScore: score };
  return { ...state, attempts: state.attempts + 1, lastScore: score };
}

/** Reference seconds where eight `eight` starts: its count 1 (null if it has none). */
function eightStart(beats: readonly Beat[], eight: number): number | null {
  return beats.find((b) => b.eight === eight && b.count === 1)?.time_s ?? null;
}

/** What to loop for a stage: the eight alone, or from the eight before to the end of the one after. */
export function stageSpan(
  beats: readonly Beat[],
  eight: number,
  span: Stage["span"],
  durationS: number,
): { startS: number; endS: number } | null {
  const start = eightStart(beats, eight);
  if (start === null) return null;
  const first = span === "chain" ? (eightStart(beats, eight - 1) ?? start) : start;
  const lastEight = span === "chain" ? eight + 1 : eight;
  const end = eightStart(beats, lastEight + 1) ?? durationS;
  return { startS: first, endS: Math.min(end, durationS) };
}

/**
 * The weakest eight of a scored stretch: the lowest mean score over the timeline points (one a
 * second of reference time) inside each eight; null without beats or scores.
 */
export function weakestEight(timeline: readonly { time_s: number; score: number }[], beats: readonly Beat[]): number | null {
  const sums = new Map<number, { total: number; count: number }>();
  for (const point of timeline) {
    let index = -1;
    for (let i = 0; i < beats.length && beats[i].time_s <= point.time_s + 0.5; i++) index = i;
    if (index < 0 || beats[index].eight < 1) continue;
    const entry = sums.get(beats[index].eight) ?? { total: 0, count: 0 };
    entry.total += point.score;
    entry.count += 1;
    sums.set(beats[index].eight, entry);
  }
  let weakest: number | null = null;
  let lowest = Infinity;
  for (const [eight, { total, count }] of sums) {
    if (total / count < lowest) {
      lowest = total / count;
      weakest = eight;
    }
  }
  return weakest;
}
