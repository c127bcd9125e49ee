import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { Providers } from '@/components/providers/providers';
import { THEME_INIT_SCRIPT } from '@/components/theme/theme';
import './globals.css';
import './nodes.css';
import './faults.css';
import '@/components/jobs/jobs.css';
import '@/components/realtime/stale.css';

export const metadata: Metadata = {
  title: { default: 'Swarmdeck', template: '%s · Swarmdeck' },
  description: 'Live console for a Swarmdeck cluster',
};

export const viewport: Viewport = {
  colorScheme: 'light dark',
  themeColor: [
    { media: '(prefers-color-scheme: light)', color: '#f6f7f9' },
    { media: '(prefers-color-scheme: dark)', color: '#0e1116' },
  ],
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    // the theme script sets data-theme before hydration
    <html lang="en" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: THEME_INIT_SCRIPT }} />
      </head>
      <body>
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
