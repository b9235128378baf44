import { appendFile, readFile, writeFile } from 'node:fs/promises';

/** One accepted message. Ids, status and counts only: the file must hold no personal data. */
export interface JournalEntry {
  messageId: string;
  ackId: string;
  /** When the message was first accepted (ISO 8601). */
  receivedAt: string;
  /** The Observation's `status` (`final`, `amended`, `cancelled`…). */
  observationStatus: string;
  /** The contract version the message was sent under (`X-Sidep-Contract-Version`), if it named one. */
  contractVersion: string | null;
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
  // One write at a time keeps lines whole and in receipt order; the receipts that arrive while a
  // write is under way go out together in the next one (an append of its own for each receipt
  // queued every acknowledgement behind a file open, write and close).
  let writes: Promise<void> = Promise.resolve();
  const write = (operation: (path: string) => Promise<void>): Promise<void> => {
    if (file === undefined) return Promise.resolve();
    const next = writes.catch(() => undefined).then(() => operation(file));
    writes = next;
    return next;
  };
  let open: { lines: string[]; written: Promise<void> } | undefined;
  const append = (line: string): Promise<void> => {
    if (file === undefined) return Promise.resolve();
    if (!open) {
      const batch: { lines: string[]; written: Promise<void> } = { lines: [], written: Promise.resolve() };
      batch.written = write((path) => {
        if (open === batch) open = undefined;
        return appendFile(path, batch.lines.join(''), { mode: 0o600 });
      });
      open = batch;
    }
    open.lines.push(line);
    return open.written;
  };

  return {
    find: (messageId) => entries.get(messageId),
    async record(receipt) {
      // Looked up and stored in one synchronous step: concurrent repeats share one ack.
      const known = entries.get(receipt.messageId);
      const entry = known === undefined ? { ...receipt, count: 1 } : { ...known, count: known.count + 1 };
      entries.set(entry.messageId, entry);
      await append(`${JSON.stringify(entry)}\n`);
      return entry;
    },
    list: () => [...entries.values()],
    async clear() {
      entries.clear();
      // receipts recorded from now on are written after the file is emptied
      open = undefined;
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
