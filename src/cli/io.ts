// Where commands write: injectable so main.ts owns process.stdout/stderr.
export interface Io {
  /** one or more lines to stdout (a newline is added) */
  out(text: string): void;
  /** one or more lines to stderr (a newline is added) */
  err(text: string): void;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};
