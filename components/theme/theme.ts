export type ThemeChoice = 'system' | 'light' | 'dark' | 'contrast';
/** The choices that set data-theme (system leaves it unset). */
export const SET_THEMES: readonly ThemeChoice[] = ['light', 'dark', 'contrast'];
export const THEME_STORAGE_KEY = 'swarmdeck.theme';

/**
 * Runs in <head> before first paint so a stored choice never flashes the
 * other theme. "system" leaves data-theme unset and CSS follows
 * prefers-color-scheme.
 */
export const THEME_INIT_SCRIPT = `(function(){try{var t=localStorage.getItem('${THEME_STORAGE_KEY}');if(t==='light'||t==='dark'||t==='contrast')document.documentElement.dataset.theme=t;}catch(e){}})();`;
