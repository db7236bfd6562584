/** What can go wrong with a whole file, as opposed to one of its rows. */
export type ImportFileErrorCode = 'empty' | 'encoding' | 'header' | 'syntax' | 'too-large' | 'no-rows';

/** A problem with the file as a whole: the import stores nothing and says where and why. */
export class ImportFileError extends Error {
  constructor(
    readonly code: ImportFileErrorCode,
    message: string,
    readonly line?: number,
  ) {
    super(message);
  }
}
