/** Writes a JSON-able value the way Python's repr() does, as Dyte's webhooks sometimes send dicts. */
export function pythonLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') {
    const escaped = JSON.stringify(value).slice(1, -1).replace(/\\"/g, '"');
    // Like repr(): double quotes when the text holds a single quote and no double quote.
    if (value.includes("'") && !value.includes('"')) return `"${escaped}"`;
    return `'${escaped.replace(/'/g, "\\'")}'`;
  }
  if (Array.isArray(value)) return `[${value.map(pythonLiteral).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([key, item]) => `${pythonLiteral(key)}: ${pythonLiteral(item)}`)
      .join(', ')}}`;
  }
  return String(value);
}
