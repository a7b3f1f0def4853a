import { groupCommit } from './group-commit';

describe(groupCommit.name, () => {
  it('sends calls made in one turn as one batch, each caller getting its own answer', async () => {
    const batches: number[][] = [];
    const double = groupCommit(async (keys: readonly number[]) => {
      batches.push([...keys]);
      return keys.map((key) => key * 2);
    }, 100);

    await expect(Promise.all([1, 2, 3].map(double))).resolves.toEqual([2, 4, 6]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('holds calls made while maxInFlight batches run and sends them together once one ends', async () => {
    const batches: number[][] = [];
    let finishFirst!: () => void;
    const first = new Promise<void>((resolve) => (finishFirst = resolve));
    const echo = groupCommit(
      async (keys: readonly number[]) => {
        batches.push([...keys]);
        if (batches.length === 1) await first;
        return [...keys];
      },
      100,
      1,
    );

    const one = echo(1);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    const later = [2, 3, 4].map(echo);
    for (let turn = 0; turn < 5; turn += 1) await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([[1]]);

    finishFirst();
    await expect(Promise.all([one, ...later])).resolves.toEqual([1, 2, 3, 4]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('lets other batches run while one is stuck, up to maxInFlight', async () => {
    const stuck = new Promise<number[]>(() => undefined);
    let calls = 0;
    const echo = groupCommit(
      async (keys: readonly number[]) => {
        calls += 1;
        return calls === 1 ? stuck : [...keys];
      },
      100,
      2,
    );

    void echo(1);
    for (let turn = 0; turn < 3; turn += 1) await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toBe(1);
    await expect(echo(2)).resolves.toBe(2);
  });

  it('splits batches at maxBatchSize', async () => {
    const sizes: number[] = [];
    const echo = groupCommit(async (keys: readonly number[]) => {
      sizes.push(keys.length);
      return [...keys];
    }, 2);

    await Promise.all([1, 2, 3, 4, 5].map(echo));
    expect(sizes).toEqual([2, 2, 1]);
  });

  it('rejects only the calls whose entry is an Error, and a thrown batch only its own calls', async () => {
    let calls = 0;
    const check = groupCommit(async (keys: readonly number[]) => {
      calls += 1;
      if (calls === 1) return keys.map((key) => (key < 0 ? new Error(`bad ${key}`) : key));
      throw new Error('statement failed');
    }, 100);

    const results = await Promise.allSettled([check(1), check(-1)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    await expect(check(2)).rejects.toThrow('statement failed');
    await expect(groupCommit(async (keys: readonly number[]) => [...keys], 10)(7)).resolves.toBe(7);
  });
});
