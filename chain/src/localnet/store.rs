//! The chain's blocks and every block's state, in SQLite, plus the head state in memory.
//!
//! **Where.** `Store::open(Some(dir))` keeps the database in `dir/`[`DB_FILE_NAME`] (the
//! directory is created if missing); `Store::open(None)` keeps it in memory. On disk the
//! connection runs in WAL mode with `synchronous=FULL`, so a block is durable when
//! [`Store::commit_block`] returns, and with `locking_mode=EXCLUSIVE`, so a second localnet on
//! the same data dir is refused instead of writing under this one's head cache.
//!
//! **Schema** (version [`SCHEMA_VERSION`], recorded in `meta` with `format = nya-localnet`):
//! - `blocks(number INTEGER PRIMARY KEY, hash BLOB UNIQUE, header BLOB, extrinsics BLOB,
//!   spec_version INTEGER)`: the SCALE header, the SCALE `Vec<Vec<u8>>` of extrinsics and the
//!   runtime spec version the block was built with. Numbers run 0..=best without gaps.
//! - `state(key BLOB, block INTEGER, value BLOB NULL, PRIMARY KEY(key, block)) WITHOUT ROWID`:
//!   per-key history, a row only where a block changed the key; `NULL` marks a deletion. The
//!   value of `key` at block `n` is the row with the greatest `block <= n`, if it is not `NULL`.
//!
//! **Reads.** [`Store::state_at`] at the best block reads the in-memory head
//! ([`MemoryState`]); at an older block it reads SQL with index seeks only: a point read is one
//! seek on `(key, block)`, and walking keys skips to the next distinct key (`key > k`) and checks
//! its latest row `<= n`, so keys deleted by then or created later are stepped over one seek each
//! and the cost does not grow with how often a key was rewritten.
//!
//! **Recovery.** [`Store::open`] checks the format and schema version, that block numbers are
//! contiguous from 0, that the best block's row decodes and hashes to its stored hash, and that
//! no state row is newer than the best block, then rebuilds the head cache from SQL. A damaged
//! database gives a [`StoreError`] naming the file and what is wrong, never a panic.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::time::Duration;

use nya_metadata::runtime::types::H256;
use parity_scale_codec::{DecodeAll, Encode};
use rusqlite::{Connection, ErrorCode, OptionalExtension, TransactionBehavior, params};

use super::block::{Block, Header, SignedBlock, hash_to_hex};
use super::state::{MemoryState, StorageRead};

/// The database file inside the data directory.
pub const DB_FILE_NAME: &str = "chain.sqlite3";

/// The schema this build reads and writes.
pub const SCHEMA_VERSION: u32 = 1;

/// The `meta.format` value that marks a nya localnet database.
const FORMAT: &str = "nya-localnet";

const SCHEMA: &str = "
CREATE TABLE meta (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE blocks (
    number INTEGER PRIMARY KEY,
    hash BLOB NOT NULL UNIQUE,
    header BLOB NOT NULL,
    extrinsics BLOB NOT NULL,
    spec_version INTEGER NOT NULL
);
CREATE TABLE state (
    key BLOB NOT NULL,
    block INTEGER NOT NULL,
    value BLOB,
    PRIMARY KEY (key, block)
) WITHOUT ROWID;
";

/// The value of one key at a block: the latest row at or before it.
const GET_SQL: &str =
    "SELECT value FROM state WHERE key = ?1 AND block <= ?2 ORDER BY block DESC LIMIT 1";

/// The next distinct key after ?1 and its value at block ?2 (NULL when deleted or not yet set).
const NEXT_ENTRY_SQL: &str = "
SELECT c.key,
       (SELECT s.value FROM state AS s
         WHERE s.key = c.key AND s.block <= ?2 ORDER BY s.block DESC LIMIT 1)
  FROM (SELECT key FROM state WHERE key > ?1 ORDER BY key LIMIT 1) AS c";

/// Like [`NEXT_ENTRY_SQL`] but only whether the value is live (1), deleted (0) or absent (NULL),
/// so walking keys does not load values.
const NEXT_KEY_SQL: &str = "
SELECT c.key,
       (SELECT s.value IS NOT NULL FROM state AS s
         WHERE s.key = c.key AND s.block <= ?2 ORDER BY s.block DESC LIMIT 1)
  FROM (SELECT key FROM state WHERE key > ?1 ORDER BY key LIMIT 1) AS c";

const BLOCK_COLUMNS: &str = "number, hash, header, extrinsics, spec_version";

/// Live `(key, value)` pairs in key order.
type Pairs = Vec<(Vec<u8>, Vec<u8>)>;

/// A key and its value at some block (`None`: deleted or not yet written).
type KeyAndValue = (Vec<u8>, Option<Vec<u8>>);

/// One stored block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredBlock {
    /// Block number; equals `header.number`.
    pub number: u32,
    /// Block hash; equals `header.hash()`.
    pub hash: H256,
    /// The header.
    pub header: Header,
    /// The extrinsics, each its full encoding.
    pub extrinsics: Vec<Vec<u8>>,
    /// The runtime spec version the block was built with.
    pub spec_version: u32,
}

/// What went wrong with the store. Every variant names the database file.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The data directory could not be created.
    #[error("{}: cannot create the data directory: {source}", .path.display())]
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The file is not an SQLite database at all.
    #[error("{}: not a nya localnet database (the file is not an SQLite database)", .path.display())]
    NotADatabase {
        /// The database file.
        path: PathBuf,
    },
    /// An SQLite database, but not one this program wrote.
    #[error("{}: not a nya localnet database: {reason}", .path.display())]
    Foreign {
        /// The database file.
        path: PathBuf,
        /// What is missing or different.
        reason: String,
    },
    /// A nya localnet database of another schema version.
    #[error(
        "{}: schema version {found}, but this build reads version {expected}",
        .path.display()
    )]
    SchemaVersion {
        /// The database file.
        path: PathBuf,
        /// The version recorded in the file.
        found: String,
        /// [`SCHEMA_VERSION`].
        expected: u32,
    },
    /// The database cannot be run the way the store needs (WAL journal).
    #[error("{}: cannot use this database: {reason}", .path.display())]
    Unsupported {
        /// The database file.
        path: PathBuf,
        /// What failed.
        reason: String,
    },
    /// A row or table is damaged or inconsistent.
    #[error("{}: corrupt database: {what}", .path.display())]
    Corrupt {
        /// The database file.
        path: PathBuf,
        /// What is damaged.
        what: String,
    },
    /// Another process (or connection) holds the database.
    #[error("{}: the database is in use by another localnet", .path.display())]
    Locked {
        /// The database file.
        path: PathBuf,
    },
    /// Any other SQLite failure (I/O, disk full…).
    #[error("{}: SQLite error while {doing}: {source}", .path.display())]
    Sql {
        /// The database file.
        path: PathBuf,
        /// What the store was doing.
        doing: &'static str,
        /// SQLite's error.
        source: rusqlite::Error,
    },
    /// A block that does not extend the best block (wrong number or parent), or whose fields
    /// disagree with its header. Nothing was written.
    #[error("{}: block {number} refused: {reason}", .path.display())]
    Refused {
        /// The database file.
        path: PathBuf,
        /// The refused block's number.
        number: u32,
        /// Why.
        reason: String,
    },
    /// A state read at a block the store does not have.
    #[error("{}: no block {number} (best block: {best:?})", .path.display())]
    UnknownBlock {
        /// The database file.
        path: PathBuf,
        /// The requested number.
        number: u32,
        /// The best block number, if any.
        best: Option<u32>,
    },
}

impl StoredBlock {
    /// The block as `chain_getBlock` returns it.
    pub fn to_signed_block(&self) -> SignedBlock {
        SignedBlock {
            block: Block {
                header: self.header.clone(),
                extrinsics: self.extrinsics.clone(),
            },
        }
    }
}

/// The raw columns of a `blocks` row, before validation.
struct BlockRow {
    number: i64,
    hash: Vec<u8>,
    header: Vec<u8>,
    extrinsics: Vec<u8>,
    spec_version: i64,
}

impl BlockRow {
    fn read(row: &rusqlite::Row<'_>) -> rusqlite::Result<BlockRow> {
        Ok(BlockRow {
            number: row.get(0)?,
            hash: row.get(1)?,
            header: row.get(2)?,
            extrinsics: row.get(3)?,
            spec_version: row.get(4)?,
        })
    }
}

/// The chain's blocks and state history; see the module doc.
pub struct Store {
    conn: Connection,
    /// The database file, or `:memory:` (for messages).
    path: PathBuf,
    on_disk: bool,
    best: Option<(u32, H256)>,
    head: MemoryState,
}

impl Store {
    /// Opens (or creates) the store in `data_dir`, or an empty in-memory store for `None`, and
    /// rebuilds the head state cache.
    pub fn open(data_dir: Option<&Path>) -> Result<Store, StoreError> {
        let (conn, path) = match data_dir {
            Some(dir) => {
                std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
                    path: dir.to_path_buf(),
                    source,
                })?;
                let path = dir.join(DB_FILE_NAME);
                let conn = Connection::open(&path)
                    .map_err(|e| classify(&path, "opening the database", e))?;
                (conn, path)
            }
            None => {
                let path = PathBuf::from(":memory:");
                let conn = Connection::open_in_memory()
                    .map_err(|e| classify(&path, "opening the database", e))?;
                (conn, path)
            }
        };
        let mut store = Store {
            conn,
            path,
            on_disk: data_dir.is_some(),
            best: None,
            head: MemoryState::default(),
        };
        store.configure()?;
        store.ensure_schema()?;
        store.best = store.load_best()?;
        store.check_state_rows()?;
        if let Some((best, _)) = store.best {
            store.head = MemoryState(store.read_all_at(best)?.into_iter().collect());
        }
        Ok(store)
    }

    /// The database file, `None` in memory.
    pub fn path(&self) -> Option<&Path> {
        self.on_disk.then_some(self.path.as_path())
    }

    /// The best (latest) block's number and hash; `None` before genesis is committed.
    pub fn best(&self) -> Option<(u32, H256)> {
        self.best
    }

    /// The state at the best block.
    pub fn head(&self) -> &MemoryState {
        &self.head
    }

    /// Stores `block` and its state `changes` (`None` = deleted) in one transaction, durable
    /// when this returns, then applies them to the head. Refuses a block whose number is not
    /// best + 1 (0 for genesis), whose parent is not the best hash (zero for genesis), or whose
    /// number/hash disagree with its header; a refused or failed commit writes nothing.
    /// Changes that leave a key as it was (same value, or deleting an absent key) add no row.
    pub fn commit_block(
        &mut self,
        block: &StoredBlock,
        changes: &BTreeMap<Vec<u8>, Option<Vec<u8>>>,
    ) -> Result<(), StoreError> {
        self.check_extends_best(block)?;
        let path = &self.path;
        let head = &self.head;
        let number = i64::from(block.number);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| classify(path, "starting a block transaction", e))?;
        {
            let mut insert = tx
                .prepare_cached("INSERT INTO state (key, block, value) VALUES (?1, ?2, ?3)")
                .map_err(|e| classify(path, "preparing a state insert", e))?;
            for (key, value) in changes {
                if head.0.get(key).map(Vec::as_slice) == value.as_deref() {
                    continue;
                }
                insert
                    .execute(params![key, number, value])
                    .map_err(|e| classify(path, "writing state rows", e))?;
            }
            tx.prepare_cached(
                "INSERT INTO blocks (number, hash, header, extrinsics, spec_version)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .and_then(|mut insert| {
                insert.execute(params![
                    number,
                    block.hash.0,
                    block.header.encode(),
                    block.extrinsics.encode(),
                    i64::from(block.spec_version),
                ])
            })
            .map_err(|e| classify(path, "writing the block row", e))?;
        }
        tx.commit()
            .map_err(|e| classify(path, "committing a block", e))?;
        self.head.apply(changes);
        self.best = Some((block.number, block.hash));
        Ok(())
    }

    /// The block at `number`, if stored.
    pub fn block_by_number(&self, number: u32) -> Result<Option<StoredBlock>, StoreError> {
        let sql = format!("SELECT {BLOCK_COLUMNS} FROM blocks WHERE number = ?1");
        self.query_block(&sql, i64::from(number))
    }

    /// The block with `hash`, if stored.
    pub fn block_by_hash(&self, hash: &H256) -> Result<Option<StoredBlock>, StoreError> {
        let sql = format!("SELECT {BLOCK_COLUMNS} FROM blocks WHERE hash = ?1");
        self.query_block(&sql, hash.0)
    }

    /// The hash of the block at `number`, if stored.
    pub fn hash_of(&self, number: u32) -> Result<Option<H256>, StoreError> {
        if let Some((best, hash)) = self.best
            && best == number
        {
            return Ok(Some(hash));
        }
        let bytes: Option<Vec<u8>> = self
            .conn
            .prepare_cached("SELECT hash FROM blocks WHERE number = ?1")
            .and_then(|mut stmt| {
                stmt.query_row([i64::from(number)], |row| row.get(0))
                    .optional()
            })
            .map_err(|e| self.row_error("reading a block hash", &format!("block {number}"), e))?;
        bytes
            .map(|bytes| self.hash_column(bytes, &format!("block {number}")))
            .transpose()
    }

    /// The number of the block with `hash`, if stored.
    pub fn number_of(&self, hash: &H256) -> Result<Option<u32>, StoreError> {
        let number: Option<i64> = self
            .conn
            .prepare_cached("SELECT number FROM blocks WHERE hash = ?1")
            .and_then(|mut stmt| stmt.query_row([hash.0], |row| row.get(0)).optional())
            .map_err(|e| {
                let at = format!("block {}", hash_to_hex(hash));
                self.row_error("reading a block number", &at, e)
            })?;
        number
            .map(|n| {
                u32::try_from(n).map_err(|_| self.corrupt(format!("block number {n} in blocks")))
            })
            .transpose()
    }

    /// The state at block `number`: the in-memory head for the best block, SQL history for
    /// older ones.
    pub fn state_at(&self, number: u32) -> Result<StateAt<'_>, StoreError> {
        match self.best {
            Some((best, _)) if number == best => Ok(StateAt {
                number,
                source: Source::Head(&self.head),
            }),
            Some((best, _)) if number < best => Ok(StateAt::history(self, number)),
            best => Err(StoreError::UnknownBlock {
                path: self.path.clone(),
                number,
                best: best.map(|(n, _)| n),
            }),
        }
    }

    /// Connection settings; see the module doc.
    fn configure(&self) -> Result<(), StoreError> {
        let doing = "configuring the connection";
        let conn = &self.conn;
        conn.busy_timeout(Duration::from_millis(200))
            .map_err(|e| classify(&self.path, doing, e))?;
        if !self.on_disk {
            return Ok(());
        }
        conn.pragma_update(None, "locking_mode", "EXCLUSIVE")
            .map_err(|e| classify(&self.path, doing, e))?;
        // The first statement that reads the file: a garbage file fails here.
        let mode: String = conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
            .map_err(|e| classify(&self.path, doing, e))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Unsupported {
                path: self.path.clone(),
                reason: format!("cannot switch to WAL mode (journal mode stays {mode:?})"),
            });
        }
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(|e| classify(&self.path, doing, e))
    }

    /// Creates the schema in an empty database, or checks that it is ours and current.
    fn ensure_schema(&mut self) -> Result<(), StoreError> {
        let path = &self.path;
        let doing = "reading the schema";
        let tables: Vec<String> = self
            .conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .and_then(|mut stmt| {
                stmt.query_map([], |row| row.get(0))?
                    .collect::<rusqlite::Result<_>>()
            })
            .map_err(|e| classify(path, doing, e))?;
        if tables.is_empty() {
            let tx = self
                .conn
                .transaction()
                .map_err(|e| classify(path, "creating the schema", e))?;
            tx.execute_batch(SCHEMA)
                .and_then(|()| {
                    tx.execute(
                        "INSERT INTO meta (name, value) VALUES ('format', ?1), ('schema_version', ?2)",
                        params![FORMAT, SCHEMA_VERSION.to_string()],
                    )
                })
                .and_then(|_| tx.commit())
                .map_err(|e| classify(path, "creating the schema", e))?;
            return Ok(());
        }
        if !tables.iter().any(|t| t == "meta") {
            return Err(StoreError::Foreign {
                path: path.clone(),
                reason: format!("it has tables {tables:?} but no `meta` table"),
            });
        }
        let meta = |name: &str| -> Result<Option<String>, StoreError> {
            self.conn
                .query_row("SELECT value FROM meta WHERE name = ?1", [name], |row| {
                    row.get(0)
                })
                .optional()
                .map_err(|e| self.row_error(doing, "meta", e))
        };
        match meta("format")? {
            Some(format) if format == FORMAT => {}
            other => {
                return Err(StoreError::Foreign {
                    path: path.clone(),
                    reason: format!("meta.format is {other:?}, expected {FORMAT:?}"),
                });
            }
        }
        let found = meta("schema_version")?.unwrap_or_else(|| "(missing)".to_string());
        if found != SCHEMA_VERSION.to_string() {
            return Err(StoreError::SchemaVersion {
                path: path.clone(),
                found,
                expected: SCHEMA_VERSION,
            });
        }
        for table in ["blocks", "state"] {
            if !tables.iter().any(|t| t == table) {
                return Err(self.corrupt(format!("the `{table}` table is missing")));
            }
        }
        Ok(())
    }

    /// The best block, after checking that numbers run 0..=best without gaps and that its row
    /// is sound.
    fn load_best(&self) -> Result<Option<(u32, H256)>, StoreError> {
        let (count, min, max): (i64, Option<i64>, Option<i64>) = self
            .conn
            .query_row(
                "SELECT COUNT(*), MIN(number), MAX(number) FROM blocks",
                [],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .map_err(|e| self.row_error("reading the block range", "blocks", e))?;
        let (Some(min), Some(max)) = (min, max) else {
            return Ok(None);
        };
        if min != 0 || max.checked_add(1) != Some(count) {
            return Err(self.corrupt(format!(
                "blocks table holds {count} blocks numbered {min}..={max}, expected 0..=best"
            )));
        }
        let best = u32::try_from(max)
            .map_err(|_| self.corrupt(format!("best block number {max} is not a u32")))?;
        let block = self
            .block_by_number(best)?
            .ok_or_else(|| self.corrupt(format!("best block {best} vanished while reading")))?;
        Ok(Some((block.number, block.hash)))
    }

    /// No state row may be newer than the best block (a commit writes both in one transaction).
    fn check_state_rows(&self) -> Result<(), StoreError> {
        let newest: Option<i64> = self
            .conn
            .query_row("SELECT MAX(block) FROM state", [], |row| row.get(0))
            .map_err(|e| self.row_error("reading the state range", "state", e))?;
        let best = self.best.map(|(n, _)| i64::from(n));
        match (newest, best) {
            (Some(newest), best) if Some(newest) > best => Err(self.corrupt(format!(
                "state rows for block {newest} but the best block is {best:?}"
            ))),
            _ => Ok(()),
        }
    }

    fn query_block(
        &self,
        sql: &str,
        param: impl rusqlite::ToSql,
    ) -> Result<Option<StoredBlock>, StoreError> {
        let row = self
            .conn
            .prepare_cached(sql)
            .and_then(|mut stmt| stmt.query_row([param], BlockRow::read).optional())
            .map_err(|e| self.row_error("reading a block", "blocks", e))?;
        row.map(|row| self.decode_block(row)).transpose()
    }

    /// Validates a raw block row: widths, decodable header and body, number and hash agreeing
    /// with the header.
    fn decode_block(&self, row: BlockRow) -> Result<StoredBlock, StoreError> {
        let number = u32::try_from(row.number)
            .map_err(|_| self.corrupt(format!("block number {} is not a u32", row.number)))?;
        let at = format!("block {number}");
        let hash = self.hash_column(row.hash, &at)?;
        let header = Header::decode_all(&mut row.header.as_slice())
            .map_err(|e| self.corrupt(format!("{at}: header does not decode: {e}")))?;
        if header.number != number {
            return Err(self.corrupt(format!("{at}: header says number {}", header.number)));
        }
        if header.hash() != hash {
            return Err(self.corrupt(format!(
                "{at}: header hashes to {}, the row says {}",
                hash_to_hex(&header.hash()),
                hash_to_hex(&hash)
            )));
        }
        let extrinsics = Vec::<Vec<u8>>::decode_all(&mut row.extrinsics.as_slice())
            .map_err(|e| self.corrupt(format!("{at}: extrinsics do not decode: {e}")))?;
        let spec_version = u32::try_from(row.spec_version).map_err(|_| {
            self.corrupt(format!(
                "{at}: spec version {} is not a u32",
                row.spec_version
            ))
        })?;
        Ok(StoredBlock {
            number,
            hash,
            header,
            extrinsics,
            spec_version,
        })
    }

    fn hash_column(&self, bytes: Vec<u8>, at: &str) -> Result<H256, StoreError> {
        let len = bytes.len();
        bytes
            .try_into()
            .map(H256)
            .map_err(|_| self.corrupt(format!("{at}: hash is {len} bytes, expected 32")))
    }

    /// Refuses a block that does not extend the best block or disagrees with its header.
    fn check_extends_best(&self, block: &StoredBlock) -> Result<(), StoreError> {
        let refuse = |reason: String| StoreError::Refused {
            path: self.path.clone(),
            number: block.number,
            reason,
        };
        if block.header.number != block.number {
            return Err(refuse(format!(
                "its header says number {}",
                block.header.number
            )));
        }
        let header_hash = block.header.hash();
        if header_hash != block.hash {
            return Err(refuse(format!(
                "hash {} is not its header's hash {}",
                hash_to_hex(&block.hash),
                hash_to_hex(&header_hash)
            )));
        }
        let (expected, parent) = match self.best {
            None => (Some(0), H256::default()),
            Some((best, hash)) => (best.checked_add(1), hash),
        };
        if expected != Some(block.number) {
            return Err(refuse(match expected {
                Some(expected) => format!("the next block is {expected}"),
                None => "the chain is at the last u32 block number".to_string(),
            }));
        }
        if block.header.parent_hash != parent {
            return Err(refuse(format!(
                "parent hash {} is not the best hash {}",
                hash_to_hex(&block.header.parent_hash),
                hash_to_hex(&parent)
            )));
        }
        Ok(())
    }

    /// The value of `key` at block `at` from SQL.
    fn read_value(&self, key: &[u8], at: u32) -> Result<Option<Vec<u8>>, StoreError> {
        let value: Option<Option<Vec<u8>>> = self
            .conn
            .prepare_cached(GET_SQL)
            .and_then(|mut stmt| {
                stmt.query_row(params![key, i64::from(at)], |row| row.get(0))
                    .optional()
            })
            .map_err(|e| self.state_row_error(key, e))?;
        Ok(value.flatten())
    }

    /// The next distinct key after `after` and its value at block `at` (`None` when deleted or
    /// not yet set).
    fn read_next_entry(&self, after: &[u8], at: u32) -> Result<Option<KeyAndValue>, StoreError> {
        self.conn
            .prepare_cached(NEXT_ENTRY_SQL)
            .and_then(|mut stmt| {
                stmt.query_row(params![after, i64::from(at)], |row| {
                    Ok((row.get(0)?, row.get(1)?))
                })
                .optional()
            })
            .map_err(|e| self.state_row_error(after, e))
    }

    /// The first key after `key` that holds a value at block `at`.
    fn read_next_key(&self, key: &[u8], at: u32) -> Result<Option<Vec<u8>>, StoreError> {
        let mut cursor = key.to_vec();
        loop {
            let next: Option<(Vec<u8>, Option<i64>)> = self
                .conn
                .prepare_cached(NEXT_KEY_SQL)
                .and_then(|mut stmt| {
                    stmt.query_row(params![cursor, i64::from(at)], |row| {
                        Ok((row.get(0)?, row.get(1)?))
                    })
                    .optional()
                })
                .map_err(|e| self.state_row_error(&cursor, e))?;
            match next {
                None => return Ok(None),
                Some((next, Some(1))) => return Ok(Some(next)),
                Some((next, _)) => cursor = next,
            }
        }
    }

    /// Every live `(key, value)` under `prefix` at block `at`, in key order.
    fn read_prefix(&self, prefix: &[u8], at: u32) -> Result<Pairs, StoreError> {
        let mut out = Vec::new();
        if let Some(value) = self.read_value(prefix, at)? {
            out.push((prefix.to_vec(), value));
        }
        let mut cursor = prefix.to_vec();
        while let Some((key, value)) = self.read_next_entry(&cursor, at)? {
            if !key.starts_with(prefix) {
                break;
            }
            if let Some(value) = value {
                out.push((key.clone(), value));
            }
            cursor = key;
        }
        Ok(out)
    }

    /// The whole state at block `at`.
    fn read_all_at(&self, at: u32) -> Result<Pairs, StoreError> {
        self.read_prefix(&[], at)
    }

    fn corrupt(&self, what: String) -> StoreError {
        StoreError::Corrupt {
            path: self.path.clone(),
            what,
        }
    }

    /// A failed row read: a column of the wrong type or range is corruption, anything else an
    /// SQLite failure.
    fn row_error(&self, doing: &'static str, at: &str, err: rusqlite::Error) -> StoreError {
        match err {
            rusqlite::Error::InvalidColumnType(..)
            | rusqlite::Error::FromSqlConversionFailure(..)
            | rusqlite::Error::IntegralValueOutOfRange(..) => self.corrupt(format!("{at}: {err}")),
            err => classify(&self.path, doing, err),
        }
    }

    fn state_row_error(&self, key: &[u8], err: rusqlite::Error) -> StoreError {
        let at = format!("state row for key 0x{}", hex::encode(key));
        self.row_error("reading state", &at, err)
    }
}

/// Maps SQLite's error codes to the variants a user can act on.
fn classify(path: &Path, doing: &'static str, err: rusqlite::Error) -> StoreError {
    let path = path.to_path_buf();
    match err.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => StoreError::NotADatabase { path },
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Locked { path },
        Some(ErrorCode::DatabaseCorrupt) => StoreError::Corrupt {
            path,
            what: format!("SQLite reports corruption while {doing}: {err}"),
        },
        _ => StoreError::Sql {
            path,
            doing,
            source: err,
        },
    }
}

/// The state at one block, as [`StorageRead`].
///
/// `StorageRead` has no error channel, so a failed historical read (a damaged row, an I/O
/// error) logs, reads as absent, and is kept: check [`StateAt::take_error`] after a batch of
/// reads whose completeness matters.
pub struct StateAt<'a> {
    number: u32,
    source: Source<'a>,
}

enum Source<'a> {
    /// The best block: the in-memory head.
    Head(&'a MemoryState),
    /// An older block: SQL history.
    History {
        store: &'a Store,
        error: RefCell<Option<StoreError>>,
    },
}

impl<'a> StateAt<'a> {
    fn history(store: &'a Store, number: u32) -> StateAt<'a> {
        StateAt {
            number,
            source: Source::History {
                store,
                error: RefCell::new(None),
            },
        }
    }

    /// The block number this state is at.
    pub fn number(&self) -> u32 {
        self.number
    }

    /// The first read error since the last call, if any (always `None` at the head).
    pub fn take_error(&self) -> Option<StoreError> {
        match &self.source {
            Source::Head(_) => None,
            Source::History { error, .. } => error.borrow_mut().take(),
        }
    }

    /// Unwraps a historical read, recording (and logging) a failure as "absent".
    fn settle<T: Default>(&self, result: Result<T, StoreError>) -> T {
        match result {
            Ok(value) => value,
            Err(err) => {
                tracing::error!(block = self.number, %err, "historical state read failed");
                if let Source::History { error, .. } = &self.source {
                    error.borrow_mut().get_or_insert(err);
                }
                T::default()
            }
        }
    }
}

impl StorageRead for StateAt<'_> {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        match &self.source {
            Source::Head(head) => head.get(key),
            Source::History { store, .. } => self.settle(store.read_value(key, self.number)),
        }
    }

    fn next_key(&self, key: &[u8]) -> Option<Vec<u8>> {
        match &self.source {
            Source::Head(head) => head.next_key(key),
            Source::History { store, .. } => self.settle(store.read_next_key(key, self.number)),
        }
    }

    fn prefix_pairs(&self, prefix: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
        match &self.source {
            Source::Head(head) => head
                .0
                .range::<[u8], _>((Bound::Included(prefix), Bound::Unbounded))
                .take_while(|(key, _)| key.starts_with(prefix))
                .map(|(key, value)| (key.clone(), value.clone()))
                .collect(),
            Source::History { store, .. } => self.settle(store.read_prefix(prefix, self.number)),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    use proptest::prelude::*;

    use super::*;
    use crate::localnet::block::{Digest, DigestItem, extrinsics_root, state_root};

    type Changes = BTreeMap<Vec<u8>, Option<Vec<u8>>>;

    /// Set in the child process of the kill -9 test: the data dir to write into.
    const CRASH_CHILD_ENV: &str = "NYA_STORE_CRASH_CHILD_DIR";

    /// The block after `parent` (genesis for `None`) carrying `changes`, with real roots.
    fn next_block(
        parent: Option<&StoredBlock>,
        changes: &Changes,
        extrinsics: Vec<Vec<u8>>,
    ) -> StoredBlock {
        let (number, parent_hash, parent_root) = match parent {
            None => (0, H256::default(), H256::default()),
            Some(p) => (p.number + 1, p.hash, p.header.state_root),
        };
        let header = Header {
            parent_hash,
            number,
            state_root: state_root(&parent_root, changes),
            extrinsics_root: extrinsics_root(&extrinsics),
            digest: Digest {
                logs: vec![DigestItem::aura_pre_runtime(u64::from(number))],
            },
        };
        StoredBlock {
            number,
            hash: header.hash(),
            header,
            extrinsics,
            spec_version: 393,
        }
    }

    /// Commits one block per change set and returns the copy-per-block model.
    fn commit_all(store: &mut Store, change_sets: &[Changes]) -> Vec<MemoryState> {
        let mut models: Vec<MemoryState> = Vec::new();
        let mut parent: Option<StoredBlock> = None;
        for changes in change_sets {
            let block = next_block(parent.as_ref(), changes, vec![changes.encode()]);
            store.commit_block(&block, changes).unwrap();
            let mut model = models.last().cloned().unwrap_or_default();
            model.apply(changes);
            models.push(model);
            parent = Some(block);
        }
        models
    }

    /// Every byte string over {0, 1, 2} up to 3 bytes: the keys the proptest writes and more.
    fn probe_keys() -> Vec<Vec<u8>> {
        let mut keys = vec![vec![]];
        let mut frontier = vec![vec![]];
        for _ in 0..3 {
            let mut longer = Vec::new();
            for key in &frontier {
                for byte in 0..3u8 {
                    let mut k: Vec<u8> = key.clone();
                    k.push(byte);
                    longer.push(k);
                }
            }
            keys.extend(longer.iter().cloned());
            frontier = longer;
        }
        keys
    }

    /// Compares every read of `state` against the model (whose reads are plain BTreeMap ones).
    fn assert_state_eq(state: &StateAt<'_>, model: &MemoryState, probes: &[Vec<u8>]) {
        let n = state.number();
        for key in probes {
            assert_eq!(state.get(key), model.get(key), "get {key:?} at {n}");
            assert_eq!(
                state.next_key(key),
                model.next_key(key),
                "next_key {key:?} at {n}"
            );
            assert_eq!(
                state.prefix_pairs(key),
                model.prefix_pairs(key),
                "prefix_pairs {key:?} at {n}"
            );
        }
        let all: Vec<_> = model.0.clone().into_iter().collect();
        assert_eq!(state.prefix_pairs(&[]), all, "whole state at {n}");
        assert!(state.take_error().is_none(), "read error at {n}");
    }

    fn count(store: &Store, sql: &str) -> i64 {
        store.conn.query_row(sql, [], |row| row.get(0)).unwrap()
    }

    fn change_sets() -> impl Strategy<Value = Vec<Changes>> {
        let key = prop::collection::vec(0u8..3, 0..3);
        let value = prop::option::of(prop::collection::vec(any::<u8>(), 0..3));
        prop::collection::vec(prop::collection::btree_map(key, value, 0..6), 1..10)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Every key at every block, through both the head cache and SQL history, equals a
        /// naive copy of the whole state per block; and only real changes add rows.
        #[test]
        fn history_matches_a_copy_per_block_model(sets in change_sets()) {
            let mut store = Store::open(None).unwrap();
            let models = commit_all(&mut store, &sets);
            let probes = probe_keys();
            for (n, model) in models.iter().enumerate() {
                let n = u32::try_from(n).unwrap();
                assert_state_eq(&store.state_at(n).unwrap(), model, &probes);
                assert_state_eq(&StateAt::history(&store, n), model, &probes);
            }
            prop_assert_eq!(store.head(), models.last().unwrap());
            let mut changed = 0;
            let empty = MemoryState::default();
            for (n, model) in models.iter().enumerate() {
                let before = if n == 0 { &empty } else { &models[n - 1] };
                changed += probes.iter().filter(|k| before.get(k) != model.get(k)).count();
            }
            prop_assert_eq!(count(&store, "SELECT COUNT(*) FROM state"), changed as i64);
        }
    }

    #[test]
    fn historic_walks_skip_deleted_and_not_yet_written_keys() {
        let set = |pairs: &[(&[u8], Option<&[u8]>)]| -> Changes {
            pairs
                .iter()
                .map(|(k, v)| (k.to_vec(), v.map(<[u8]>::to_vec)))
                .collect()
        };
        let mut store = Store::open(None).unwrap();
        commit_all(
            &mut store,
            &[
                set(&[(b"a1", Some(b"x")), (b"a2", Some(b"y")), (b"a3", Some(b""))]),
                set(&[(b"a2", None), (b"a1", Some(b"x2"))]),
                set(&[(b"a0", Some(b"new")), (b"a2", Some(b"back")), (b"a3", None)]),
            ],
        );
        let at0 = store.state_at(0).unwrap();
        assert_eq!(
            at0.get(b"a3"),
            Some(vec![]),
            "an empty value is not a deletion"
        );
        assert_eq!(
            at0.next_key(b"a"),
            Some(b"a1".to_vec()),
            "a0 does not exist yet"
        );
        let at1 = store.state_at(1).unwrap();
        assert_eq!(
            at1.next_key(b"a1"),
            Some(b"a3".to_vec()),
            "a2 is deleted at 1"
        );
        assert_eq!(at1.get(b"a1"), Some(b"x2".to_vec()));
        assert_eq!(
            at1.prefix_pairs(b"a"),
            vec![(b"a1".to_vec(), b"x2".to_vec()), (b"a3".to_vec(), vec![])]
        );
        let at2 = store.state_at(2).unwrap();
        assert_eq!(at2.next_key(b"a2"), None, "a3 is deleted at 2");
        assert_eq!(at2.get(b"a2"), Some(b"back".to_vec()));
        assert!(matches!(
            store.state_at(3),
            Err(StoreError::UnknownBlock {
                number: 3,
                best: Some(2),
                ..
            })
        ));
    }

    /// A deterministic chain for the disk tests: one key rewritten every block, one new key per
    /// block, old ones pruned, a cycle of overwrites (empty values included) and deletions.
    fn scripted_changes(n: u32) -> Changes {
        let mut changes = Changes::new();
        changes.insert(b"number".to_vec(), Some(n.to_le_bytes().to_vec()));
        changes.insert(
            format!("hash/{n:08}").into_bytes(),
            Some(vec![(n % 251) as u8; 32]),
        );
        if n >= 3 && n % 2 == 1 {
            changes.insert(format!("hash/{:08}", n - 3).into_bytes(), None);
        }
        let len = (n % 40) as usize;
        changes.insert(format!("acct/{}", n % 5).into_bytes(), Some(vec![7; len]));
        if n.is_multiple_of(4) {
            changes.insert(format!("acct/{}", (n + 2) % 5).into_bytes(), None);
        }
        changes
    }

    fn scripted_extrinsics(n: u32) -> Vec<Vec<u8>> {
        (0..n % 3)
            .map(|i| vec![i as u8; (n % 50) as usize])
            .collect()
    }

    /// Extends the scripted chain to `last`, calling `committed` after each durable block.
    fn extend_scripted(store: &mut Store, last: u32, mut committed: impl FnMut(u32)) {
        let mut parent = store
            .best()
            .map(|(n, _)| store.block_by_number(n).unwrap().unwrap());
        let first = parent.as_ref().map_or(0, |p| p.number + 1);
        for n in first..=last {
            let changes = scripted_changes(n);
            let block = next_block(parent.as_ref(), &changes, scripted_extrinsics(n));
            store.commit_block(&block, &changes).unwrap();
            committed(n);
            parent = Some(block);
        }
    }

    /// Every stored block and every block's state equal the scripted chain's.
    fn assert_scripted_chain(store: &Store) {
        let (best, best_hash) = store.best().expect("a best block");
        let mut model = MemoryState::default();
        let mut parent: Option<StoredBlock> = None;
        for n in 0..=best {
            let changes = scripted_changes(n);
            model.apply(&changes);
            let expected = next_block(parent.as_ref(), &changes, scripted_extrinsics(n));
            assert_eq!(store.block_by_number(n).unwrap().as_ref(), Some(&expected));
            assert_eq!(store.hash_of(n).unwrap(), Some(expected.hash));
            let state = store.state_at(n).unwrap();
            let all: Vec<_> = model.0.clone().into_iter().collect();
            assert_eq!(state.prefix_pairs(&[]), all, "state at {n}");
            assert!(state.take_error().is_none());
            parent = Some(expected);
        }
        assert_eq!(parent.map(|p| p.hash), Some(best_hash));
        assert_eq!(store.head(), &model);
    }

    #[test]
    fn reopen_from_disk_gives_the_same_head_state_and_blocks() {
        let dir = tempfile::tempdir().unwrap();
        let before = {
            let mut store = Store::open(Some(dir.path())).unwrap();
            extend_scripted(&mut store, 29, |_| {});
            assert_scripted_chain(&store);
            (store.best(), store.head().clone())
        };
        let mut store = Store::open(Some(dir.path())).unwrap();
        assert_eq!(store.path(), Some(dir.path().join(DB_FILE_NAME).as_path()));
        assert_eq!((store.best(), store.head().clone()), before);
        assert_scripted_chain(&store);
        let (_, hash) = store.best().unwrap();
        assert_eq!(store.number_of(&hash).unwrap(), Some(29));
        let block = store.block_by_hash(&hash).unwrap().unwrap();
        assert_eq!(block.number, 29);
        assert_eq!(store.block_by_hash(&H256([0xee; 32])).unwrap(), None);
        assert_eq!(store.block_by_number(30).unwrap(), None);
        // The reopened store continues the chain.
        extend_scripted(&mut store, 31, |_| {});
        assert_scripted_chain(&store);
    }

    #[test]
    fn refused_blocks_write_nothing() {
        let mut empty = Store::open(None).unwrap();
        let changes = scripted_changes(0);
        let mut genesis = next_block(None, &changes, vec![]);
        genesis.header.parent_hash = H256([1; 32]);
        genesis.hash = genesis.header.hash();
        let err = empty.commit_block(&genesis, &changes).unwrap_err();
        assert!(
            err.to_string().contains("is not the best hash 0x0000"),
            "{err}"
        );
        assert_eq!(empty.best(), None);

        let mut store = Store::open(None).unwrap();
        extend_scripted(&mut store, 2, |_| {});
        let rows = count(&store, "SELECT COUNT(*) FROM state");
        let (best, head) = (store.best(), store.head().clone());
        let tip = store.block_by_number(2).unwrap().unwrap();
        let changes = scripted_changes(3);
        let good = next_block(Some(&tip), &changes, vec![]);
        let rehash = |mut block: StoredBlock| {
            block.hash = block.header.hash();
            block
        };
        let mut skip = good.clone();
        (skip.number, skip.header.number) = (5, 5);
        let mut orphan = good.clone();
        orphan.header.parent_hash = H256([9; 32]);
        let mut bad_hash = good.clone();
        bad_hash.hash = H256([1; 32]);
        let mut bad_number = good.clone();
        bad_number.number = 4;
        let cases = [
            (rehash(skip), "the next block is 3"),
            (rehash(orphan), "is not the best hash"),
            (bad_hash, "is not its header's hash"),
            (bad_number, "its header says number 3"),
            (tip.clone(), "the next block is 3"),
        ];
        for (block, why) in cases {
            let err = store.commit_block(&block, &changes).unwrap_err();
            assert!(matches!(err, StoreError::Refused { .. }), "{err}");
            assert!(err.to_string().contains(why), "{err}");
        }
        assert_eq!((store.best(), store.head()), (best, &head));
        assert_eq!(count(&store, "SELECT COUNT(*) FROM state"), rows);
        assert_eq!(count(&store, "SELECT COUNT(*) FROM blocks"), 3);
        store.commit_block(&good, &changes).unwrap();
        assert_scripted_chain(&store);
    }

    #[test]
    fn a_commit_failing_inside_the_transaction_rolls_back() {
        let mut store = Store::open(None).unwrap();
        extend_scripted(&mut store, 2, |_| {});
        // Fails the block insert, which runs after the state rows are written.
        store
            .conn
            .execute_batch(
                "CREATE TEMP TRIGGER refuse_block_3 BEFORE INSERT ON blocks
                 WHEN NEW.number = 3 BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
            )
            .unwrap();
        let (best, head) = (store.best(), store.head().clone());
        let tip = store.block_by_number(2).unwrap().unwrap();
        let changes = scripted_changes(3);
        let block = next_block(Some(&tip), &changes, scripted_extrinsics(3));
        let err = store.commit_block(&block, &changes).unwrap_err();
        assert!(err.to_string().contains("injected failure"), "{err}");
        assert_eq!(
            count(&store, "SELECT COUNT(*) FROM state WHERE block = 3"),
            0
        );
        assert_eq!((store.best(), store.head()), (best, &head));
        store
            .conn
            .execute_batch("DROP TRIGGER refuse_block_3")
            .unwrap();
        store.commit_block(&block, &changes).unwrap();
        assert_scripted_chain(&store);
    }

    fn db_file(dir: &Path) -> PathBuf {
        dir.join(DB_FILE_NAME)
    }

    /// Opens the test's database behind the store's back, to damage it.
    fn raw(dir: &Path) -> Connection {
        Connection::open(db_file(dir)).unwrap()
    }

    fn open_err(dir: &Path) -> StoreError {
        match Store::open(Some(dir)) {
            Ok(_) => panic!("opened a damaged database"),
            Err(err) => err,
        }
    }

    #[test]
    fn a_garbage_file_is_not_a_database() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(db_file(dir.path()), b"not an sqlite database\n".repeat(200)).unwrap();
        let err = open_err(dir.path());
        assert!(matches!(err, StoreError::NotADatabase { .. }), "{err:?}");
        let text = err.to_string();
        assert!(
            text.contains(DB_FILE_NAME) && text.contains("not a nya localnet"),
            "{text}"
        );
    }

    #[test]
    fn another_programs_sqlite_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        raw(dir.path())
            .execute_batch("CREATE TABLE notes (body TEXT)")
            .unwrap();
        let err = open_err(dir.path());
        assert!(err.to_string().contains("no `meta` table"), "{err}");
    }

    #[test]
    fn a_schema_version_mismatch_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        drop(Store::open(Some(dir.path())).unwrap());
        raw(dir.path())
            .execute(
                "UPDATE meta SET value = '99' WHERE name = 'schema_version'",
                [],
            )
            .unwrap();
        let err = open_err(dir.path());
        assert!(matches!(err, StoreError::SchemaVersion { .. }), "{err:?}");
        assert!(err.to_string().contains("schema version 99"), "{err}");
    }

    #[test]
    fn damaged_rows_give_errors_not_panics() {
        let dir = tempfile::tempdir().unwrap();
        let build = |dir: &Path| {
            let mut store = Store::open(Some(dir)).unwrap();
            extend_scripted(&mut store, 6, |_| {});
        };
        build(dir.path());

        // A middle block's hash of the wrong width: open works, reading that block fails.
        raw(dir.path())
            .execute("UPDATE blocks SET hash = x'010203' WHERE number = 2", [])
            .unwrap();
        let store = Store::open(Some(dir.path())).unwrap();
        let err = store.block_by_number(2).unwrap_err();
        assert!(
            err.to_string().contains("block 2: hash is 3 bytes"),
            "{err}"
        );
        assert!(store.hash_of(2).is_err());
        // An old state row of the wrong type: that historical read reports it.
        drop(store);
        raw(dir.path())
            .execute(
                "UPDATE state SET value = 'text' WHERE key = x'6e756d626572' AND block = 1",
                [],
            )
            .unwrap();
        let store = Store::open(Some(dir.path())).unwrap();
        let at1 = store.state_at(1).unwrap();
        assert_eq!(at1.get(b"number"), None);
        let err = at1.take_error().expect("the read error is kept");
        assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
        assert!(err.to_string().contains("0x6e756d626572"), "{err}");
        assert!(at1.take_error().is_none());
        drop(at1);
        drop(store);

        // The best block's header garbled: open refuses.
        raw(dir.path())
            .execute("UPDATE blocks SET header = x'00' WHERE number = 6", [])
            .unwrap();
        let err = open_err(dir.path());
        assert!(
            err.to_string().contains("block 6: header does not decode"),
            "{err}"
        );

        // A gap in the block numbers.
        let dir = tempfile::tempdir().unwrap();
        build(dir.path());
        raw(dir.path())
            .execute("DELETE FROM blocks WHERE number = 3", [])
            .unwrap();
        let err = open_err(dir.path());
        assert!(err.to_string().contains("numbered 0..=6"), "{err}");

        // State newer than the best block.
        let dir = tempfile::tempdir().unwrap();
        build(dir.path());
        raw(dir.path())
            .execute(
                "INSERT INTO state (key, block, value) VALUES (x'01', 9, x'01')",
                [],
            )
            .unwrap();
        let err = open_err(dir.path());
        assert!(err.to_string().contains("state rows for block 9"), "{err}");

        // The latest value of a key has the wrong type: the head cannot be rebuilt.
        let dir = tempfile::tempdir().unwrap();
        build(dir.path());
        raw(dir.path())
            .execute(
                "UPDATE state SET value = 5 WHERE key = x'6e756d626572' AND block = 6",
                [],
            )
            .unwrap();
        let err = open_err(dir.path());
        assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    }

    #[test]
    fn disk_stores_run_wal_with_full_sync() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(Some(dir.path())).unwrap();
        let pragma = |name: &str| -> String {
            store
                .conn
                .query_row(
                    &format!("SELECT CAST({name} AS TEXT) FROM pragma_{name}"),
                    [],
                    |row| row.get(0),
                )
                .unwrap()
        };
        assert_eq!(pragma("journal_mode"), "wal");
        assert_eq!(pragma("synchronous"), "2", "FULL");
        assert_eq!(pragma("locking_mode"), "exclusive");
    }

    #[test]
    fn a_second_store_on_the_same_data_dir_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut first = Store::open(Some(dir.path())).unwrap();
        extend_scripted(&mut first, 1, |_| {});
        let err = open_err(dir.path());
        assert!(matches!(err, StoreError::Locked { .. }), "{err:?}");
        drop(first);
        assert_eq!(
            Store::open(Some(dir.path())).unwrap().best().map(|b| b.0),
            Some(1)
        );
    }

    /// In the kill -9 test's child (env var set): commits scripted blocks until killed,
    /// printing `committed N` once block N is durable. Otherwise: a bounded run and a reopen.
    #[test]
    fn scripted_writer() {
        if let Some(dir) = std::env::var_os(CRASH_CHILD_ENV) {
            let mut store = Store::open(Some(Path::new(&dir))).unwrap();
            let start = store.best().map_or(0, |(n, _)| n + 1);
            extend_scripted(&mut store, start + 100_000, |n| println!("committed {n}"));
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let mut reported = Vec::new();
        extend_scripted(&mut Store::open(Some(dir.path())).unwrap(), 9, |n| {
            reported.push(n)
        });
        assert_eq!(reported, (0..=9).collect::<Vec<_>>());
        let store = Store::open(Some(dir.path())).unwrap();
        assert_eq!(store.best().map(|b| b.0), Some(9));
        assert_scripted_chain(&store);
    }

    /// A child process commits blocks in a loop and is SIGKILLed; every block it reported
    /// durable is there after reopening, the chain is a consistent prefix and the state of every
    /// block matches. Three rounds, each continuing the chain the last one left.
    #[test]
    fn kill_9_mid_commit_keeps_every_reported_block() {
        let dir = tempfile::tempdir().unwrap();
        let module = module_path!();
        let module = module.split_once("::").map_or(module, |(_, rest)| rest);
        let test_name = format!("{module}::scripted_writer");
        let exe = std::env::current_exe().unwrap();
        let mut reported: Option<u32> = None;
        for round in 0..3 {
            let mut child = Command::new(&exe)
                .args([
                    test_name.as_str(),
                    "--exact",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(CRASH_CHILD_ENV, dir.path())
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            // Keep the pipe open until the kill, so the child never sees a closed stdout.
            let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
            let mut seen = 0;
            while seen < 40 {
                let Some(line) = lines.next() else { break };
                if let Some(n) = line.unwrap().strip_prefix("committed ") {
                    let n: u32 = n.parse().unwrap();
                    assert!(
                        reported.is_none_or(|r| n > r),
                        "round {round}: {n} repeated"
                    );
                    reported = Some(n);
                    seen += 1;
                }
            }
            child.kill().unwrap();
            child.wait().unwrap();
            drop(lines);
            assert_eq!(seen, 40, "round {round}: the child stopped early");
            let store = Store::open(Some(dir.path())).unwrap();
            let (best, _) = store.best().unwrap();
            let reported = reported.unwrap();
            assert!(
                best >= reported,
                "round {round}: lost block {reported}, best {best}"
            );
            assert_scripted_chain(&store);
        }
    }
}
