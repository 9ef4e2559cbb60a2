import { useEffect, useRef, useState } from "react";
import { type Beats, type EightMastery, type Reference, api } from "../api/client";
import { formatTime } from "../lib/danceClock";
import { practiceHref } from "../lib/route";
import { MasteryTimeline } from "./MasteryTimeline";

/** Name sections of a reference on its timeline: play, mark start and end, give a title. */
export function SectionEditor({ reference, onChange }: { reference: Reference; onChange: () => void }) {
  const video = useRef<HTMLVideoElement>(null);
  const [start, setStart] = useState(0);
  const [end, setEnd] = useState(Math.min(8, reference.duration_s ?? 8));
  const [title, setTitle] = useState("");
  const [error, setError] = useState<string | null>(null);
  const duration = reference.duration_s ?? 1;
  const [beats, setBeats] = useState<Beats | null>(null);
  const [mastery, setMastery] = useState<EightMastery[]>([]);
  useEffect(() => {
    api
      .beats(reference.reference_video_id)
      .then(setBeats)
      .catch(() => setBeats(null));
    api
      .eights(reference.reference_video_id)
      .then(setMastery)
      .catch(() => setMastery([]));
  }, [reference.reference_video_id]);

  /** Move count 1 a beat earlier (-1) or later (+1); suggested sections follow it. */
  async function shiftCountOne(by: number) {
    if (!beats) return;
    setError(null);
    try {
      setBeats(await api.shiftCountOne(reference.reference_video_id, (beats.downbeat_shift + by + 8) % 8));
      onChange();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }
  const firstOne = beats?.beats.find((b) => b.count === 1);

  async function add() {
    setError(null);
    try {
      await api.addSection(reference.reference_video_id, { start_s: start, end_s: end, title: title || "Section" });
      setTitle("");
      onChange();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }

  return (
    <div className="section-editor">
      <video ref={video} src={reference.video_url} controls preload="metadata" className="editor-video" />
      {beats && beats.tempo_bpm !== null && (
        <div className="count-one" role="group" aria-label="Count 1">
          <span data-testid="tempo">
            {Math.round(beats.tempo_bpm)} BPM · count 1 first at {firstOne ? `${firstOne.time_s.toFixed(2)} s` : "–"}
          </span>{" "}
          <button type="button" onClick={() => void shiftCountOne(-1)} data-testid="count-one-earlier">
            Count 1 a beat earlier
          </button>{" "}
          <button type="button" onClick={() => void shiftCountOne(1)} data-testid="count-one-later">
            Count 1 a beat later
          </button>
        </div>
      )}
      <div className="timeline" aria-label="Sections timeline">
        {reference.sections.map((s) => (
          <div
            key={s.id}
            className={s.suggested ? "timeline-section suggested" : "timeline-section"}
            style={{ left: `${(s.start_s / duration) * 100}%`, width: `${((s.end_s - s.start_s) / duration) * 100}%` }}
            title={s.suggested ? `${s.title} (suggested from the music)` : s.title}
          >
            {s.title}
          </div>
        ))}
        <div
          className="timeline-draft"
          style={{ left: `${(start / duration) * 100}%`, width: `${(Math.max(0, end - start) / duration) * 100}%` }}
        />
      </div>
      <MasteryTimeline beats={beats?.beats ?? []} mastery={mastery} durationS={duration} />
      <div className="section-form">
        <button type="button" onClick={() => setStart(video.current?.currentTime ?? 0)}>
          Start here ({formatTime(start)})
        </button>
        <button type="button" onClick={() => setEnd(video.current?.currentTime ?? 0)}>
          End here ({formatTime(end)})
        </button>
        <input value={title} onChange={(e) => setTitle(e.target.value)} placeholder="Title" aria-label="Section title" />
        <button type="button" className="primary" onClick={() => void add()}>
          Add section
        </button>
      </div>
      {error && <p className="alert" role="alert">{error}</p>}
      <ul className="section-list">
        {reference.sections.map((s) => (
          <li key={s.id}>
            <strong>{s.title}</strong> {formatTime(s.start_s)}–{formatTime(s.end_s)}
            {s.suggested && <span className="muted"> · suggested</span>}{" "}
            <a href={practiceHref(reference.reference_video_id, s.start_s, s.end_s)}>Practise</a>{" "}
            <button
              type="button"
              className="link"
              onClick={() => void api.deleteSection(reference.reference_video_id, s.id).then(onChange)}
            >
              Remove
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
