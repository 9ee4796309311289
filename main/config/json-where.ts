/**
 * Where JSON text first goes wrong, as a character offset. Node 20's JSON.parse names the offset for
 * some mistakes ("at position 7") but not for others ("Unexpected token '}'"), and a person editing
 * /etc/bootdrop/bootdrop.json needs a line and column either way. Pure; bounded nesting.
 */
const MAX_DEPTH = 512;
const LITERAL = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;

class Stop {
  constructor(readonly at: number) {}
}

/** The offset of the first syntax error, or null when the text is valid JSON. */
export function jsonErrorOffset(text: string): number | null {
  let i = 0;
  const fail = (): never => {
    throw new Stop(i);
  };
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const string = () => {
    i++; // the opening quote
    while (i < text.length) {
      const c = text[i]!;
      if (c === '"') return void i++;
      if (c === '\\') i += 2;
      else if (c < ' ') fail();
      else i++;
    }
    fail();
  };
  const value = (depth: number): void => {
    space();
    if (depth > MAX_DEPTH) fail();
    const c = text[i];
    if (c === '"') return string();
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      space();
      if (text[i] === close) return void i++;
      for (;;) {
        if (c === '{') {
          space();
          if (text[i] !== '"') fail();
          string();
          space();
          if (text[i] !== ':') fail();
          i++;
        }
        value(depth + 1);
        space();
        if (text[i] === close) return void i++;
        if (text[i] !== ',') fail();
        i++;
      }
    }
    LITERAL.lastIndex = i;
    const m = LITERAL.exec(text);
    if (!m) fail();
    i += m![0].length;
  };
  try {
    value(0);
    space();
    if (i < text.length) fail();
    return null;
  } catch (err) {
    if (err instanceof Stop) return err.at;
    throw err;
  }
}
