export type ThemeChoice = 'system' | 'light' | 'dark';
export const THEME_STORAGE_KEY = 'swarmdeck.theme';

/**
 * Runs in <head> before first paint so a stored choice never flashes the
 * other theme. "system" leaves data-theme unset and CSS follows
 * prefers-color-scheme.
 */
export const THEME_INIT_SCRIPT = `(function(){try{var t=localStorage.getItem('${THEME_STORAGE_KEY}');if(t==='light'||t==='dark')document.documentElement.dataset.theme=t;}catch(e){}})();`;
