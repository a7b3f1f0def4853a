import { parsePrometheusText } from './prometheus-text';

describe(parsePrometheusText.name, () => {
  it('reads families, samples, labels (escaped) and special values', () => {
    const sut = parsePrometheusText(
      [
        '# HELP jobs Jobs by state',
        '# TYPE jobs gauge',
        'jobs{queue="events",state="waiting"} 3',
        'jobs{queue="a\\"b\\\\c",state="x"} 0',
        '# TYPE latency histogram',
        'latency_bucket{le="0.5"} 1',
        'latency_bucket{le="+Inf"} 2',
        'latency_sum 1.5e0',
        'latency_count 2',
        '# TYPE lag gauge',
        'lag Nan',
        '',
      ].join('\n'),
    );
    expect(sut.types.get('latency')).toBe('histogram');
    expect(sut.sum('jobs', { queue: 'events' })).toBe(3);
    expect(sut.find('jobs')[1].labels.queue).toBe('a"b\\c');
    expect(sut.find('latency_bucket', { le: '+Inf' })[0].value).toBe(2);
    expect(sut.sum('latency_sum')).toBe(1.5);
    expect(sut.find('lag')[0].value).toBeNaN();
  });

  it.each([
    ['a sample without a TYPE', 'orphan 1'],
    ['a bad value', '# TYPE x gauge\nx one'],
    ['bad labels', '# TYPE x gauge\nx{a=1} 1'],
    ['an unknown type', '# TYPE x thing'],
  ])('rejects %s', (_, text) => {
    expect(() => parsePrometheusText(text)).toThrow();
  });
});
