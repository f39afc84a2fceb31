/**
 * Escaping for the HTML report. Journals hold user-provided text (rollback reasons, gate
 * override reasons, error messages), so every value goes through one of these before it
 * reaches the page: {@link htmlEscape} for element bodies and attributes, {@link jsonForScript}
 * for data embedded in a `<script>` element.
 */

/** Escapes text for an HTML element body or a double- or single-quoted attribute. */
export const htmlEscape = (value: unknown): string =>
  String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

/**
 * JSON safe inside `<script type="application/json">`: `<` is written as `\u003c`, so a
 * string holding `</script>` or `<!--` cannot end or confuse the element; U+2028/U+2029
 * are escaped because some parsers treat them as line ends. `JSON.parse` reads it back
 * unchanged.
 */
export const jsonForScript = (value: unknown): string =>
  JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');

/**
 * Inline script or style text (a vendored library) with any `</script` / `</style` closing
 * sequence broken, so the embedding element ends where the page means it to.
 */
export const inlineSafe = (text: string, tag: 'script' | 'style'): string =>
  text.replace(new RegExp(`</(${tag})`, 'gi'), '<\\/$1');
