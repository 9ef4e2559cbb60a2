// The grade of the move just danced, over the webcam until it fades; screen readers hear it as
// one sentence rather than the big letter and the label.
import { MOVE_GRADE_HOLD_MS, type ShownMove, gradeClass, moveAnnouncement } from "../../lib/moveGrade";

export function MoveGrade({ shownMove }: { shownMove: ShownMove | null }) {
  return (
    <div className="move-grade-slot" aria-live="polite" aria-atomic="true">
      {shownMove && (
        <div
          key={shownMove.serial}
          className={`move-grade ${gradeClass(shownMove.move.grade)}`}
          style={{ animationDuration: `${MOVE_GRADE_HOLD_MS}ms` }}
          data-testid="move-grade"
          data-grade={shownMove.move.grade}
        >
          <span className="visually-hidden">{moveAnnouncement(shownMove.move)}</span>
          <span aria-hidden="true">{shownMove.move.grade}</span>
          <small aria-hidden="true">{shownMove.move.label}</small>
        </div>
      )}
    </div>
  );
}
