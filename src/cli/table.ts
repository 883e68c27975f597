// Columns as oc's tabwriter prints them (padding 2, no padding after the last
// column, trailing blanks trimmed), for every table the commands print.

export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd((widths[i] ?? 0) + 2)))
        .join("")
        .trimEnd(),
    )
    .join("\n");
}
