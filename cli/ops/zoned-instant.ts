/**
 * An ISO-8601 instant with its zone (`2026-12-01T20:30Z`, `…T22:30:00+02:00`). A time without
 * a zone is refused: the same words on a laptop in Johannesburg and on a UTC runner would name
 * different moments (a different restore, a different replay).
 */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/** The instant `text` names, or undefined when it is not a zoned ISO-8601 instant. */
export const parseZonedInstant = (text: string): Date | undefined => {
  if (!ISO_INSTANT.test(text)) return undefined;
  const at = new Date(text);
  return Number.isNaN(at.getTime()) ? undefined : at;
};
