/** A text in French, with its English beside it: every document speaks both. */
export interface Bilingual {
  readonly fr: string;
  readonly en: string;
}

export const bi = (fr: string, en: string): Bilingual => ({ fr, en });

/** Where the chain must write or judge for itself: the documents never guess in its place. */
export const BLANK = '[à compléter / to be completed]';

/** A table cell: a figure or a name as is, or a text in both languages. */
export type Cell = string | number | Bilingual;

export function heading(level: 1 | 2 | 3, title: Bilingual): string {
  return `${'#'.repeat(level)} ${title.fr} / ${title.en}`;
}

/** The French paragraph, then the English one in italics. */
export function paragraph(text: Bilingual): string {
  return `${text.fr}\n\n_${text.en}_`;
}

export function bullets(items: readonly Bilingual[]): string {
  return items.map((i) => `- ${i.fr}<br>_${i.en}_`).join('\n');
}

export function table(head: readonly Bilingual[], rows: readonly (readonly Cell[])[]): string {
  const line = (cells: readonly Cell[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(head), `|${head.map(() => ' --- |').join('')}`, ...rows.map(line)].join('\n');
}

function cell(c: Cell): string {
  return typeof c === 'object' ? `${c.fr}<br>_${c.en}_` : String(c);
}

/** A whole document: its title, then its blocks, one blank line apart. */
export function markdownDocument(title: Bilingual, blocks: readonly string[]): string {
  return `${[heading(1, title), ...blocks].join('\n\n')}\n`;
}
