import { useEffect, useState } from "react";
import { type Beats, type EightMastery, type Reference, type SectionReport, type SessionInfo, type SessionReport, api, keepRecording } from "../api/client";
import { MasteryTimeline } from "../components/MasteryTimeline";
import { ReportView } from "../components/ReportView";
import { eightLabel } from "../lib/beatCount";
import { STAGES, stageSpan, weakestEight } from "../lib/breakItDown";
import { localRecordings } from "../lib/localRecording";
import { practiceHref } from "../lib/route";

export function ReviewPage({ sessionId }: { sessionId: string }) {
  const [session, setSession] = useState<SessionInfo | null>(null);
  const [reference, setReference] = useState<Reference | null>(null);
  const [sections, setSections] = useState<SectionReport[]>([]);
  const [final, setFinal] = useState<SessionReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [finishing, setFinishing] = useState(false);
  const [beats, setBeats] = useState<Beats["beats"]>([]);
  const [mastery, setMastery] = useState<EightMastery[]>([]);
  // Browser pose mode: the webcam recording this page made (it stays here unless kept).
  const recording = localRecordings.get(sessionId) ?? null;
  const [kept, setKept] = useState<"no" | "sending" | "kept">("no");
  async function keep() {
    if (!recording) return;
    setKept("sending");
    try {
      await keepRecording(sessionId, recording.blob);
      setKept("kept");
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      setKept("no");
    }
  }

  useEffect(() => {
    (async () => {
      try {
        const info = await api.session(sessionId);
        setSession(info);
        setReference(await api.reference(info.reference_video_id));
        // Break-It-Down needs the counts; without music the button stays hidden.
        api.beats(info.reference_video_id).then((b) => setBeats(b.beats), () => setBeats([]));
        api.eights(info.reference_video_id).then(setMastery, () => setMastery([]));
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
  // The weakest eight of what was just danced, resumed after the steps it already passed.
  const timeline = (final ?? latest)?.analytics?.timeline ?? [];
  const weakest = weakestEight(timeline, beats);
  let breakdownHref: string | null = null;
  if (weakest !== null && reference) {
    const passed = mastery.find((m) => m.eight === weakest)?.stage ?? 0;
    const stage = passed >= STAGES.length ? 0 : passed;
    const span = stageSpan(beats, weakest, STAGES[stage].span, reference.duration_s ?? Infinity);
    if (span) {
      breakdownHref = practiceHref(reference.reference_video_id, span.startS, span.endS, {
        eight: weakest,
        stage,
        rate: STAGES[stage].rate,
      });
    }
  }
  if (error) return <p className="alert" role="alert">{error}</p>;
  if (!session || !reference) return <p>Loading…</p>;
  const shown = final ?? latest;
  // The strips span the whole reference (its length, or as far as anything reached).
  const durationS =
    reference.duration_s ?? Math.max(1, ...(shown?.analytics?.moves ?? []).map((m) => m.end_s), ...beats.map((b) => b.time_s));
  return (
    <section aria-labelledby="review-title">
      <h1 id="review-title">
        {final ? "Session report" : "Section review"} · {reference.name}
      </h1>
      <div className="actions">
        <a className="button primary" href={`#/practice/${reference.reference_video_id}`}>
          Practise again
        </a>
        {breakdownHref && weakest !== null && (
          <a className="button" href={breakdownHref} data-testid="break-it-down" title="Loop your weakest eight slowly, then faster, then with the eights around it">
            Break it down: {eightLabel(weakest)}
          </a>
        )}
        {!final && (
          <button type="button" onClick={() => void finalize()} disabled={finishing}>
            {finishing ? "Finishing…" : "Finish session"}
          </button>
        )}
        <a className="button" href={`#/progress/${reference.reference_video_id}`}>
          Progress
        </a>
        {recording && (
          <button
            type="button"
            onClick={() => void keep()}
            disabled={kept !== "no"}
            data-testid="keep-recording"
            title="Your replays come from a recording kept in this browser; it is gone when you close the tab unless you keep it on the server"
          >
            {kept === "kept" ? "Recording kept on the server" : kept === "sending" ? "Uploading…" : "Keep my recording on the server"}
          </button>
        )}
      </div>
      {final ? (
        <ReportView
          referenceId={reference.reference_video_id}
          referenceVideoUrl={reference.video_url}
          referenceDurationS={durationS}
          overallAccuracy={final.overall_accuracy}
          analytics={final.analytics}
          segments={final.problem_segments}
          feedback={final.feedback}
          recording={recording}
        />
      ) : latest ? (
        <ReportView
          referenceId={reference.reference_video_id}
          referenceVideoUrl={reference.video_url}
          referenceDurationS={durationS}
          overallAccuracy={latest.overall_accuracy}
          analytics={latest.analytics}
          segments={latest.problem_segments}
          feedback={latest.feedback}
          recording={recording}
        />
      ) : (
        <p>No section has been scored in this session yet.</p>
      )}
      <MasteryTimeline beats={beats} mastery={mastery} durationS={durationS} />
    </section>
  );
}
