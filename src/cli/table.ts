// Columns as kubectl prints them (a tabwriter with 3 spaces of padding):
// upper-case headers, each column as wide as its widest cell, no trailing
// spaces. Pure; shared by every command that prints a table.

const GAP = "   ";

export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join(GAP)
      .trimEnd();
  return [line(headers.map((h) => h.toUpperCase())), ...rows.map(line)].join("\n");
}
