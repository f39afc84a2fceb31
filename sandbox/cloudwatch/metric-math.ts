/**
 * Metric math for GetMetricData and alarm `Expression`s, as pure functions: numbers, metric
 * ids, `+ - * /`, unary minus, parentheses, `[a, b]` lists and SUM/AVG/MAX/MIN. Series are
 * combined point-wise on equal timestamps; a point whose result is not finite (division
 * by zero) is omitted, as CloudWatch does.
 */

/** Timestamp (epoch ms) → value. */
export type TimeSeries = ReadonlyMap<number, number>;

/** A value an expression can produce: a scalar, a series, or a list of series. */
export type MathValue = number | TimeSeries | readonly TimeSeries[];

export type Expr =
  | { readonly type: 'number'; readonly value: number }
  | { readonly type: 'id'; readonly name: string }
  | { readonly type: 'negate'; readonly operand: Expr }
  | { readonly type: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr }
  | { readonly type: 'call'; readonly name: string; readonly args: readonly Expr[] }
  | { readonly type: 'list'; readonly items: readonly Expr[] };

export type BinaryOp = '+' | '-' | '*' | '/';

/** A syntax error, an unsupported function or an unknown id; callers answer 400. */
export class MathError extends Error {
  override readonly name = 'MathError';
}

/** The functions the sandbox evaluates; anything else is refused by name. */
export const SUPPORTED_FUNCTIONS = ['SUM', 'AVG', 'MAX', 'MIN'] as const;

type Token =
  | { readonly kind: 'number'; readonly value: number; readonly at: number }
  | { readonly kind: 'name'; readonly value: string; readonly at: number }
  | { readonly kind: 'punct'; readonly value: string; readonly at: number };

const tokenize = (source: string): Token[] => {
  const tokens: Token[] = [];
  const pattern =
    /\s*(?:(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|([A-Za-z_]\w*)|(\S))/y;
  let match = pattern.exec(source);
  while (match && match.index < source.length) {
    const at = match.index + (match[0].length - match[0].trimStart().length);
    if (match[1] !== undefined) tokens.push({ kind: 'number', value: Number(match[1]), at });
    else if (match[2] !== undefined) tokens.push({ kind: 'name', value: match[2], at });
    else if (match[3] !== undefined) {
      if (!'+-*/(),[]'.includes(match[3])) {
        throw new MathError(`Unsupported character '${match[3]}' at position ${at + 1}`);
      }
      tokens.push({ kind: 'punct', value: match[3], at });
    }
    match = pattern.exec(source);
  }
  return tokens;
};

/** Parses an expression, refusing unsupported functions by name. */
export const parseExpression = (source: string): Expr => {
  const tokens = tokenize(source);
  if (tokens.length === 0) throw new MathError('Expression is empty');
  let pos = 0;
  const peek = () => tokens[pos];
  const isPunct = (value: string) => {
    const t = peek();
    return t?.kind === 'punct' && t.value === value;
  };
  const expect = (value: string) => {
    if (!isPunct(value)) {
      const t = peek();
      throw new MathError(
        t ? `Expected '${value}' at position ${t.at + 1}` : `Expected '${value}' at end`,
      );
    }
    pos += 1;
  };
  const list = (close: string): Expr[] => {
    const items: Expr[] = [];
    if (isPunct(close)) return items;
    items.push(additive());
    while (isPunct(',')) {
      pos += 1;
      items.push(additive());
    }
    return items;
  };
  const primary = (): Expr => {
    const t = peek();
    if (!t) throw new MathError('Unexpected end of expression');
    pos += 1;
    if (t.kind === 'number') return { type: 'number', value: t.value };
    if (t.kind === 'name') {
      if (!isPunct('(')) return { type: 'id', name: t.value };
      if (!(SUPPORTED_FUNCTIONS as readonly string[]).includes(t.value)) {
        throw new MathError(
          `Unsupported function ${t.value}; the sandbox evaluates ${SUPPORTED_FUNCTIONS.join(', ')}`,
        );
      }
      pos += 1;
      const args = list(')');
      expect(')');
      return { type: 'call', name: t.value, args };
    }
    if (t.value === '(') {
      const inner = additive();
      expect(')');
      return inner;
    }
    if (t.value === '[') {
      const items = list(']');
      expect(']');
      return { type: 'list', items };
    }
    throw new MathError(`Unexpected '${t.value}' at position ${t.at + 1}`);
  };
  const unary = (): Expr => {
    if (isPunct('-')) {
      pos += 1;
      return { type: 'negate', operand: unary() };
    }
    if (isPunct('+')) {
      pos += 1;
      return unary();
    }
    return primary();
  };
  const binary = (next: () => Expr, ops: readonly BinaryOp[]) => (): Expr => {
    let left = next();
    for (let t = peek(); t?.kind === 'punct' && ops.includes(t.value as BinaryOp); t = peek()) {
      pos += 1;
      left = { type: 'binary', op: t.value as BinaryOp, left, right: next() };
    }
    return left;
  };
  const multiplicative = binary(unary, ['*', '/']);
  const additive = binary(multiplicative, ['+', '-']);
  const expr = additive();
  const rest = peek();
  if (rest) throw new MathError(`Unexpected '${rest.value}' at position ${rest.at + 1}`);
  return expr;
};

/** Every metric id an expression reads, in order of appearance, without duplicates. */
export const referencedIds = (expr: Expr): string[] => {
  const ids = new Set<string>();
  const walk = (e: Expr): void => {
    if (e.type === 'id') ids.add(e.name);
    else if (e.type === 'negate') walk(e.operand);
    else if (e.type === 'binary') {
      walk(e.left);
      walk(e.right);
    } else if (e.type === 'call') e.args.forEach(walk);
    else if (e.type === 'list') e.items.forEach(walk);
  };
  walk(expr);
  return [...ids];
};

const apply = (op: BinaryOp, a: number, b: number): number => {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
  }
};

const isList = (v: MathValue): v is readonly TimeSeries[] => Array.isArray(v);

const finite = (entries: Iterable<readonly [number, number]>): TimeSeries => {
  const out = new Map<number, number>();
  for (const [t, v] of entries) if (Number.isFinite(v)) out.set(t, v);
  return out;
};

const combine = (op: BinaryOp, left: number | TimeSeries, right: number | TimeSeries) => {
  if (typeof left === 'number' && typeof right === 'number') return apply(op, left, right);
  if (typeof left === 'number') {
    return finite([...(right as TimeSeries)].map(([t, v]) => [t, apply(op, left, v)] as const));
  }
  if (typeof right === 'number') {
    return finite([...left].map(([t, v]) => [t, apply(op, v, right)] as const));
  }
  // Aligned by timestamp: a point exists only where both operands have one.
  const pairs: Array<readonly [number, number]> = [];
  for (const [t, v] of left) {
    const w = right.get(t);
    if (w !== undefined) pairs.push([t, apply(op, v, w)]);
  }
  return finite(pairs);
};

const reducers: Record<string, (values: number[]) => number> = {
  SUM: (v) => v.reduce((a, b) => a + b, 0),
  AVG: (v) => v.reduce((a, b) => a + b, 0) / v.length,
  MAX: (v) => Math.max(...v),
  MIN: (v) => Math.min(...v),
};

/**
 * SUM/AVG/MAX/MIN as CloudWatch defines them: over one series → a scalar of all its
 * points; over a list of series → one series, reduced per timestamp over the series that
 * have a point there.
 */
const reduce = (name: string, args: readonly MathValue[]): MathValue => {
  const fn = reducers[name];
  if (!fn || args.length !== 1) throw new MathError(`${name} takes exactly one argument`);
  const arg = args[0] as MathValue;
  if (typeof arg === 'number') return arg;
  if (!isList(arg)) return arg.size === 0 ? Number.NaN : fn([...arg.values()]);
  const byTime = new Map<number, number[]>();
  for (const series of arg) {
    for (const [t, v] of series) byTime.set(t, [...(byTime.get(t) ?? []), v]);
  }
  return finite([...byTime].sort((a, b) => a[0] - b[0]).map(([t, vs]) => [t, fn(vs)] as const));
};

/** Evaluates an expression; `resolve` answers the value of a metric id or throws. */
export const evaluateExpression = (
  expr: Expr,
  resolve: (id: string) => number | TimeSeries,
): MathValue => {
  const scalarOrSeries = (value: MathValue, what: string): number | TimeSeries => {
    if (isList(value)) throw new MathError(`A list of series cannot be used in ${what}`);
    return value;
  };
  const evaluate = (e: Expr): MathValue => {
    switch (e.type) {
      case 'number':
        return e.value;
      case 'id':
        return resolve(e.name);
      case 'negate':
        return combine('*', -1, scalarOrSeries(evaluate(e.operand), 'unary minus'));
      case 'binary':
        return combine(
          e.op,
          scalarOrSeries(evaluate(e.left), `'${e.op}'`),
          scalarOrSeries(evaluate(e.right), `'${e.op}'`),
        );
      case 'list':
        return e.items.map((item) => {
          const value = evaluate(item);
          if (typeof value === 'number' || isList(value)) {
            throw new MathError('A list may hold only time series');
          }
          return value;
        });
      case 'call':
        return reduce(e.name, e.args.map(evaluate));
    }
  };
  return evaluate(expr);
};
