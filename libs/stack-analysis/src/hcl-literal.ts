/**
 * Reads the HCL literal that cdktf writes for `Fn.jsonencode(...)` (`${jsonencode({"a" = [..], b = x.y})}`)
 * into plain JSON, so that a policy built with it is checked like a literal one. Only literals are
 * evaluated: objects, tuples, strings (interpolations kept as written), numbers, booleans, null.
 * A reference (`aws_x.y.arn`) becomes the string `${aws_x.y.arn}`, as Terraform JSON would write it;
 * any other expression (a function call, an operator, a `for`) becomes `${<expression>}` too, and the
 * caller decides whether it can live with a value that is only known at apply time.
 */

export class HclLiteralError extends Error {
  override readonly name = 'HclLiteralError';
}

type Value = string | number | boolean | null | Value[] | { [key: string]: Value };

class Reader {
  private pos = 0;
  constructor(private readonly text: string) {}

  parse(): Value {
    const value = this.value();
    this.space();
    if (this.pos !== this.text.length) this.fail('unexpected text after the value');
    return value;
  }

  private fail(problem: string): never {
    throw new HclLiteralError(`${problem} at offset ${this.pos} of ${JSON.stringify(this.text.slice(0, 80))}`);
  }

  private space(): void {
    while (this.pos < this.text.length) {
      const c = this.text[this.pos] as string;
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') this.pos++;
      else if (c === '#' || (c === '/' && this.text[this.pos + 1] === '/')) {
        while (this.pos < this.text.length && this.text[this.pos] !== '\n') this.pos++;
      } else break;
    }
  }

  private value(): Value {
    this.space();
    const start = this.pos;
    const c = this.text[this.pos];
    let value: Value;
    if (c === '{') value = this.object();
    else if (c === '[') value = this.tuple();
    else if (c === '"') value = this.string();
    else if (c !== undefined && /[-0-9]/.test(c)) value = this.number();
    else if (c !== undefined && /[A-Za-z_]/.test(c)) value = this.word();
    else if (c === '(') {
      this.skipBalanced();
      value = `\${${this.text.slice(start, this.pos)}}`;
    } else this.fail('expected a value');
    // an index or attribute of the value, an operator or a conditional: the whole thing is an expression
    const glued = this.text[this.pos];
    this.space();
    const next = this.text[this.pos] ?? '';
    const operator = '+-*/%<>!&|?'.includes(next) || this.text.startsWith('==', this.pos);
    if (next !== '' && (operator || glued === '.' || glued === '[')) {
      this.skipExpression();
      return `\${${this.text.slice(start, this.pos).trim()}}`;
    }
    return value;
  }

  // skips to the next `,` `]` `}` at this nesting level
  private skipExpression(): void {
    while (this.pos < this.text.length) {
      const c = this.text[this.pos] as string;
      if (',]}'.includes(c)) return;
      if ('([{'.includes(c)) this.skipBalanced();
      else if (c === '"') this.string();
      else this.pos++;
    }
  }

  private skipBalanced(): void {
    const open = this.text[this.pos] as string;
    const close = open === '(' ? ')' : open === '[' ? ']' : '}';
    this.pos++;
    while (this.pos < this.text.length) {
      const c = this.text[this.pos] as string;
      if (c === close) {
        this.pos++;
        return;
      }
      if ('([{'.includes(c)) this.skipBalanced();
      else if (c === '"') this.string();
      else this.pos++;
    }
    this.fail(`unbalanced ${open}`);
  }

  private object(): Value {
    this.pos++; // {
    const result: { [key: string]: Value } = {};
    for (;;) {
      this.space();
      if (this.text[this.pos] === '}') {
        this.pos++;
        return result;
      }
      let key: string;
      const c = this.text[this.pos];
      if (c === '"') {
        const k = this.string();
        if (k.includes('${')) this.fail('a computed object key');
        key = k;
      } else if (c !== undefined && /[A-Za-z_]/.test(c)) {
        const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(this.text.slice(this.pos)) as RegExpExecArray;
        key = m[0];
        this.pos += key.length;
      } else if (c === '(') this.fail('a computed object key');
      else this.fail('expected an object key');
      this.space();
      const sep = this.text[this.pos];
      if (sep !== '=' && sep !== ':') this.fail('expected = or : after an object key');
      this.pos++;
      if (Object.prototype.hasOwnProperty.call(result, key)) this.fail(`duplicate object key ${JSON.stringify(key)}`);
      result[key] = this.value();
      this.space();
      if (this.text[this.pos] === ',') this.pos++;
    }
  }

  private tuple(): Value {
    this.pos++; // [
    const result: Value[] = [];
    for (;;) {
      this.space();
      if (this.text[this.pos] === ']') {
        this.pos++;
        return result;
      }
      if (this.text.startsWith('for ', this.pos)) this.fail('a for expression');
      result.push(this.value());
      this.space();
      if (this.text[this.pos] === ',') this.pos++;
      else if (this.text[this.pos] !== ']') this.fail('expected , or ] in a tuple');
    }
  }

  private string(): string {
    this.pos++; // "
    let out = '';
    while (this.pos < this.text.length) {
      const c = this.text[this.pos] as string;
      if (c === '"') {
        this.pos++;
        return out;
      }
      if (c === '\\') {
        const e = this.text[this.pos + 1];
        const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\' };
        if (e !== undefined && map[e] !== undefined) {
          out += map[e];
          this.pos += 2;
        } else if (e === 'u') {
          out += String.fromCharCode(parseInt(this.text.slice(this.pos + 2, this.pos + 6), 16));
          this.pos += 6;
        } else this.fail('unknown escape');
        continue;
      }
      if ((c === '$' || c === '%') && this.text[this.pos + 1] === c && this.text[this.pos + 2] === '{') {
        // `$${` / `%%{` write a literal `${` / `%{`; kept as an interpolation, which reads as unknown
        out += `${c}{`;
        this.pos += 3;
        continue;
      }
      if ((c === '$' || c === '%') && this.text[this.pos + 1] === '{') {
        const start = this.pos;
        this.pos++;
        this.skipBalanced();
        out += this.text.slice(start, this.pos);
        continue;
      }
      out += c;
      this.pos++;
    }
    this.fail('unterminated string');
  }

  private number(): Value {
    const m = /^-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?/.exec(this.text.slice(this.pos));
    if (!m) this.fail('expected a number');
    this.pos += m[0].length;
    return Number(m[0]);
  }

  // true/false/null, a reference (`aws_x.y.attr[0]`), or a function call (`jsonencode(...)`)
  private word(): Value {
    const start = this.pos;
    const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(this.text.slice(this.pos)) as RegExpExecArray;
    this.pos += m[0].length;
    if (this.text[this.pos] === '(') {
      this.skipBalanced();
      return `\${${this.text.slice(start, this.pos)}}`;
    }
    if (m[0] === 'true') return true;
    if (m[0] === 'false') return false;
    if (m[0] === 'null') return null;
    for (;;) {
      const c = this.text[this.pos];
      if (c === '.') {
        const n = /^\.(?:[A-Za-z_][A-Za-z0-9_-]*|\*|[0-9]+)/.exec(this.text.slice(this.pos));
        if (!n) this.fail('expected an attribute name');
        this.pos += n[0].length;
      } else if (c === '[') this.skipBalanced();
      else break;
    }
    return `\${${this.text.slice(start, this.pos)}}`;
  }
}

/** Parses one HCL literal expression (the argument of `jsonencode(...)`). Throws {@link HclLiteralError}. */
export function parseHclLiteral(text: string): Value {
  return new Reader(text).parse();
}

const JSONENCODE = /^\$\{\s*jsonencode\(([\s\S]*)\)\s*\}$/;

/**
 * The JSON a Terraform string attribute holds, when it can be read now: literal JSON text, or
 * `${jsonencode(<literal>)}`. `undefined` for anything else (a reference, another function).
 * Throws {@link HclLiteralError} (or a JSON SyntaxError) for text that looks like one of both but does not parse.
 */
export function readJsonAttribute(text: string): Value | undefined {
  const trimmed = text.trim();
  const encoded = JSONENCODE.exec(trimmed);
  if (encoded) {
    const inner = encoded[1] as string;
    // `${jsonencode(a)}${jsonencode(b)}` would match the pattern too: the parser refuses the rest
    return parseHclLiteral(inner);
  }
  if (trimmed.startsWith('${')) return undefined;
  return JSON.parse(trimmed) as Value;
}

export type { Value as HclValue };
