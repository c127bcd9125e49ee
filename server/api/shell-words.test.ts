import { describe, expect, it } from 'vitest';
import { shellWords } from './shell-words';

describe('shellWords', () => {
  it.each([
    ['sleep 3600', ['sleep', '3600']],
    ['  sh   -c  "echo hi; sleep 1"  ', ['sh', '-c', 'echo hi; sleep 1']],
    [`sh -c 'exec nginx -g "daemon off;"'`, ['sh', '-c', 'exec nginx -g "daemon off;"']],
    ['a\\ b "q\\"x" \'\'', ['a b', 'q"x', '']],
    ['', []],
  ])('splits %j', (text, words) => {
    expect(shellWords(text)).toEqual(words);
  });

  it('refuses an unterminated quote', () => {
    expect(shellWords('sh -c "echo')).toBeUndefined();
    expect(shellWords("it's")).toBeUndefined();
  });
});
