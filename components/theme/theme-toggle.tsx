'use client';

import { useSyncExternalStore } from 'react';
import { SET_THEMES, THEME_STORAGE_KEY, type ThemeChoice } from './theme';

const ORDER: ThemeChoice[] = ['system', ...SET_THEMES];
const LABEL: Record<ThemeChoice, string> = { system: 'Auto', light: 'Light', dark: 'Dark', contrast: 'Contrast' };
const listeners = new Set<() => void>();

function read(): ThemeChoice {
  const t = document.documentElement.dataset.theme as ThemeChoice | undefined;
  return t && SET_THEMES.includes(t) ? t : 'system';
}

function write(choice: ThemeChoice): void {
  const root = document.documentElement;
  if (choice === 'system') delete root.dataset.theme;
  else root.dataset.theme = choice;
  try {
    if (choice === 'system') localStorage.removeItem(THEME_STORAGE_KEY);
    else localStorage.setItem(THEME_STORAGE_KEY, choice);
  } catch {
    // private mode: the choice lasts for this page only
  }
  for (const l of listeners) l();
}

function subscribe(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

export function ThemeToggle() {
  const choice = useSyncExternalStore(subscribe, read, () => 'system' as ThemeChoice);
  const next = ORDER[(ORDER.indexOf(choice) + 1) % ORDER.length]!;
  return (
    <button
      type="button"
      className="btn btn-ghost theme-toggle"
      onClick={() => write(next)}
      aria-label={`Theme: ${LABEL[choice]}. Switch to ${LABEL[next]}`}
      title={`Theme: ${LABEL[choice]} (click for ${LABEL[next]})`}
    >
      <span aria-hidden="true" className="theme-icon" data-choice={choice} />
      <span className="theme-label">{LABEL[choice]}</span>
    </button>
  );
}
