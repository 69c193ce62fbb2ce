/** Locale-aware formatting through `Intl`. `locale` undefined means the runtime's default. */

/** `1:02:03` or `2:03`: a running clock. */
export function formatClock(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const pad = (n: number) => String(n).padStart(2, '0');
  const hours = Math.floor(s / 3600);
  const rest = `${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
  return hours ? `${hours}:${rest}` : rest.replace(/^0/, '');
}

/** `1 hr 2 min`, `3 min 5 sec`, `45 sec`: a duration in its two largest units, in the locale's words. */
export function formatDuration(totalSeconds: number, locale?: string): string {
  const s = Math.max(0, Math.round(totalSeconds));
  const unit = (value: number, unit: string) =>
    new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'short' }).format(value);
  const minutes = unit(Math.floor(s / 60) % 60, 'minute');
  if (s >= 3600) return `${unit(Math.floor(s / 3600), 'hour')} ${minutes}`;
  return s >= 60 ? `${minutes} ${unit(s % 60, 'second')}` : unit(s, 'second');
}

/** `12.5 MB` (decimal units, as the unit names say; recordings stay well under a terabyte). */
export function formatBytes(bytes: number, locale?: string): string {
  const power = Math.min(3, Math.floor(Math.log10(Math.max(1, bytes)) / 3));
  return new Intl.NumberFormat(locale, {
    style: 'unit',
    unit: ['byte', 'kilobyte', 'megabyte', 'gigabyte'][power],
    unitDisplay: 'short',
    maximumFractionDigits: power ? 1 : 0,
  }).format(Math.max(0, bytes) / 1000 ** power);
}

/** A date and time, medium date and short time. */
export function formatDate(iso: string, locale?: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}
