import { describe, expect, it } from 'vitest';
import { HttpError } from './http-error';
import { MAX_TARGET_BYTES, parseRequestTarget } from './request-target';

const refusal = (url: string | undefined) => {
  const t = parseRequestTarget(url);
  if (!(t instanceof HttpError)) throw new Error(`${url} was accepted`);
  return { status: t.status, message: t.message };
};

describe('parseRequestTarget', () => {
  it('splits an origin-form target into path and query', () => {
    const t = parseRequestTarget('/v1.50/services?filters=%7B%22name%22%3A%7B%22web%22%3Atrue%7D%7D&x=a+b');
    expect(t).not.toBeInstanceOf(HttpError);
    if (t instanceof HttpError) return;
    expect(t.path).toBe('/v1.50/services');
    expect(t.query.get('filters')).toBe('{"name":{"web":true}}');
    expect(t.query.get('x')).toBe('a b');
    expect(parseRequestTarget('/services/web%2F1')).toMatchObject({ path: '/services/web%2F1', search: '' });
  });

  it('refuses what URL parsers would read as another host, or cannot decode, with a 400', () => {
    expect(refusal('//x')).toEqual({ status: 400, message: 'malformed request URL "//x": path starts with //' });
    expect(refusal('//')).toMatchObject({ status: 400 });
    expect(refusal('/\\evil.example/x')).toEqual({
      status: 400,
      message: 'malformed request URL "/\\\\evil.example/x": backslash in path',
    });
    expect(refusal('/services/%zz').message).toMatch(/invalid URL escape in path/);
    expect(refusal('/services/%').message).toMatch(/invalid URL escape in path/);
    expect(refusal('/services/%C0%AF').message).toMatch(/invalid URL escape in path/);
    expect(refusal('/info?x=%4').message).toMatch(/invalid URL escape in query/);
    expect(refusal('http://evil.example/_ping').message).toMatch(/must be a path starting with \//);
    expect(refusal('*')).toMatchObject({ status: 400 });
    expect(refusal(undefined)).toMatchObject({ status: 400 });
  });

  it('refuses an over-long URL with 414, and shows only the start of it', () => {
    const r = refusal('/' + 'a'.repeat(MAX_TARGET_BYTES));
    expect(r).toEqual({
      status: 414,
      message: `request URL of ${MAX_TARGET_BYTES + 1} bytes exceeds the 8192-byte limit`,
    });
    expect(refusal('//' + 'b'.repeat(500)).message.length).toBeLessThan(150);
  });
});
