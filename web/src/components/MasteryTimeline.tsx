import type { Beats, EightMastery } from "../api/client";
import { STAGES } from "../lib/breakItDown";
import { eightSpans, masteredShare, masteryRows } from "../lib/strip";
import { GradeLegend, GradeStrip } from "./GradeStrip";

// Break-It-Down's speeds, slowest first: one row of the timeline each.
const RATES = [...new Set(STAGES.filter((stage) => stage.span === "eight").map((stage) => stage.rate))].sort((a, b) => a - b);

/** Each eight-count of the reference on its timeline, coloured by the learner's best grade at
 * every Break-It-Down speed, with how many eights are mastered (Good at 1x). Hidden without beats. */
export function MasteryTimeline({ beats, mastery, durationS }: { beats: Beats["beats"]; mastery: readonly EightMastery[]; durationS: number }) {
  const spans = eightSpans(beats, durationS);
  if (spans.length === 0) return null;
  const eights = new Set(spans.map((span) => span.eight));
  const mastered = mastery.filter((m) => m.mastered && eights.has(m.eight)).length;
  return (
    <section className="card mastery" data-testid="mastery-timeline" aria-labelledby="mastery-title">
      <h2 id="mastery-title">
        Your eights · <span data-testid="mastered-share">{masteredShare(spans.length, mastered)}</span>
      </h2>
      <p className="muted small">
        The best grade of each eight-count at each Break-it-down speed. An eight is mastered once it reaches Good at 1x.
      </p>
      {masteryRows(spans, mastery, RATES).map((row) => (
        <GradeStrip
          key={row.rate}
          items={row.items}
          durationS={durationS}
          rowLabel={`${row.rate}x`}
          label={`Best grade of each eight at ${row.rate}x`}
          testId={`mastery-strip-${row.rate}`}
        />
      ))}
      <GradeLegend notDancedText="not danced at that speed yet" />
    </section>
  );
}
