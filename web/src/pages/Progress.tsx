import { useEffect, useState } from "react";
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { type Reference, type ReferenceProgress, api } from "../api/client";

export function ProgressPage({ referenceId }: { referenceId: string }) {
  const [reference, setReference] = useState<Reference | null>(null);
  const [progress, setProgress] = useState<ReferenceProgress | null>(null);
  const [error, setError] = useState<string | null>(null);

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
      {changes.length > 0 && (
        <div className="card">
          <h2>Body parts since your first attempt</h2>
          <ul className="changes">
            {changes.map(([part, change]) => (
              <li key={part} className={Number(change) >= 0 ? "up" : "down"}>
                {part.replace(/_/g, " ")}: {Number(change) >= 0 ? "+" : ""}
                {Math.round(Number(change))} points
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
