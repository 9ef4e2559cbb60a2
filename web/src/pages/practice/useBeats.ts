// The counts of the reference's music; none without a soundtrack (or if they cannot be
// loaded), and the count display then stays hidden.
import { useEffect, useState } from "react";
import { type Beats, api } from "../../api/client";

export function useBeats(referenceId: string): Beats["beats"] {
  const [beats, setBeats] = useState<Beats["beats"]>([]);
  useEffect(() => {
    api
      .beats(referenceId)
      .then((b) => setBeats(b.beats))
      .catch(() => setBeats([]));
  }, [referenceId]);
  return beats;
}
