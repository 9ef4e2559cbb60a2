// The Break-It-Down banner: which eight, which step of the progression at what speed, the score
// that moves on, and the note after a pass to dance again.
import { eightLabel } from "../../lib/beatCount";
import { STAGES } from "../../lib/breakItDown";
import type { Breakdown } from "../../lib/route";

interface Props {
  breakdown: Breakdown;
  goodScore: number | null;
  note: string | null;
}

export function BreakdownBanner({ breakdown, goodScore, note }: Props) {
  return (
    <div className="breakdown" data-testid="breakdown" aria-live="polite">
      <strong>Break it down · {eightLabel(breakdown.eight)}</strong> · step {breakdown.stage + 1} of {STAGES.length}:{" "}
      {STAGES[breakdown.stage]?.span === "chain" ? "with the eights around it" : "this eight alone"} at {breakdown.rate}x
      {goodScore !== null && <> · reach Good ({goodScore}) to move on</>}
      {note && <p className="muted">{note}</p>}
    </div>
  );
}
