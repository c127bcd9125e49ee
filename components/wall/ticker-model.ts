// The wall's event ticker: the cluster's newest events, newest first, one
// line each in the console timeline's words, naming what changed (a timeline
// is one object's; the ticker is the whole cluster's).

import type { ClusterEvent, LoggedEvent } from '@/server/api/events';
import { TIMELINE_EVENTS, eventMillis } from '@/server/api/events';
import { eventText, eventTone } from '../events/event-text';
import type { Tone } from '../ui/badge';
import { CHROME_EM } from './density-model';

export interface TickerRow {
  key: string;
  /** when it happened, ms since the epoch */
  at: number;
  /** `14:02:09`, local time */
  time: string;
  type: ClusterEvent['Type'];
  text: string;
  tone: Tone;
}

/** A ticker row's height in em of the wall's base font (wall.css: .wall-ticker-row). */
export const TICKER_ROW_EM = 2.6;

const pad = (n: number) => String(n).padStart(2, '0');

export function clockTime(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** The timeline's line, with the object named where the timeline leaves it out (an update of a service or node). */
export function tickerText(e: ClusterEvent): string {
  if (e.Type === 'task' || e.Action !== 'update') return eventText(e);
  const name = e.Actor.Attributes.name || e.Actor.ID.slice(0, 12);
  return `${e.Type} ${name}: ${eventText(e)}`;
}

/**
 * Whether an event earns a line on the wall: not an object update that changed
 * nothing the timeline names (a node's heartbeat bookkeeping, the allocator
 * filling in a service's endpoint), which would only push real news off screen.
 */
export function tickerWorthy(e: ClusterEvent): boolean {
  return e.Type === 'task' || e.Action !== 'update' || eventText(e) !== `${e.Type} updated`;
}

/** How many events to ask the server for to fill `rows` once the unworthy are dropped. */
export const tickerFetchCount = (rows: number): number => Math.min(TIMELINE_EVENTS, rows * 2);

/** The newest `max` events as rows, newest first (the log hands them oldest first). */
export function tickerRows(events: readonly LoggedEvent[], max: number): TickerRow[] {
  const rows: TickerRow[] = [];
  for (let i = events.length - 1; i >= 0 && rows.length < max; i--) {
    const { index, seq, event: e } = events[i]!;
    if (!tickerWorthy(e)) continue;
    const at = eventMillis(e);
    rows.push({
      key: `${index}/${seq}`,
      at,
      time: clockTime(at),
      type: e.Type,
      text: tickerText(e),
      tone: eventTone(e),
    });
  }
  return rows;
}

/** How many rows fill the view on a screen `height` px high with a base font of `fontPx`: never a scroll. */
export function tickerRowsFit(height: number, fontPx: number): number {
  const rows = Math.floor((height - CHROME_EM * fontPx) / (TICKER_ROW_EM * fontPx));
  return Math.min(TIMELINE_EVENTS, Math.max(1, rows));
}

/** At most this many new rows slide in at once; more arrive as they are. */
export const TICKER_MAX_ENTERING = 3;

/**
 * The rows that slide in: those new since `before` (the keys last drawn), when there are only a few.
 * A busy cluster replaces most of the list at every read: each row sliding in then was a full-width
 * layer for the compositor to blend at 4K, and the ticker ran at 34 fps. The first drawing slides
 * nothing in either.
 */
export function enteringRows(
  before: ReadonlySet<string> | undefined,
  rows: readonly TickerRow[],
  max = TICKER_MAX_ENTERING,
): ReadonlySet<string> {
  if (!before) return new Set();
  const fresh = rows.filter((r) => !before.has(r.key)).map((r) => r.key);
  return fresh.length <= max ? new Set(fresh) : new Set();
}
