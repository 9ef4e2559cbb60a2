// A strip of the whole reference, cut into spans coloured by grade: the review's moves and the
// mastery of each eight-count. Pure layout, free of React, so it is tested without a browser.
// Times are reference seconds; positions are percentages of the reference's length.
import type { components } from "../api/schema";
import { type Beat, eightLabel } from "./beatCount";

export type Grade = components["schemas"]["GradeBandPublic"]["grade"];
type Move = components["schemas"]["MovePublic"];
type EightMastery = components["schemas"]["EightMasteryPublic"];

export interface StripItem {
  key: string;
  startS: number;
  endS: number;
  /** null: not danced (yet). */
  grade: Grade | null;
  /** Short text drawn inside the span when it fits ("3", "Chorus"). */
  label: string;
  /** The whole sentence for screen readers and the tooltip. */
  description: string;
  /** Where activating the span goes (a practice loop of it), if anywhere. */
  href?: string;
}

export interface PlacedItem extends StripItem {
  leftPct: number;
  widthPct: number;
}

/** Items placed on a strip of `durationS` seconds: clipped to it, empty ones dropped, in time order. */
export function layoutStrip(items: readonly StripItem[], durationS: number): PlacedItem[] {
  if (!(durationS > 0)) return [];
  return items
    .map((item) => ({ ...item, startS: Math.max(0, item.startS), endS: Math.min(durationS, item.endS) }))
    .filter((item) => item.endS > item.startS)
    .sort((a, b) => a.startS - b.startS || a.endS - b.endS)
    .map((item) => ({
      ...item,
      leftPct: (item.startS / durationS) * 100,
      widthPct: ((item.endS - item.startS) / durationS) * 100,
    }));
}

/** The stretches no item covers, as "not danced" items, so the strip reads as the whole
 * reference (items in time order or not; overlaps allowed). */
export function withGaps(items: readonly StripItem[], durationS: number, describe: (startS: number, endS: number) => string): StripItem[] {
  const sorted = [...items].sort((a, b) => a.startS - b.startS);
  const gaps: StripItem[] = [];
  let reached = 0;
  for (const item of sorted) {
    if (item.startS > reached + 0.05) gaps.push(gap(reached, item.startS));
    reached = Math.max(reached, item.endS);
  }
  if (durationS > reached + 0.05) gaps.push(gap(reached, durationS));
  return [...items, ...gaps];

  function gap(startS: number, endS: number): StripItem {
    return { key: `gap-${startS.toFixed(2)}`, startS, endS, grade: null, label: "", description: describe(startS, endS) };
  }
}

/** CSS class of a grade's colour ("grade-perfect", ..., "grade-none" when not danced). */
export function gradeClass(grade: Grade | null): string {
  return `grade-${grade === null ? "none" : grade.toLowerCase()}`;
}

function scoreText(score: number): string {
  return String(Math.round(score));
}

/** The review's moves as strip items; each links to a practice loop of itself via `hrefOf`. */
export function moveItems(moves: readonly Move[], hrefOf: (move: Move) => string): StripItem[] {
  return moves.map((move, i) => ({
    key: `move-${i}`,
    startS: move.start_s,
    endS: move.end_s,
    grade: move.grade,
    label: move.label,
    description: `${move.label}: ${move.grade} (${scoreText(move.score)}). Loop it in practice.`,
    href: hrefOf(move),
  }));
}

export interface EightSpan {
  eight: number;
  startS: number;
  endS: number;
}

/** Each eight-count's span: from its count 1 to the next eight's (the last one ends a beat
 * after its last beat, within the reference). The pickup before the first count 1 is left out. */
export function eightSpans(beats: readonly Beat[], durationS: number): EightSpan[] {
  const spans: EightSpan[] = [];
  for (let i = 0; i < beats.length; i++) {
    const beat = beats[i];
    if (beat.count !== 1 || beat.eight < 1) continue;
    const next = beats.findIndex((b, j) => j > i && b.count === 1);
    let end: number;
    if (next >= 0) end = beats[next].time_s;
    else {
      const last = beats[beats.length - 1];
      const period = beats.length > 1 ? (last.time_s - beats[0].time_s) / (beats.length - 1) : 0;
      end = last.time_s + period;
    }
    spans.push({ eight: beat.eight, startS: beat.time_s, endS: Math.min(end, durationS) });
  }
  return spans;
}

/** One row of the mastery strip per playback rate: every eight, coloured by its best grade at
 * that rate (null where it was not danced at that rate). */
export function masteryRows(
  spans: readonly EightSpan[],
  mastery: readonly EightMastery[],
  rates: readonly number[],
): { rate: number; items: StripItem[] }[] {
  const byEight = new Map(mastery.map((m) => [m.eight, m]));
  return rates.map((rate) => ({
    rate,
    items: spans.map((span) => {
      const best = byEight.get(span.eight)?.best_by_rate.find((b) => b.rate === rate) ?? null;
      const name = eightLabel(span.eight);
      return {
        key: `eight-${span.eight}-${rate}`,
        startS: span.startS,
        endS: span.endS,
        grade: best?.grade ?? null,
        label: String(span.eight),
        description: best
          ? `${name} at ${rate}x: best ${best.grade} (${scoreText(best.best_score)})`
          : `${name} at ${rate}x: not danced yet`,
      };
    }),
  }));
}

/** How much of a routine is mastered, in words ("5 of 12 eights mastered"); null without eights. */
export function masteredShare(eights: number, mastered: number): string | null {
  if (eights <= 0) return null;
  return `${mastered} of ${eights} ${eights === 1 ? "eight" : "eights"} mastered`;
}
