import { describe, expect, it } from 'vitest';
import { may, NEEDS, type ConsoleAction } from './permissions';

const actions = Object.keys(NEEDS) as ConsoleAction[];

describe('may', () => {
  it('gives a viewer no action at all', () => {
    expect(actions.filter((a) => may('viewer', a))).toEqual([]);
  });

  it("gives an operator scale, update, rollback, drain, logs and secrets' metadata, nothing an admin's", () => {
    expect(actions.filter((a) => may('operator', a)).sort()).toEqual(
      ['drain', 'logs', 'rollback', 'scale', 'secrets', 'update'].sort(),
    );
  });

  it('gives an admin everything', () => {
    expect(actions.every((a) => may('admin', a))).toBe(true);
  });

  it('gives nobody anything while the session is unknown', () => {
    expect(actions.some((a) => may(undefined, a))).toBe(false);
  });
});
