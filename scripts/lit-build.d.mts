/** Returns the rewritten source, or null when the file has no decorator to compile. */
export function compileLitDecorators(code: string, fileName?: string): string | null;

/** Returns the source with the whitespace of its `html` and `css` tagged templates squeezed. */
export function minifyLitTemplates(code: string, fileName?: string): string;
