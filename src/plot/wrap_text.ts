// Line breaking for text drawn in an SVG (which does not wrap by itself), and its approximate width.

/** Approximate advance of one character of a sans-serif font, as a fraction of the font size. */
export const CHAR_WIDTH_EM = 0.56;

/** Approximate width in px of `text` at `fontSize` px. */
export function textWidth(text: string, fontSize: number): number {
  return [...text].length * CHAR_WIDTH_EM * fontSize;
}

/**
 * Breaks `text` at spaces into lines of at most `maxChars` characters (greedy). A word longer
 * than that gets a line of its own; whitespace runs count as one space.
 */
export function wrapText(text: string, maxChars: number): string[] {
  if (!(maxChars >= 1)) throw new Error(`wrapText: maxChars must be >= 1, got ${maxChars}`);
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && [...line].length + 1 + [...word].length > maxChars) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}
