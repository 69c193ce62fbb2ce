/** Returns the rewritten source, or null when the file has no decorator to compile. */
export function compileLitDecorators(code: string, fileName?: string): string | null;
