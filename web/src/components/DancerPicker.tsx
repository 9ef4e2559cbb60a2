import { useEffect, useState } from "react";
import { type Dancers, type Reference, api } from "../api/client";

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A group video's dancers on a still, each a numbered button over the dancer: choosing one
 * re-extracts the reference's poses following that dancer (the card then shows processing).
 */
export function DancerPicker({ reference, onChosen }: { reference: Reference; onChosen: () => void }) {
  const id = reference.reference_video_id;
  const [found, setFound] = useState<Dancers | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    api
      .dancers(id)
      .then((d) => live && setFound(d))
      .catch((e: unknown) => live && setError(`Could not find the dancers: ${message(e)}`));
    return () => {
      live = false;
    };
  }, [id, reference.dancer_x]);

  async function choose(dancerX: number | null) {
    setBusy(true);
    setError(null);
    try {
      await api.chooseDancer(id, dancerX);
      onChosen();
    } catch (e) {
      setError(message(e));
    } finally {
      setBusy(false);
    }
  }

  const titleId = `dancers-${id}`;
  return (
    <section className="dancer-picker" aria-labelledby={titleId} data-testid="dancer-picker">
      <h3 id={titleId}>Whom do you learn from?</h3>
      {error && (
        <p className="alert" role="alert">
          {error}
        </p>
      )}
      {!found && !error && <p className="muted">Finding the dancers…</p>}
      {found && (
        <>
          <p className="muted" role="status">
            {found.dancers.length} dancers found.{" "}
            {found.chosen === null
              ? "Following the most central dancer; pick another by their number."
              : `Following dancer ${found.chosen}.`}
          </p>
          <div
            className="dancer-still"
            style={{ aspectRatio: found.width && found.height ? `${found.width} / ${found.height}` : undefined }}
          >
            <img src={found.still_url} alt={`The start of ${reference.name} with ${found.dancers.length} dancers`} />
            {found.dancers.map((dancer) => (
              <button
                key={dancer.number}
                type="button"
                className="dancer-box"
                data-testid="dancer-choice"
                aria-pressed={found.chosen === dancer.number}
                aria-label={`Learn from dancer ${dancer.number}`}
                disabled={busy}
                style={{
                  left: `${dancer.box.left * 100}%`,
                  top: `${dancer.box.top * 100}%`,
                  width: `${(dancer.box.right - dancer.box.left) * 100}%`,
                  height: `${(dancer.box.bottom - dancer.box.top) * 100}%`,
                }}
                onClick={() => void choose(dancer.dancer_x)}
              >
                <span className="dancer-number">{dancer.number}</span>
              </button>
            ))}
          </div>
          {found.chosen !== null && (
            <button type="button" disabled={busy} onClick={() => void choose(null)}>
              Follow the most central dancer again
            </button>
          )}
        </>
      )}
    </section>
  );
}
