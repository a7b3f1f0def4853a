/**
 * What is wrong with the processors found for the queues: each queue needs exactly one, and a
 * processor on a queue that is not one of them is a mistake too (a typo in `@Processor`). Empty
 * when all is well.
 */
export function processorProblems(
  queues: readonly string[],
  processors: readonly { className: string; queue: string }[],
): string[] {
  const problems: string[] = [];
  for (const queue of queues) {
    const names = processors.filter((p) => p.queue === queue).map((p) => p.className);
    if (names.length === 0) problems.push(`queue "${queue}" has no processor`);
    if (names.length > 1)
      problems.push(`queue "${queue}" has ${names.length} processors (${names.join(', ')})`);
  }
  for (const processor of processors) {
    if (!queues.includes(processor.queue))
      problems.push(`${processor.className} processes unknown queue "${processor.queue}"`);
  }
  return problems;
}
