/**
 * Array.prototype.map and flatMap, written as loops that push into an array literal, for the
 * engine's per-batch code. Not a style choice: once TurboFan optimizes a function it inlines
 * `map` and allocates the result as a HOLEY array, while the interpreter, which gathered that
 * function's type feedback, returned PACKED ones. The optimized code then meets an array of its
 * own making with a map it has never seen, deoptimizes ("wrong map") and is compiled again: eight
 * times in a 100,000-person first load, 150–250 ms of compiler thread each for the applier's
 * bigger functions, on a pass whose two cores are already busy. A literal that is pushed into
 * has the same elements kind in every tier (and its allocation site remembers it, so empty
 * results share the map of full ones).
 */

/** xs.map(f). */
export function mapAll<T, R>(xs: readonly T[], f: (x: T) => R): R[] {
  const out: R[] = [];
  for (let i = 0; i < xs.length; i++) out.push(f(xs[i]!));
  return out;
}

/** xs.filter(keep).map(f), in one pass. */
export function mapWhere<T, R>(xs: readonly T[], keep: (x: T) => boolean, f: (x: T) => R): R[] {
  const out: R[] = [];
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    if (keep(x)) out.push(f(x));
  }
  return out;
}

/** xs.flatMap(f) for an f that returns arrays. */
export function flatMapAll<T, R>(xs: readonly T[], f: (x: T) => readonly R[]): R[] {
  const out: R[] = [];
  for (let i = 0; i < xs.length; i++) {
    const part = f(xs[i]!);
    for (let j = 0; j < part.length; j++) out.push(part[j]!);
  }
  return out;
}
