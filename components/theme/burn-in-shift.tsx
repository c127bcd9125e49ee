'use client';

import { useEffect } from 'react';
import { burnInOffset, msToNextShift } from './burn-in';

/**
 * While mounted (on /wall), moves the page by a few pixels every few minutes
 * through --burn-x/--burn-y on <html> (globals.css applies them). Renders nothing.
 */
export function BurnInShift() {
  useEffect(() => {
    const root = document.documentElement.style;
    let timer: ReturnType<typeof setTimeout>;
    const shift = () => {
      const now = Date.now();
      const { x, y } = burnInOffset(now);
      root.setProperty('--burn-x', `${x}px`);
      root.setProperty('--burn-y', `${y}px`);
      timer = setTimeout(shift, msToNextShift(now) + 50);
    };
    shift();
    return () => {
      clearTimeout(timer);
      root.removeProperty('--burn-x');
      root.removeProperty('--burn-y');
    };
  }, []);
  return null;
}
