// Messages quote what a user or a registry wrote, so they can be acted on;
// a quote must not carry a megabyte of input into errors, logs and Events.

export const EXCERPT_LIMIT = 256;

/** text, or its first `max` characters and "…" (never half a surrogate pair). */
export function excerpt(text: string, max = EXCERPT_LIMIT): string {
  if (text.length <= max) return text;
  const cut = /[\uD800-\uDBFF]/.test(text[max - 1] ?? "") ? max - 1 : max;
  return `${text.slice(0, cut)}…`;
}
