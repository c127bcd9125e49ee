'use client';

import { useEffect, useState } from 'react';

/**
 * A number that moves when the theme in force may have changed: the toggle sets html's data-theme, the
 * system's scheme flips, or html's class or style change. A canvas resolves its colours from CSS only when
 * it moves: a probe read on every redraw made the browser work out the page's style there and then, inside
 * the redraw's task.
 */
export function useThemeEpoch(): number {
  const [epoch, setEpoch] = useState(0);
  useEffect(() => {
    const bump = () => setEpoch((n) => n + 1);
    const mo = new MutationObserver(bump);
    mo.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme', 'class', 'style'] });
    const mq = matchMedia('(prefers-color-scheme: dark)');
    mq.addEventListener('change', bump);
    return () => {
      mo.disconnect();
      mq.removeEventListener('change', bump);
    };
  }, []);
  return epoch;
}
