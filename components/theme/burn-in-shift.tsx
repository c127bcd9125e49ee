'use client';

import { useEffect, type RefObject } from 'react';
import { burnInOffset, msToNextShift } from './burn-in';

/**
 * While mounted (the wall), moves `target` by a pixel every few minutes (burn-in.ts's orbit) through its
 * own `translate`. Not a custom property on <html> read by the wall's children: a custom property is
 * inherited, so each step restyled every element of the page (2,000 at 500 nodes, a frame of 30-40 ms on
 * this machine). `translate` is not inherited: a step restyles the one element and repaints what moved.
 * A step, not a transition: gliding over seconds redrew the whole 4K screen on every frame of it, and one
 * px moved at once is no more visible across a room than one px moved slowly.
 */
export function useBurnInShift(target: RefObject<HTMLElement | null>) {
  useEffect(() => {
    const el = target.current;
    if (!el) return;
    let timer: ReturnType<typeof setTimeout>;
    const shift = () => {
      const now = Date.now();
      const { x, y } = burnInOffset(now);
      el.style.translate = `${x}px ${y}px`;
      timer = setTimeout(shift, msToNextShift(now) + 50);
    };
    shift();
    return () => {
      clearTimeout(timer);
      el.style.removeProperty('translate');
    };
  }, [target]);
}
