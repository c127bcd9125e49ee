'use client';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import type { ComponentProps, FocusEvent, MouseEvent, TouchEvent } from 'react';

type Props = Omit<ComponentProps<typeof Link>, 'href' | 'prefetch'> & { href: string };

/**
 * A link in a list that grows with the cluster: a service, node, task or network row or card.
 *
 * next/link prefetches every link that scrolls into view. In a live list each new row is then one server
 * render per open console: during a rollout, each of ten consoles on /services asked the manager for every
 * new row's route, hundreds of renders on the event loop that also applies Raft entries. This link fetches
 * its route when a person reaches for it (pointer over, touch or keyboard focus), so the click is still
 * instant.
 */
export function RowLink({ href, onMouseEnter, onTouchStart, onFocus, ...rest }: Props) {
  const router = useRouter();
  const reach = () => router.prefetch(href);
  return (
    <Link
      {...rest}
      href={href}
      prefetch={false}
      onMouseEnter={(e: MouseEvent<HTMLAnchorElement>) => {
        reach();
        onMouseEnter?.(e);
      }}
      onTouchStart={(e: TouchEvent<HTMLAnchorElement>) => {
        reach();
        onTouchStart?.(e);
      }}
      onFocus={(e: FocusEvent<HTMLAnchorElement>) => {
        reach();
        onFocus?.(e);
      }}
    />
  );
}
