import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { ControlFault } from '@/server/api/types';
import { FaultBanner } from './fault-banner';
import { FaultMarker } from './fault-marker';

const T = '2026-01-01T00:00:00.000Z';
const faults: ControlFault[] = [
  { Loop: 'scheduler', Message: 'd.toLowerCase is not a function', Since: T },
  {
    Loop: 'orchestrator',
    Message: 'Mode.Replicated.Replicas: 1000000000 is more than the limit of 10000 replicas',
    Since: T,
  },
];

describe('FaultBanner', () => {
  it('says nothing without faults', () => {
    expect(renderToStaticMarkup(<FaultBanner faults={undefined} kind="service" />)).toBe('');
    expect(renderToStaticMarkup(<FaultMarker faults={[]} />)).toBe('');
  });

  it('is an alert naming each loop, what it could not do and why, the whole-service fault first', () => {
    const html = renderToStaticMarkup(<FaultBanner faults={faults} kind="service" />);
    expect(html).toContain('role="alert"');
    expect(html).toContain('This service has a fault');
    const orchestrator = html.indexOf('The orchestrator cannot reconcile this service');
    const scheduler = html.indexOf('The scheduler cannot place its tasks');
    expect(orchestrator).toBeGreaterThan(0);
    expect(scheduler).toBeGreaterThan(orchestrator);
    expect(html).toContain('1000000000 is more than the limit of 10000 replicas');
    expect(html).toContain(`dateTime="${T}"`);
  });

  it('speaks of a node on a node page', () => {
    const html = renderToStaticMarkup(
      <FaultBanner faults={[{ Loop: 'scheduler', Message: 'Constraints filter: x', Since: T }]} kind="node" />,
    );
    expect(html).toContain('This node has a fault');
    expect(html).toContain('left out of placement');
  });

  it('marks a row with a labelled sign whose text is the whole summary', () => {
    const html = renderToStaticMarkup(<FaultMarker faults={faults} />);
    expect(html).toContain('role="img"');
    expect(html).toContain(
      'aria-label="fault: scheduler: d.toLowerCase is not a function; orchestrator: Mode.Replicated',
    );
  });
});
