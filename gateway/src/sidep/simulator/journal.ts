import { appendFile, readFile, writeFile } from 'node:fs/promises';

/** One accepted message. Ids, status and counts only: the file must hold no personal data. */
export interface JournalEntry {
  messageId: string;
  ackId: string;
  /** When the message was first accepted (ISO 8601). */
  receivedAt: string;
  /** The Observation's `status` (`final`, `amended`, `cancelled`…). */
  observationStatus: string;
  /** How many times the message was received, the first time included. */
  count: number;
}

/** Accepted messages by id, in memory and optionally in a JSON Lines file. */
export interface Journal {
  find(messageId: string): JournalEntry | undefined;
  /** Records a first receipt, or counts a repeat of a known id; resolves once written. */
  record(entry: Omit<JournalEntry, 'count'>): Promise<JournalEntry>;
  list(): JournalEntry[];
  clear(): Promise<void>;
}

/**
 * Opens the journal, loading `file` if it exists so that a restarted simulator still replays
 * its acknowledgements. The file gets one line per receipt; the last line of an id wins.
 *
 * @example
 * const journal = await openJournal('.data/sidep-journal.jsonl');
 */
export async function openJournal(file?: string): Promise<Journal> {
  const entries = new Map<string, JournalEntry>();
  for (const entry of file === undefined ? [] : await readEntries(file)) entries.set(entry.messageId, entry);
  // One write at a time keeps lines whole and in receipt order.
  let writes: Promise<void> = Promise.resolve();
  const write = (operation: (path: string) => Promise<void>): Promise<void> => {
    if (file === undefined) return Promise.resolve();
    const next = writes.catch(() => undefined).then(() => operation(file));
    writes = next;
    return next;
  };

  return {
    find: (messageId) => entries.get(messageId),
    async record(receipt) {
      // Looked up and stored in one synchronous step: concurrent repeats share one ack.
      const known = entries.get(receipt.messageId);
      const entry = known === undefined ? { ...receipt, count: 1 } : { ...known, count: known.count + 1 };
      entries.set(entry.messageId, entry);
      await write((path) => appendFile(path, `${JSON.stringify(entry)}\n`, { mode: 0o600 }));
      return entry;
    },
    list: () => [...entries.values()],
    async clear() {
      entries.clear();
      await write((path) => writeFile(path, ''));
    },
  };
}

async function readEntries(file: string): Promise<JournalEntry[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return text.split('\n').flatMap((line) => {
    try {
      const entry = JSON.parse(line) as Partial<JournalEntry> | null;
      return typeof entry?.messageId === 'string' ? [entry as JournalEntry] : [];
    } catch {
      return []; // blank, or cut short by a crash mid-write
    }
  });
}
