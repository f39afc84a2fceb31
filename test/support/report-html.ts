/** Reading a rendered report page the way its script and a browser would. */

/** The `#run-data` blob, parsed as the page's script parses it. */
export const runDataOf = <T>(html: string): T => {
  const match = html.match(/<script type="application\/json" id="run-data">([\s\S]*?)<\/script>/);
  if (!match?.[1]) throw new Error('no #run-data in the page');
  return JSON.parse(match[1]) as T;
};

/** Every external reference a browser would fetch: src=, href=, @import, url(. */
export const externalRefs = (html: string): string[] =>
  [
    ...html.matchAll(
      /(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\/[^"'\s>]*|@import[^;]*|url\(\s*["']?(?:https?:)?\/\/[^)]*\)/gi,
    ),
  ].map((m) => m[0]);
