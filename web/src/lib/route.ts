// Hash routes: #/library, #/practice/<referenceId>?start=..&end=.., #/review/<sessionId>,
// #/progress/<referenceId>. Parsing is pure so it can be tested without a browser.

export type Route =
  | { page: "library" }
  | { page: "practice"; referenceId: string; startS: number | null; endS: number | null }
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
    return { page: "practice", referenceId: parts[1], startS: number(params.get("start")), endS: number(params.get("end")) };
  }
  if (parts[0] === "review" && parts[1]) return { page: "review", sessionId: parts[1] };
  if (parts[0] === "progress" && parts[1]) return { page: "progress", referenceId: parts[1] };
  return { page: "library" };
}

export function practiceHref(referenceId: string, startS?: number, endS?: number): string {
  const query = startS !== undefined && endS !== undefined ? `?start=${startS.toFixed(2)}&end=${endS.toFixed(2)}` : "";
  return `#/practice/${encodeURIComponent(referenceId)}${query}`;
}
