// The wall's painter in its own thread (the page hands it canvases: paint-host.ts).

import { applyPaint, type PaintMessage, type Surfaces } from './paint-surfaces';

/** The worker's global scope, as much of it as this uses (the project's types are the page's, not a worker's). */
const scope = globalThis as unknown as { onmessage: ((e: MessageEvent<PaintMessage>) => void) | null };

const surfaces: Surfaces = new Map();

scope.onmessage = (e) => applyPaint(surfaces, e.data);
