'use client';

import { useEffect, useState } from 'react';
import { DEFAULT_INTERVAL_S, rotationFromQuery, type RotationConfig } from './rotation-model';

export interface WallScreen {
  width: number;
  height: number;
}

/** The viewport's size in CSS px, kept current on resize; null before the first client render. */
export function useWallScreen(): WallScreen | null {
  const [size, setSize] = useState<WallScreen | null>(null);
  useEffect(() => {
    const read = () => setSize({ width: window.innerWidth, height: window.innerHeight });
    read();
    window.addEventListener('resize', read);
    return () => window.removeEventListener('resize', read);
  }, []);
  return size;
}

/** The rotation asked for in the URL (`?view=map&interval=20`), read once the page is on the client. */
export function useRotationConfig(): RotationConfig {
  const [config, setConfig] = useState<RotationConfig>({ pinned: null, intervalMs: DEFAULT_INTERVAL_S * 1000 });
  useEffect(() => setConfig(rotationFromQuery(new URLSearchParams(window.location.search))), []);
  return config;
}
