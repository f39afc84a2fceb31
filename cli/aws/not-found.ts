/** "Not found" is an answer for a read-only question, not a failure: the SDK's ways of saying it. */
export const notFound = (error: unknown): boolean =>
  /NotFound|NonExistent|NoSuch|does not exist/i.test(
    `${(error as Error).name} ${(error as Error).message}`,
  ) || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404;

/** The call's answer, or undefined when the thing asked about does not exist. */
export const orUndefined = async <T>(action: () => Promise<T>): Promise<T | undefined> => {
  try {
    return await action();
  } catch (error) {
    if (notFound(error)) return undefined;
    throw error;
  }
};
