// Small text helpers shared by the output paths (no dependencies: loaded at start-up).

/**
 * Joins a message and what to do next into one line: the message gets a full stop when it has
 * none, so two sentences never run together.
 */
export function sentences(...parts: readonly string[]): string {
  return parts
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part, index, all) => (index < all.length - 1 && !/[.!?]$/.test(part) ? `${part}.` : part))
    .join(' ');
}

/** Removes the padding a table leaves at the end of each line. */
export function trimLines(text: string): string {
  return text.replace(/[ \t]+$/gm, '');
}
