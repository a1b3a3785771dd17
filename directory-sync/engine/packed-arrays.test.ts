import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { flatMapAll, mapAll, mapWhere } from './packed-arrays.js';

describe('packed arrays', () => {
  it('map, filter-then-map and flatMap as the built-ins do, in order', () => {
    const xs = [3, 1, 4, 1, 5];
    expect(mapAll(xs, (x) => `n${x}`)).toEqual(xs.map((x) => `n${x}`));
    expect(
      mapWhere(
        xs,
        (x) => x > 1,
        (x) => x * 10,
      ),
    ).toEqual([30, 40, 50]);
    expect(flatMapAll(xs, (x) => (x === 1 ? [] : [x, -x]))).toEqual([3, -3, 4, -4, 5, -5]);
    expect(mapAll([], (x) => x)).toEqual([]);
    expect(
      mapWhere(
        xs,
        () => false,
        (x) => x,
      ),
    ).toEqual([]);
  });

  it('give empty and full results one array map, in optimized code as in the interpreter', () => {
    // What the module exists for, checked on this Node's V8 with its own introspection: a caller
    // optimized by TurboFan gets arrays of the same map (elements kind) as before it was optimized,
    // so code that reads them does not deoptimize. (With xs.map in place of mapAll, the last three
    // maps differ from the first on Node 20.)
    const module = fileURLToPath(new URL('./packed-arrays.ts', import.meta.url));
    const script = `
      const { mapAll, mapWhere } = await import(${JSON.stringify(module)});
      const same = new Function('a', 'b', 'return %HaveSameMap(a, b)');
      const optimize = new Function('f', '%OptimizeFunctionOnNextCall(f)');
      const prepare = new Function('f', '%PrepareFunctionForOptimization(f)');
      const ids = (xs) => mapAll(xs, (x) => x.id);
      const odd = (xs) => mapWhere(xs, (x) => x.n % 2 === 1, (x) => x.id);
      const full = [{ id: 'a', n: 1 }, { id: 'b', n: 2 }];
      const out = {};
      for (const [name, f] of [['mapAll', ids], ['mapWhere', odd]]) {
        // As in a pass: called for batch after batch before anything is optimized (the helpers'
        // feedback, where their literal's elements kind is remembered, exists only after some calls).
        prepare(f);
        for (let i = 0; i < 50; i++) f(i % 2 ? full : []);
        const before = [f(full), f([])];
        optimize(f);
        const after = [f(full), f([])];
        out[name] = [...before, ...after].every((a) => same(a, before[0]));
      }
      process.stdout.write(JSON.stringify(out));`;
    const printed = execFileSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    expect(JSON.parse(printed)).toEqual({ mapAll: true, mapWhere: true });
  });
});
