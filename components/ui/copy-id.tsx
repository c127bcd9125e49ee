'use client';

import { useState } from 'react';
import { shortID } from '../time/format';

/** Short ID as the CLI prints it; the full ID on hover, copied on click. */
export function CopyID({ id }: { id: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="copy-id mono"
      title={`${id} (click to copy)`}
      // the name holds the short ID it shows (the full one is in the title)
      aria-label={`Copy ID ${shortID(id)}`}
      data-copied={copied || undefined}
      onClick={() => {
        void navigator.clipboard?.writeText(id).then(
          () => {
            setCopied(true);
            setTimeout(() => setCopied(false), 1200);
          },
          () => undefined,
        );
      }}
    >
      {shortID(id)}
    </button>
  );
}
