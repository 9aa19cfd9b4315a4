/**
 * The change sequence of the PostgreSQL store (migration 3), with the SQLite store's meaning
 * (../change-seq.ts): every write transaction stamps each record row and edge it changes with one
 * value, a removed edge leaves a tombstone carrying it, and `crmsync publish` reads "what changed
 * after N". An unchanged record is never rewritten (record-compare.ts), so it keeps its sequence.
 *
 * Why the transaction id, and not a counter as in SQLite: SQLite has one writer at a time, so its
 * counter's order is the commit order. Here several transactions write at once (the engine's
 * parallel streams, several processes sharing the store through stream claims). A counter row
 * updated by every transaction would serialize them all until commit; a SEQUENCE (nextval) would
 * not, but a transaction could take 7, commit after one that took 8, and a publish that read
 * "changed after 6" between the two commits would save cursor 8 and never see 7.
 *
 * So a row's `seq` is the 64-bit id of the transaction that wrote it (`pg_current_xact_id()`,
 * assigned at the transaction's first write, increasing, never wrapping), set by column defaults in
 * the same statement as the write: no shared row, no extra round trip. And `changeSeq()`, the
 * sequence a publish covers, is not the highest id handed out but the safe high-water mark
 * `xmin(current snapshot) - 1`: every transaction with a lower id has ended (committed or rolled
 * back), so every change with a sequence up to the mark is visible to the reads that follow, and a
 * writer still in flight (its id is >= xmin) or not begun yet (a later id) is published next time.
 * Rows committed above the mark are read now AND next time; publish compares with the target before
 * writing, so that costs a comparison, never a wrong row. The mark is cluster-wide: a long write
 * transaction anywhere on the server (another database included) holds it back, which delays the
 * cursor (the next publish compares more rows), never loses a change.
 */

/** The change sequence of the current transaction: its 64-bit id as a bigint (a column default). */
export const XACT_SEQ = '(pg_current_xact_id()::text::bigint)'

/** The sequence every change up to which is committed: xmin of a fresh snapshot, minus one. */
export const SAFE_MARK_SQL = 'SELECT (pg_snapshot_xmin(pg_current_snapshot())::text::bigint - 1) AS seq'
