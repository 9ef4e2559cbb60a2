// Hash routes: #/library, #/practice/<referenceId>?start=..&end=.. (Break-It-Down adds
// &rate=..&eight=..&stage=..), #/review/<sessionId>, #/progress/<referenceId>. Parsing is pure
// so it can be tested without a browser.

export interface Breakdown {
  eight: number;
  stage: number;
  rate: number;
}

export type Route =
  | { page: "library" }
  | {
      page: "practice";
      referenceId: string;
      startS: number | null;
      endS: number | null;
      /** Break-It-Down: the eight practised and the stage (index into its stages). */
      breakdown?: Breakdown;
    }
  | { page: "review"; sessionId: string }
  | { page: "progress"; referenceId: string };

function number(value: string | null): number | null {
  if (value === null || value === "") return null;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : null;
}

export function parseRoute(hash: string): Route {
  const [path, query = ""] = hash.replace(/^#/, "").split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  const params = new URLSearchParams(query);
  if (parts[0] === "practice" && parts[1]) {
    const route: Route = { page: "practice", referenceId: parts[1], startS: number(params.get("start")), endS: number(params.get("end")) };
    const eight = number(params.get("eight"));
    const stage = number(params.get("stage"));
    const rate = number(params.get("rate"));
    if (eight !== null && stage !== null && rate !== null) route.breakdown = { eight, stage, rate };
    return route;
  }
  if (parts[0] === "review" && parts[1]) return { page: "review", sessionId: parts[1] };
  if (parts[0] === "progress" && parts[1]) return { page: "progress", referenceId: parts[1] };
  return { page: "library" };
}

export function practiceHref(referenceId: string, startS?: number, endS?: number, breakdown?: Breakdown): string {
  let query = startS !== undefined && endS !== undefined ? `?start=${startS.toFixed(2)}&end=${endS.toFixed(2)}` : "";
  if (query && breakdown) query += `&rate=${breakdown.rate}&eight=${breakdown.eight}&stage=${breakdown.stage}`;
  return `#/practice/${encodeURIComponent(referenceId)}${query}`;
}
