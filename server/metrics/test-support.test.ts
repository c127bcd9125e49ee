import { describe, expect, it } from 'vitest';
import { parsePrometheusText, sampleValue } from './test-support';

const GOOD = `# HELP reqs_total Requests.
# TYPE reqs_total counter
reqs_total{route="/a",status="200"} 3
reqs_total{route="/b\\"q\\\\",status="404"} 1
# TYPE lat histogram
lat_bucket{le="0.1"} 1
lat_bucket{le="1"} 2
lat_bucket{le="+Inf"} 2
lat_sum 0.6
lat_count 2
# TYPE up gauge
up NaN
`;

describe('parsePrometheusText', () => {
  it('reads families, labels with escapes and histograms', () => {
    const f = parsePrometheusText(GOOD);
    expect(f.get('reqs_total')?.type).toBe('counter');
    expect(f.get('reqs_total')?.help).toBe('Requests.');
    expect(sampleValue(f, 'reqs_total', { route: '/b"q\\' })).toBe(1);
    expect(sampleValue(f, 'reqs_total')).toBe(4);
    expect(sampleValue(f, 'lat', {}, 'lat_count')).toBe(2);
    expect(Number.isNaN(f.get('up')!.samples[0]!.value)).toBe(true);
  });

  it.each([
    ['a bad name', '1abc 1\n'],
    ['an unquoted label', 'a{b=c} 1\n'],
    ['a bad escape', 'a{b="\\x"} 1\n'],
    ['a bad value', 'a 1x\n'],
    ['a TYPE after samples', 'a 1\n# TYPE a gauge\n'],
    ['a split family', '# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na 2\n'],
    ['a negative counter', '# TYPE a counter\na -1\n'],
    ['no trailing newline', 'a 1'],
    ['buckets not cumulative', '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n'],
    ['no +Inf bucket', '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n'],
    ['a count that is not +Inf', '# TYPE h histogram\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 2\n'],
  ])('refuses %s', (_what, text) => {
    expect(() => parsePrometheusText(text)).toThrow();
  });
});
