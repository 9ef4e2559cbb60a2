import { Bar, BarChart, CartesianGrid, Line, LineChart, ReferenceArea, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { Analytics, FeedbackItem, ProblemSegment } from "../api/client";
import { useProtocol } from "../api/useProtocol";
import { CameraDelayFact } from "./CameraDelayFact";
import { partLabel, partName } from "../lib/bodyParts";
import { formatTime } from "../lib/danceClock";
import type { LocalRecording } from "../lib/localRecording";
import { nothingMatched, nothingMatchedReasons, nothingMatchedSummary } from "../lib/nothingMatched";
import { practiceHref } from "../lib/route";
import { gradeClass, moveItems, withGaps } from "../lib/strip";
import { GradeLegend, GradeStrip } from "./GradeStrip";
import { LocalReplay } from "./LocalReplay";

interface Props {
  referenceId: string;
  referenceVideoUrl: string;
  /** The reference's length (s): the move strip shows all of it. */
  referenceDurationS: number;
  overallAccuracy: number | null;
  analytics: Analytics | null;
  segments: ProblemSegment[];
  feedback: FeedbackItem[];
  /** Browser pose mode: the webcam recording kept in this page, replays are cut from it. */
  recording?: LocalRecording | null;
}

export function ReportView({
  referenceId,
  referenceVideoUrl,
  referenceDurationS,
  overallAccuracy,
  analytics,
  segments,
  feedback,
  recording = null,
}: Props) {
  const overall = overallAccuracy === null ? null : Math.round(overallAccuracy * 100);
  const names = useProtocol()?.body_part_names ?? null;
  const parts = Object.entries(analytics?.per_body_part ?? {}).map(([part, value]) => ({ part: partLabel(names, part), score: Math.round(Number(value)) }));
  const timeline = (analytics?.timeline ?? []).map((p) => ({ time: p.time_s, score: p.score }));
  const lag = analytics?.lag_ms ?? 0;
  const moves = analytics?.moves ?? [];
  const matchFacts = {
    overallAccuracy,
    moves,
    framesCompared: analytics?.frames_compared ?? 0,
    framesWithoutPerson: analytics?.frames_without_person ?? 0,
  };
  const unmatched = nothingMatched(matchFacts);
  return (
    <div className="report">
      <div className="summary card">
        <div className="big-score" data-testid="overall-score">
          <span className="value">{overall ?? "–"}</span>
          <span className="label">{analytics ? analytics.grade : "overall"}</span>
        </div>
        <dl className="facts">
          <div>
            <dt>Moves</dt>
            <dd data-testid="grade-counts">
              {analytics && moves.length > 0 ? (
                <ul className="grade-counts">
                  {Object.entries(analytics.grade_counts).map(([grade, count]) => (
                    <li key={grade} className={count === 0 ? "muted" : undefined}>
                      <span className={`grade-swatch ${gradeClass(grade as (typeof moves)[number]["grade"])}`} aria-hidden="true" /> {count} {grade}
                    </li>
                  ))}
                </ul>
              ) : analytics ? (
                "none scored"
              ) : (
                "–"
              )}
            </dd>
          </div>
          <div>
            <dt>Timing</dt>
            <dd>{!analytics || analytics.timing === "on time" ? "On the beat" : `${Math.round(Math.abs(lag))} ms ${analytics.timing}`}</dd>
          </div>
          <CameraDelayFact analytics={analytics} />
          <div>
            <dt>Trend</dt>
            <dd>{analytics?.trend.direction ?? "–"}</dd>
          </div>
          <div>
            <dt>Best move</dt>
            <dd>{analytics?.best_move ?? "–"}</dd>
          </div>
          <div>
            <dt>Hardest move</dt>
            <dd>{analytics?.hardest_move ?? "–"}</dd>
          </div>
          <div>
            <dt>Frames</dt>
            <dd>
              {analytics?.frames_compared ?? 0} scored · {analytics?.frames_without_person ?? 0} without you in view
            </dd>
          </div>
        </dl>
      </div>
      {moves.length > 0 && (
        <figure className="card moves-strip" data-testid="moves-strip-card">
          <figcaption>Every move by grade · click one (or Enter) to loop it in practice</figcaption>
          <GradeStrip
            items={withGaps(
              moveItems(moves, (move) => practiceHref(referenceId, move.start_s, move.end_s)),
              referenceDurationS,
              (startS, endS) => `${formatTime(startS)}–${formatTime(endS)}: not danced in this section`,
            )}
            durationS={referenceDurationS}
            label="Your moves on the whole reference, by grade"
            testId="moves-strip"
          />
          <GradeLegend />
        </figure>
      )}
      {unmatched ? (
        <div className="card nothing-matched" role="status" data-testid="nothing-matched">
          <h2>Nothing you danced matched the reference</h2>
          <p>{nothingMatchedSummary(matchFacts)} That is usually one of these:</p>
          <ul>
            {nothingMatchedReasons(matchFacts).map((reason) => (
              <li key={reason}>{reason}</li>
            ))}
          </ul>
        </div>
      ) : (
      <div className="charts">
        <figure className="card chart" data-testid="timeline-chart">
          <figcaption>Score over time</figcaption>
          <ResponsiveContainer width="100%" height={220}>
            <LineChart data={timeline} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="#334155" />
              <XAxis dataKey="time" tickFormatter={(t: number) => formatTime(t)} stroke="#cbd5e1" />
              <YAxis domain={[0, 100]} stroke="#cbd5e1" />
              <Tooltip formatter={(v) => `${v}`} labelFormatter={(t) => formatTime(Number(t))} />
              {segments.map((s, i) => (
                <ReferenceArea key={i} x1={s.start_time} x2={s.end_time} fill="#ef4444" fillOpacity={0.15} />
              ))}
              <Line type="monotone" dataKey="score" stroke="#a78bfa" strokeWidth={2} dot={false} isAnimationActive={false} />
            </LineChart>
          </ResponsiveContainer>
        </figure>
        <figure className="card chart" data-testid="parts-chart">
          <figcaption>By body part</figcaption>
          <ResponsiveContainer width="100%" height={220}>
            <BarChart data={parts} layout="vertical" margin={{ top: 8, right: 16, bottom: 8, left: 24 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="#334155" />
              <XAxis type="number" domain={[0, 100]} stroke="#cbd5e1" />
              <YAxis type="category" dataKey="part" width={80} stroke="#cbd5e1" />
              <Tooltip />
              <Bar dataKey="score" fill="#38bdf8" isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        </figure>
      </div>
      )}
      {(feedback.length > 0 || !unmatched) && <h2>Coaching</h2>}
      <ul className="feedback-list" data-testid="feedback">
        {feedback.map((item, i) => (
          <li key={i} className={`card feedback ${item.severity}`}>
            <h3>
              {formatTime(item.timestamp)} · {item.title}
            </h3>
            <p>{item.feedback}</p>
            <p className="muted small">
              {item.body_parts.map((part) => partName(names, part)).join(", ")} · {item.source === "llm" ? "AI coach" : "coach notes"}
            </p>
          </li>
        ))}
      </ul>
      {(segments.length > 0 || !unmatched) && <h2>Problem moments</h2>}
      {segments.length === 0 && !unmatched && <p>No problem moments: nicely done.</p>}
      <ul className="segments" data-testid="segments">
        {segments.map((segment, i) => (
          <li key={i} className="card segment">
            <h3>
              {segment.title} <span className="muted">score {Math.round(segment.score)}</span>
            </h3>
            <div className="replay">
              <figure>
                <video src={`${referenceVideoUrl}#t=${segment.start_time.toFixed(2)},${segment.end_time.toFixed(2)}`} controls muted preload="metadata" />
                <figcaption>Reference {formatTime(segment.start_time)}–{formatTime(segment.end_time)}</figcaption>
              </figure>
              <figure>
                {recording ? (
                  <LocalReplay recording={recording} startS={segment.start_time} endS={segment.end_time} />
                ) : segment.video_clip ? (
                  <video src={segment.video_clip} controls muted preload="metadata" />
                ) : (
                  <div className="no-clip">No clip kept</div>
                )}
                <figcaption>You</figcaption>
              </figure>
            </div>
            <p>{segment.feedback}</p>
            <ul className="errors">
              {segment.errors.map((e, j) => (
                <li key={j}>{e.message}</li>
              ))}
            </ul>
            <a className="button primary" href={practiceHref(referenceId, segment.start_time, segment.end_time)}>
              Practise this part again
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}
