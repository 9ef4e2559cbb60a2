import { useEffect, useState } from "react";
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { type Reference, type ReferenceProgress, api } from "../api/client";
import { useProtocol } from "../api/useProtocol";
import { GradeLegend, GradeStrip } from "../components/GradeStrip";
import { partLabel } from "../lib/bodyParts";
import { formatTime } from "../lib/danceClock";
import { bodyPartChart } from "../lib/progressChart";
import { practiceHref } from "../lib/route";
import { gradeClass, withGaps } from "../lib/strip";

// One colour per body-part line, told apart on the dark panel.
const PART_COLOURS = ["#38bdf8", "#f472b6", "#a3e635", "#fbbf24", "#c084fc", "#2dd4bf", "#fb7185", "#e2e8f0"];

export function ProgressPage({ referenceId }: { referenceId: string }) {
  const [reference, setReference] = useState<Reference | null>(null);
  const [progress, setProgress] = useState<ReferenceProgress | null>(null);
  const [error, setError] = useState<string | null>(null);
  const names = useProtocol()?.body_part_names ?? null;

  useEffect(() => {
    Promise.all([api.reference(referenceId), api.progress(referenceId)])
      .then(([r, p]) => {
        setReference(r);
        setProgress(p);
      })
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, [referenceId]);

  if (error) return <p className="alert" role="alert">{error}</p>;
  if (!reference || !progress) return <p>Loading…</p>;
  const data = progress.attempts.map((a, i) => ({
    attempt: i + 1,
    score: a.overall_accuracy === null ? null : Math.round(a.overall_accuracy * 100),
    when: new Date(a.created_at).toLocaleString(),
  }));
  const changes = Object.entries(progress.body_part_change).sort((a, b) => Number(b[1]) - Number(a[1]));
  const partsChart = bodyPartChart(progress.attempts);
  const bestMoves = progress.best_moves;
  const durationS = reference.duration_s ?? Math.max(1, ...bestMoves.map((m) => m.end_s));
  return (
    <section aria-labelledby="progress-title">
      <h1 id="progress-title">Progress · {reference.name}</h1>
      <div className="summary card">
        <div className="big-score" data-testid="best-score">
          <span className="value">{progress.best_accuracy === null ? "–" : Math.round(progress.best_accuracy * 100)}</span>
          <span className="label">best</span>
        </div>
        <dl className="facts">
          <div>
            <dt>Attempts</dt>
            <dd>{progress.attempts.length}</dd>
          </div>
          <div>
            <dt>Latest</dt>
            <dd>{progress.latest_accuracy === null ? "–" : Math.round(progress.latest_accuracy * 100)}</dd>
          </div>
        </dl>
      </div>
      {data.length === 0 ? (
        <p>No attempts yet. <a href={`#/practice/${referenceId}`}>Practise this routine</a> to start tracking.</p>
      ) : (
        <figure className="card chart" data-testid="progress-chart">
          <figcaption>Score per attempt</figcaption>
          <ResponsiveContainer width="100%" height={240}>
            <LineChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="#334155" />
              <XAxis dataKey="attempt" stroke="#cbd5e1" />
              <YAxis domain={[0, 100]} stroke="#cbd5e1" />
              <Tooltip labelFormatter={(_, payload) => String(payload?.[0]?.payload?.when ?? "")} />
              <Line type="monotone" dataKey="score" stroke="#22c55e" strokeWidth={2} isAnimationActive={false} />
            </LineChart>
          </ResponsiveContainer>
        </figure>
      )}
      {partsChart.rows.length === 1 && <p className="muted">Dance it once more to see how each body part changes from attempt to attempt.</p>}
      {partsChart.rows.length >= 2 && (
        <figure className="card chart" data-testid="parts-progress-chart">
          <figcaption>Each body part per attempt (0-100)</figcaption>
          <ResponsiveContainer width="100%" height={280}>
            <LineChart data={partsChart.rows} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="#334155" />
              <XAxis dataKey="attempt" stroke="#cbd5e1" label={{ value: "attempt", position: "insideBottomRight", offset: -4, fill: "#cbd5e1" }} />
              <YAxis domain={[0, 100]} stroke="#cbd5e1" />
              <Tooltip labelFormatter={(_, payload) => String(payload?.[0]?.payload?.when ?? "")} />
              <Legend />
              {partsChart.parts.map((part, i) => (
                <Line
                  key={part}
                  type="monotone"
                  dataKey={part}
                  name={partLabel(names, part)}
                  stroke={PART_COLOURS[i % PART_COLOURS.length]}
                  strokeWidth={2}
                  connectNulls
                  isAnimationActive={false}
                />
              ))}
            </LineChart>
          </ResponsiveContainer>
        </figure>
      )}
      {bestMoves.length > 0 && (
        <div className="card best-moves-card" data-testid="best-moves">
          <h2>Your best grade on each move</h2>
          <GradeStrip
            items={withGaps(
              bestMoves.map((move, i) => ({
              key: `best-${i}`,
              startS: move.start_s,
              endS: move.end_s,
              grade: move.grade,
              label: move.label,
              description: `${move.label}: best ${move.grade} (${Math.round(move.best_score)}). Loop it in practice.`,
                href: practiceHref(referenceId, move.start_s, move.end_s),
              })),
              durationS,
              (startS, endS) => `${formatTime(startS)}–${formatTime(endS)}: not danced yet`,
            )}
            durationS={durationS}
            label="Your best grade on each move of the reference"
            testId="best-moves-strip"
          />
          <GradeLegend />
          <table className="best-moves">
            <thead>
              <tr>
                <th scope="col">Move</th>
                <th scope="col">When</th>
                <th scope="col">Best grade</th>
                <th scope="col">Best score</th>
                <th scope="col">Danced</th>
              </tr>
            </thead>
            <tbody>
              {bestMoves.map((move, i) => (
                <tr key={i}>
                  <td>
                    <a href={practiceHref(referenceId, move.start_s, move.end_s)}>{move.label}</a>
                  </td>
                  <td>
                    {formatTime(move.start_s)}–{formatTime(move.end_s)}
                  </td>
                  <td>
                    <span className={`grade-swatch ${gradeClass(move.grade)}`} aria-hidden="true" /> {move.grade}
                  </td>
                  <td>{Math.round(move.best_score)}</td>
                  <td>{move.times_danced === 1 ? "once" : `${move.times_danced} times`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {changes.length > 0 && (
        <div className="card">
          <h2>Body parts since your first attempt</h2>
          <ul className="changes">
            {changes.map(([part, change]) => (
              <li key={part} className={Number(change) >= 0 ? "up" : "down"}>
                {partLabel(names, part)}: {Number(change) >= 0 ? "+" : ""}
                {Math.round(Number(change))} points
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
