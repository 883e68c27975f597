// Tables as the Go tabwriters of kubectl and oc print them: every column but
// the last padded to its widest cell plus a gap, trailing blanks trimmed.
// kubectl's printers use a gap of 3 and upper-case headers (`get`, `history`);
// oc's `set` commands use a gap of 2 and give their headers as written.
// Pure; shared by every command that prints a table.

export const KUBECTL_GAP = 3;
export const OC_GAP = 2;

/** Rows (the first is the header, as given) with `gap` spaces between columns. */
export function formatRows(rows: readonly (readonly string[])[], gap = KUBECTL_GAP): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd((widths[i] ?? 0) + gap)))
        .join("")
        .trimEnd(),
    )
    .join("\n");
}

/** kubectl's layout: upper-case headers, 3 spaces apart. */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  return formatRows([headers.map((h) => h.toUpperCase()), ...rows]);
}
