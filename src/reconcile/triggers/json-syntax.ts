// Finds where a JSON text goes wrong. JSON.parse says what is wrong but, for
// some mistakes users make most (a trailing comma, a bare word), not where;
// an annotation edited by hand needs the position to be fixable.

export interface JsonSyntaxError {
  /** 0-based offset in the text */
  position: number;
  line: number;
  column: number;
  /** what the parser expected at that position */
  expected: string;
}

class Failure {
  constructor(
    readonly position: number,
    readonly expected: string,
  ) {}
}

const NUMBER = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const ESCAPE = /\\(["\\/bfnrt]|u[0-9a-fA-F]{4})/y;
const WHITESPACE = /[ \t\n\r]*/y;
/**
 * The scanner recurses per level: past this depth it reports the nesting
 * itself (no trigger annotation is nested more than a few levels), where a
 * deeper text would overflow the stack.
 */
export const MAX_NESTING = 1000;

class Scanner {
  private pos = 0;
  private depth = 0;
  constructor(private readonly text: string) {}

  document(): void {
    this.value();
    this.skipWhitespace();
    if (this.pos < this.text.length) this.fail("end of input after the JSON value");
  }

  private value(): void {
    this.skipWhitespace();
    const ch = this.text[this.pos];
    if (ch === "{" || ch === "[") this.nested(ch);
    else if (ch === '"') this.string();
    else this.scalar(ch);
  }

  private nested(ch: "{" | "["): void {
    if (this.depth >= MAX_NESTING) this.fail(`at most ${MAX_NESTING} levels of nesting`);
    this.depth++;
    if (ch === "{") this.object();
    else this.array();
    this.depth--;
  }

  private scalar(ch: string | undefined): void {
    if (ch === "'") this.fail("a double-quoted string (JSON does not allow single quotes)");
    for (const literal of ["true", "false", "null"]) {
      if (this.text.startsWith(literal, this.pos)) {
        this.pos += literal.length;
        return;
      }
    }
    if (!this.match(NUMBER))
      this.fail("a value (object, array, string, number, true, false, null)");
  }

  private object(): void {
    this.pos++;
    this.skipWhitespace();
    if (this.text[this.pos] === "}") {
      this.pos++;
      return;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.pos] === "}") this.fail('a property name: remove the trailing ","');
      if (this.text[this.pos] !== '"') this.fail("a double-quoted property name");
      this.string();
      this.skipWhitespace();
      this.expect(":", '":" after the property name');
      this.value();
      this.skipWhitespace();
      if (this.text[this.pos] === "}") {
        this.pos++;
        return;
      }
      this.expect(",", '"," or "}" after the property value');
    }
  }

  private array(): void {
    this.pos++;
    this.skipWhitespace();
    if (this.text[this.pos] === "]") {
      this.pos++;
      return;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.pos] === "]") this.fail('a value: remove the trailing ","');
      this.value();
      this.skipWhitespace();
      if (this.text[this.pos] === "]") {
        this.pos++;
        return;
      }
      this.expect(",", '"," or "]" after the array element');
    }
  }

  private string(): void {
    this.pos++;
    while (this.pos < this.text.length && this.text[this.pos] !== '"') {
      // JSON strings may not hold raw control characters (U+0000 to U+001F)
      if (this.text.charCodeAt(this.pos) < 0x20) break;
      if (this.text[this.pos] === "\\") {
        if (!this.match(ESCAPE)) break;
      } else {
        this.pos++;
      }
    }
    if (this.text[this.pos] !== '"') {
      const atEnd = this.pos >= this.text.length;
      this.fail(atEnd ? 'a closing "' : 'a closing " or a valid escape (\\" \\\\ \\n \\uXXXX)');
    }
    this.pos++;
  }

  private expect(ch: string, expected: string): void {
    if (this.text[this.pos] !== ch) this.fail(expected);
    this.pos++;
  }

  private match(pattern: RegExp): boolean {
    pattern.lastIndex = this.pos;
    const found = pattern.exec(this.text);
    if (found === null || found[0].length === 0) return false;
    this.pos += found[0].length;
    return true;
  }

  private skipWhitespace(): void {
    this.match(WHITESPACE);
  }

  private fail(expected: string): never {
    throw new Failure(this.pos, expected);
  }
}

/** The first syntax error in text, or undefined when text is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  try {
    new Scanner(text).document();
    return undefined;
  } catch (error) {
    if (!(error instanceof Failure)) throw error;
    const before = text.slice(0, error.position);
    const lines = before.split("\n");
    const column = (lines.at(-1)?.length ?? 0) + 1;
    return { position: error.position, line: lines.length, column, expected: error.expected };
  }
}
