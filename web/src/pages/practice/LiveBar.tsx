// The bar under the videos while dancing: the count (with music), the live score, the cue, and
// the status line below them.
import type { ReactNode } from "react";
import { type CountNow, eightLabel } from "../../lib/beatCount";
import type { LiveView } from "../../lib/liveView";

interface Props {
  /** The reference has music: its count is shown. */
  withCounts: boolean;
  countNow: CountNow | null;
  scorePercent: number | null;
  cue: LiveView["cue"];
  cueText: string;
  statusLine: ReactNode;
}

export function LiveBar({ withCounts, countNow, scorePercent, cue, cueText, statusLine }: Props) {
  return (
    <div className={`live-bar${withCounts ? " with-counts" : ""}`}>
      {withCounts && (
        <div className="count-display" data-testid="count-display" aria-live="off">
          <span className="count-number" data-count={countNow?.count ?? ""}>
            {countNow?.count ?? "–"}
          </span>
          <span className="count-eight">{countNow ? eightLabel(countNow.eight) : "counts"}</span>
        </div>
      )}
      <div className="live-score" data-testid="live-score">
        <span className="label">Live score</span>
        <span className="value">{scorePercent === null ? "–" : scorePercent}</span>
      </div>
      <div className={`cue ${cue ? cue.severity : ""}`} data-testid="cue">
        {cueText}
      </div>
      {statusLine}
    </div>
  );
}
