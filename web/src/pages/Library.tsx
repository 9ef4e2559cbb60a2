import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError, type Reference, api, uploadReference } from "../api/client";
import { formatTime } from "../lib/danceClock";
import { practiceHref } from "../lib/route";
import { DancerPicker } from "../components/DancerPicker";
import { MasteredShare, useRoutineMastery } from "../components/MasteredShare";
import { SectionEditor } from "../components/SectionEditor";

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** canManage: upload, rename, delete and name sections (a teacher, or the one local user). */
export function LibraryPage({ canManage }: { canManage: boolean }) {
  const [references, setReferences] = useState<Reference[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [upload, setUpload] = useState<{ name: string; fraction: number } | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  // Group videos whose picker the user opened or closed (by default open until a dancer is chosen).
  const [pickerOpen, setPickerOpen] = useState<Record<string, boolean>>({});
  const fileInput = useRef<HTMLInputElement>(null);
  const [name, setName] = useState("");
  const [best, setBest] = useState<Record<string, number | null>>({});
  const [notice, setNotice] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    try {
      setReferences(await api.references());
    } catch (e) {
      setError(`Could not load the library: ${message(e)}`);
    }
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  // Best score per ready reference, from its practice history.
  const readyIds = references?.filter((r) => r.status === "ready").map((r) => r.reference_video_id).join(",") ?? "";
  useEffect(() => {
    if (!readyIds) return;
    let cancelled = false;
    Promise.all(
      readyIds.split(",").map(async (id) => [id, (await api.progress(id).catch(() => null))?.best_accuracy ?? null] as const),
    ).then((entries) => {
      if (!cancelled) setBest(Object.fromEntries(entries));
    });
    return () => {
      cancelled = true;
    };
  }, [readyIds]);

  const mastery = useRoutineMastery(readyIds);

  // Poll while anything is processing, so the processing bar moves; also while the library is
  // empty, because on a first run the server is still preparing the demo routine.
  const processing = references === null || references.length === 0 || references.some((r) => r.status === "processing");
  useEffect(() => {
    if (!processing) return;
    const timer = window.setInterval(() => void refresh(), 1000);
    return () => window.clearInterval(timer);
  }, [processing, refresh]);

  function isGroup(reference: Reference): boolean {
    return reference.status === "ready" && (reference.dancer_count ?? 0) >= 2;
  }

  function showPicker(reference: Reference): boolean {
    return pickerOpen[reference.reference_video_id] ?? reference.dancer_x === null;
  }

  async function onUpload(event: React.FormEvent) {
    event.preventDefault();
    const file = fileInput.current?.files?.[0];
    if (!file) {
      setError("Choose a video file first.");
      return;
    }
    setError(null);
    setUpload({ name: file.name, fraction: 0 });
    try {
      await uploadReference(file, name.trim(), (fraction) => setUpload({ name: file.name, fraction }));
      setName("");
      if (fileInput.current) fileInput.current.value = "";
      await refresh();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : `Upload failed: ${message(e)}`);
    } finally {
      setUpload(null);
    }
  }

  async function onDelete(reference: Reference) {
    if (!window.confirm(`Delete "${reference.name}" and its practice history?`)) return;
    try {
      await api.deleteReference(reference.reference_video_id);
      await refresh();
    } catch (e) {
      setError(message(e));
    }
  }

  async function onDeleteMyData() {
    const question =
      "Delete all your practice data? Every session, recorded webcam frame, replay clip, report and " +
      "progress entry goes, for good. The library's videos stay.";
    if (!window.confirm(question)) return;
    try {
      const deleted = await api.deleteMyData();
      setBest({});
      setNotice(`Deleted ${deleted.sessions_deleted} practice sessions with their frames, clips and reports.`);
      await refresh();
    } catch (e) {
      setError(message(e));
    }
  }

  return (
    <section aria-labelledby="library-title">
      <h1 id="library-title">Choreography library</h1>
      {canManage && (
        <form className="card upload" onSubmit={onUpload} aria-label="Upload a reference video">
          <label>
            Video
            <input ref={fileInput} type="file" accept="video/*" name="file" data-testid="upload-file" />
          </label>
          <label>
            Name
            <input value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. Chorus, slow" />
          </label>
          <button type="submit" disabled={upload !== null}>
            Upload
          </button>
          {upload && (
            <div className="progress-row" role="status">
              Uploading {upload.name}
              <progress max={1} value={upload.fraction} aria-label="Upload progress" />
              {Math.round(upload.fraction * 100)}%
            </div>
          )}
        </form>
      )}
      {error && (
        <p className="alert" role="alert">
          {error}
        </p>
      )}
      {references === null && <p>Loading…</p>}
      {references?.length === 0 && (
        <p>
          No references yet: the demo routine is being prepared
          {canManage ? ", or upload a choreography video to begin." : "; a teacher adds the others."}
        </p>
      )}
      <ul className="reference-list">
        {references?.map((reference) => (
          <li key={reference.reference_video_id} className="card reference" data-testid="reference-card">
            {reference.thumbnail_url ? (
              <img src={reference.thumbnail_url} alt="" className="thumb" />
            ) : (
              <div className="thumb placeholder" aria-hidden="true" />
            )}
            <div className="reference-body">
              <h2>
                {reference.name} {reference.is_demo && <span className="tag">demo</span>}
              </h2>
              <p className="muted">
                {reference.duration_s ? formatTime(reference.duration_s) : "–"} · {reference.sections.length} sections
                {" · "}
                {typeof best[reference.reference_video_id] === "number"
                  ? `best score ${Math.round((best[reference.reference_video_id] ?? 0) * 100)}`
                  : "not practised yet"}
                <MasteredShare mastery={mastery[reference.reference_video_id]} />
              </p>
              {reference.status === "processing" && (
                <div className="progress-row" role="status">
                  Processing
                  <progress max={1} value={reference.progress} aria-label="Processing progress" />
                  {Math.round(reference.progress * 100)}%
                </div>
              )}
              {reference.status === "failed" && (
                <p className="alert" role="alert">
                  Processing failed: {reference.failure_reason}
                </p>
              )}
              <div className="actions">
                {reference.status === "ready" && (
                  <a className="button primary" href={practiceHref(reference.reference_video_id)}>
                    Practise
                  </a>
                )}
                <a className="button" href={`#/progress/${reference.reference_video_id}`}>
                  Progress
                </a>
                {canManage && reference.status === "ready" && (
                  <button
                    type="button"
                    onClick={() =>
                      setEditing(editing === reference.reference_video_id ? null : reference.reference_video_id)
                    }
                  >
                    Sections
                  </button>
                )}
                {canManage && isGroup(reference) && (
                  <button
                    type="button"
                    aria-expanded={showPicker(reference)}
                    onClick={() =>
                      setPickerOpen({ ...pickerOpen, [reference.reference_video_id]: !showPicker(reference) })
                    }
                  >
                    Dancers ({reference.dancer_count})
                  </button>
                )}
                {canManage && (
                  <button type="button" className="danger" onClick={() => void onDelete(reference)}>
                    Delete
                  </button>
                )}
              </div>
              {canManage && isGroup(reference) && showPicker(reference) && (
                <DancerPicker reference={reference} onChosen={() => void refresh()} />
              )}
              {editing === reference.reference_video_id && (
                <SectionEditor reference={reference} onChange={() => void refresh()} />
              )}
            </div>
          </li>
        ))}
      </ul>
      <section className="card your-data" aria-labelledby="your-data-title">
        <h2 id="your-data-title">Your data</h2>
        <p className="muted">
          Your webcam frames stay on this server and are deleted after the retention period. You can delete all
          your practice data now.
        </p>
        <button type="button" className="danger" onClick={() => void onDeleteMyData()}>
          Delete all my practice data
        </button>
        {notice && (
          <p role="status" className="muted">
            {notice}
          </p>
        )}
      </section>
    </section>
  );
}
