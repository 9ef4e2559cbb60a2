import { useEffect, useState } from "react";
import { type Reference, type SectionReport, type SessionInfo, type SessionReport, api } from "../api/client";
import { ReportView } from "../components/ReportView";

export function ReviewPage({ sessionId }: { sessionId: string }) {
  const [session, setSession] = useState<SessionInfo | null>(null);
  const [reference, setReference] = useState<Reference | null>(null);
  const [sections, setSections] = useState<SectionReport[]>([]);
  const [final, setFinal] = useState<SessionReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [finishing, setFinishing] = useState(false);

  useEffect(() => {
    (async () => {
      try {
        const info = await api.session(sessionId);
        setSession(info);
        setReference(await api.reference(info.reference_video_id));
        setSections(await api.sectionReports(sessionId));
        if (info.status === "finalized") setFinal(await api.report(sessionId));
      } catch (e) {
        setError(e instanceof Error ? e.message : String(e));
      }
    })();
  }, [sessionId]);

  async function finalize() {
    setFinishing(true);
    try {
      setFinal(await api.finalize(sessionId));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setFinishing(false);
    }
  }

  const latest = sections.at(-1) ?? null;
  if (error) return <p className="alert" role="alert">{error}</p>;
  if (!session || !reference) return <p>Loading…</p>;
  return (
    <section aria-labelledby="review-title">
      <h1 id="review-title">
        {final ? "Session report" : "Section review"} · {reference.name}
      </h1>
      <div className="actions">
        <a className="button primary" href={`#/practice/${reference.reference_video_id}`}>
          Practise again
        </a>
        {!final && (
          <button type="button" onClick={() => void finalize()} disabled={finishing}>
            {finishing ? "Finishing…" : "Finish session"}
          </button>
        )}
        <a className="button" href={`#/progress/${reference.reference_video_id}`}>
          Progress
        </a>
      </div>
      {final ? (
        <ReportView
          referenceId={reference.reference_video_id}
          referenceVideoUrl={reference.video_url}
          overallAccuracy={final.overall_accuracy}
          analytics={final.analytics}
          segments={final.problem_segments}
          feedback={final.feedback}
        />
      ) : latest ? (
        <ReportView
          referenceId={reference.reference_video_id}
          referenceVideoUrl={reference.video_url}
          overallAccuracy={latest.overall_accuracy}
          analytics={latest.analytics}
          segments={latest.problem_segments}
          feedback={latest.feedback}
        />
      ) : (
        <p>No section has been scored in this session yet.</p>
      )}
    </section>
  );
}
