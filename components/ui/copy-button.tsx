'use client';

import { useEffect, useState } from 'react';

/** Clipboard API where the page is a secure context, a selection copy elsewhere (plain http on a LAN). */
export async function copyText(text: string): Promise<void> {
  if (window.isSecureContext && navigator.clipboard) return navigator.clipboard.writeText(text);
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  try {
    if (!document.execCommand('copy')) throw new Error('copy failed');
  } finally {
    area.remove();
  }
}

export function CopyButton({ text, label }: { text: string | undefined; label: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const t = setTimeout(() => setState('idle'), 1500);
    return () => clearTimeout(t);
  }, [state]);
  return (
    <button
      type="button"
      className="btn btn-small copy-btn"
      aria-label={label}
      data-copied={state === 'copied' || undefined}
      disabled={text === undefined}
      onClick={() => {
        if (text !== undefined)
          copyText(text).then(
            () => setState('copied'),
            () => setState('failed'),
          );
      }}
    >
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : 'Copy'}
    </button>
  );
}
