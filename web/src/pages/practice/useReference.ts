// The reference being practised, loaded once per id: a reference that cannot be danced yet
// (still processing, failed, unreachable) puts the page in its error state with the reason.
import { useEffect, useState } from "react";
import { type Reference, api } from "../../api/client";
import type { PracticeStatus } from "../../lib/practiceTick";

export function useReference(
  referenceId: string,
  setStatus: (status: PracticeStatus) => void,
  setError: (error: string | null) => void,
): Reference | null {
  const [reference, setReference] = useState<Reference | null>(null);
  useEffect(() => {
    api
      .reference(referenceId)
      .then((r) => {
        setReference(r);
        if (r.status !== "ready") {
          setError(r.status === "failed" ? `This reference failed to process: ${r.failure_reason}` : "This reference is still processing.");
          setStatus("error");
        } else setStatus("ready");
      })
      .catch((e: unknown) => {
        setError(`Could not load the reference: ${e instanceof Error ? e.message : String(e)}`);
        setStatus("error");
      });
    // The setters are React state setters (stable): only a new reference reloads.
  }, [referenceId]);
  return reference;
}
