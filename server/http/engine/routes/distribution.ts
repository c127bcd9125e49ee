import { sendJSON } from '../respond';
import type { Route } from '../router';

/**
 * Image resolution. Offline, we answer with an empty descriptor: the CLI
 * then leaves the image unpinned and prints no warning.
 */
export const distributionRoutes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/distribution\/(.+)\/json$/,
    handle: ({ res }) => sendJSON(res, 200, { Descriptor: { mediaType: '', digest: '', size: 0 }, Platforms: [] }),
  },
];
