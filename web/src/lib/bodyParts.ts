// Words for body-part keys ("left_shin" -> "left lower leg"). The words come from the server's
// one vocabulary (GET /api/protocol, body_part_names); nothing here spells a body part out.

export type PartNames = Readonly<Record<string, string>>;

/** The dancer's words for a key; until the names have loaded, the key itself, readable. */
export function partName(names: PartNames | null, key: string): string {
  return names?.[key] ?? key.replace(/_/g, " ");
}

/** The words as a label: "left arm" -> "Left arm". */
export function partLabel(names: PartNames | null, key: string): string {
  const words = partName(names, key);
  return words.charAt(0).toUpperCase() + words.slice(1);
}
