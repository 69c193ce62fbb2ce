/** Chromium's path: CHROME_PATH, else the usual system paths; null when there is none. */
export function findChromium(): string | null;
/** Like findChromium, installing Debian's chromium when running as root on Debian; null with a message otherwise. */
export function ensureChromium(): string | null;
/** Flags that keep Chromium quiet on a machine with no internet (and let it run as root). */
export const CHROMIUM_ARGS: string[];
