import { useProtocol } from "../api/useProtocol";
import { type Grade, type StripItem, gradeClass, layoutStrip } from "../lib/strip";
import "./GradeStrip.css";

interface Props {
  items: readonly StripItem[];
  durationS: number;
  /** What the strip shows, for screen readers ("Your moves by grade"). */
  label: string;
  /** A short name before the strip ("0.5x"), when strips are stacked. */
  rowLabel?: string;
  testId?: string;
}

/**
 * The whole reference as one bar, cut into spans coloured by grade (uncoloured where nothing
 * was danced). Each span is a list item that says its grade in words; a span with a link loops
 * that part in practice on click or Enter.
 */
export function GradeStrip({ items, durationS, label, rowLabel, testId }: Props) {
  const placed = layoutStrip(items, durationS);
  return (
    <div className="grade-strip-row">
      {rowLabel && (
        <span className="grade-strip-row-label" aria-hidden="true">
          {rowLabel}
        </span>
      )}
      <ol className="grade-strip" aria-label={label} data-testid={testId}>
        {placed.map((item) => (
          <li
            key={item.key}
            className={`grade-strip-item ${gradeClass(item.grade)}`}
            style={{ left: `${item.leftPct}%`, width: `${item.widthPct}%` }}
            data-grade={item.grade ?? "none"}
          >
            {item.href ? (
              <a href={item.href} title={item.description} aria-label={item.description}>
                <span aria-hidden="true">{item.label}</span>
              </a>
            ) : (
              <span title={item.description}>
                <span aria-hidden="true">{item.label}</span>
                <span className="visually-hidden">{item.description}</span>
              </span>
            )}
          </li>
        ))}
      </ol>
    </div>
  );
}

/** The strip's colours in words: each grade with its lowest score (from the server's bands). */
export function GradeLegend({ showNotDanced = true, notDancedText = "not danced" }: { showNotDanced?: boolean; notDancedText?: string }) {
  const bands = useProtocol()?.grade_bands ?? [];
  const entries: { grade: Grade | null; text: string }[] = bands.map((band) => ({
    grade: band.grade,
    text: band.grade === "Miss" ? `${band.grade} (below ${bands.at(-2)?.min_score ?? ""})` : `${band.grade} (${band.min_score}+)`,
  }));
  if (showNotDanced) entries.push({ grade: null, text: notDancedText });
  return (
    <ul className="grade-legend" aria-label="Colours">
      {entries.map((entry) => (
        <li key={entry.text}>
          <span className={`grade-swatch ${gradeClass(entry.grade)}`} aria-hidden="true" />
          {entry.text}
        </li>
      ))}
    </ul>
  );
}
