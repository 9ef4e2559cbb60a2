// Progress across attempts as chart rows: one row per scored attempt, one column per body part
// (0-100). Pure, so it is tested without a browser.

export interface AttemptParts {
  overall_accuracy: number | null;
  per_body_part: Record<string, number>;
  created_at: string;
}

export interface PartsChart {
  /** Body-part keys, the most improved first (first scored attempt to the latest). */
  parts: string[];
  rows: ({ attempt: number; when: string } & Record<string, number | string | null>)[];
}

/** Rows for a line per body part; attempts nobody could be scored in are left out, and a part
 * missing from an attempt is null there (the line has a gap). */
export function bodyPartChart(attempts: readonly AttemptParts[]): PartsChart {
  const scored = attempts.filter((a) => a.overall_accuracy !== null);
  const keys = [...new Set(scored.flatMap((a) => Object.keys(a.per_body_part)))];
  const change = (part: string): number => {
    const values = scored.map((a) => a.per_body_part[part]).filter((v): v is number => v !== undefined);
    return values.length >= 2 ? values[values.length - 1] - values[0] : -Infinity;
  };
  const parts = keys.sort((a, b) => change(b) - change(a) || a.localeCompare(b));
  const rows = scored.map((attempt, i) => {
    const row: PartsChart["rows"][number] = { attempt: i + 1, when: new Date(attempt.created_at).toLocaleString() };
    for (const part of parts) row[part] = attempt.per_body_part[part] === undefined ? null : Math.round(attempt.per_body_part[part]);
    return row;
  });
  return { parts, rows };
}
