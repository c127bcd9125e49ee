/**
 * A theme colour as a canvas takes it: `var()` and `light-dark()` resolved for the theme in force, by
 * setting it as `probe`'s colour and reading the computed value back. The probe is any element inside
 * the themed page (a hidden span beside the canvas).
 */
export function cssColor(probe: HTMLElement, variable: string): string {
  probe.style.color = `var(${variable})`;
  return getComputedStyle(probe).color;
}
