//! Bulk loads of help questions: PostgreSQL's `COPY ... FROM STDIN` and the escaping of its text format, and the
//! secondary indexes dropped during a load and built once after it.

use crate::Store;
use crate::db::Backend;
use crate::error::Result;
use crate::help_questions::NewHelpQuestion;
use keten_core::help_question::AgeBand;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{ConnectOptions, Connection};
use std::collections::BTreeMap;

/// The columns and their order are those of the INSERT in `help_questions.rs`, so both paths store the same.
const COPY_HELP_QUESTIONS: &str = "COPY help_questions (id, visit_id, help_point_id, asked_at, topic_code, agency, \
     kind, channel, minutes, outcome, age_band, pc4, first_visit, registered_by, created_at, source, \
     registration_link_id, referred_to, remark, consultation_hour_id) FROM STDIN (FORMAT text)";

/// Each `send` is one CopyData message: a few MB keeps the buffer small while the round trips stay rare.
const CHUNK_BYTES: usize = 4 << 20;

impl Store {
    /// Writes the questions in one transaction without touching the rollups, as
    /// [`Store::insert_help_questions_without_rollups`] does, but on PostgreSQL through `COPY`: the
    /// multi-row INSERTs through the `Any` driver spent most of a demo load binding parameters.
    pub(crate) async fn insert_help_questions_bulk(
        &self,
        questions: &[NewHelpQuestion],
    ) -> Result<()> {
        // Before the write turn: the INSERT path takes it itself, and SQLite's turn is not re-entrant.
        if self.backend() == Backend::Sqlite {
            return self.insert_help_questions_without_rollups(questions).await;
        }
        if questions.is_empty() {
            return Ok(());
        }
        let _turn = self.write_turn().await;
        let mut conn = self.copy_connection().await?;
        let mut tx = conn.begin().await?;
        copy_rows(&mut tx, COPY_HELP_QUESTIONS, questions.iter(), push_row).await?;
        // The running totals move with the rows, as on the INSERT path; id order, so concurrent writers lock
        // the totals in one order.
        let mut added: BTreeMap<&str, i64> = BTreeMap::new();
        for q in questions {
            *added.entry(q.help_point_id.as_str()).or_default() += 1;
        }
        for (help_point_id, n) in added {
            sqlx::query(
                "INSERT INTO help_point_question_counts (help_point_id, total) VALUES ($1, $2) \
                 ON CONFLICT (help_point_id) DO UPDATE SET total = help_point_question_counts.total + $2",
            )
            .bind(help_point_id)
            .bind(n)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        conn.close().await?;
        Ok(())
    }
}

/// A secondary index or a foreign key, as the database itself wrote it down, so that a bulk load can drop it
/// and make it again exactly as the migrations made it.
pub(crate) struct Suspended {
    drop: String,
    create: String,
}

/// The tables a bulk load of help questions writes most: the raw rows and their rollups.
pub(crate) const BULK_LOADED_TABLES: [&str; 4] = [
    "help_questions",
    crate::rollups::ROLLUP_TABLES[0],
    crate::rollups::ROLLUP_TABLES[1],
    crate::rollups::ROLLUP_TABLES[2],
];

impl Store {
    /// Drops what the database keeps up for every row of the tables, before a bulk load: their secondary
    /// indexes, and on PostgreSQL their foreign keys. Primary keys and unique indexes stay, so the load still
    /// checks them. Millions of rows spread over hundreds of help points land all over those indexes, which
    /// outgrow the page cache, and PostgreSQL checks a foreign key with a query per row (2,000,000 questions:
    /// 19 s with the checks, 7 s without). [`Store::restore_indexes_and_foreign_keys`] then builds each index
    /// once, in order, and checks each foreign key in one join. Only for a load into a database that nothing
    /// else uses yet: queries would go without the indexes.
    pub(crate) async fn suspend_indexes_and_foreign_keys(
        &self,
        tables: &[&str],
    ) -> Result<Vec<Suspended>> {
        let _turn = self.write_turn().await;
        let mut tx = self.pool.begin().await?;
        let suspended = suspend_in(&mut tx, self.backend(), tables).await?;
        tx.commit().await?;
        Ok(suspended)
    }

    /// Makes what [`Store::suspend_indexes_and_foreign_keys`] dropped again, in one transaction.
    pub(crate) async fn restore_indexes_and_foreign_keys(
        &self,
        suspended: Vec<Suspended>,
    ) -> Result<()> {
        let _turn = self.write_turn().await;
        let mut conn = self.bulk_connection().await?;
        sort_on_disk(&mut conn, self.backend()).await?;
        let mut tx = conn.begin().await?;
        if self.backend() == Backend::Sqlite {
            // This connection may still hold the schema from before the indexes were dropped (on another
            // connection), and SQLite checks a CREATE against that copy. A read first finds the schema changed
            // and reloads it.
            sqlx::query("SELECT COUNT(*) FROM sqlite_master")
                .execute(&mut *tx)
                .await?;
        }
        restore_in(&mut tx, self.backend(), suspended).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A connection for bulk work that changes its settings ([`sort_on_disk`]): it is closed when dropped, so
    /// those settings never reach the pool.
    pub(crate) async fn bulk_connection(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Any>> {
        let mut conn = self.pool.acquire().await?;
        conn.close_on_drop();
        Ok(conn)
    }
}

/// On SQLite, from here on the connection's sorter (index builds, groupings of millions of rows) spills to
/// temporary files and merges them on two threads. The pool keeps temporary data in memory
/// (`temp_store = MEMORY`): statement journals of its multi-row inserts cost no file writes there, but the
/// sorter's runs go into an in-memory file that is three times slower for an index of 10,000,000 keys (15 s
/// against 5 s in the `sqlite3` shell). Allowed inside a transaction because keten makes no temporary tables
/// on SQLite. Only on a [`Store::bulk_connection`].
pub(crate) async fn sort_on_disk(conn: &mut sqlx::AnyConnection, backend: Backend) -> Result<()> {
    if backend == Backend::Sqlite {
        sqlx::raw_sql("PRAGMA temp_store = FILE; PRAGMA threads = 2")
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// [`Store::suspend_indexes_and_foreign_keys`] inside the caller's transaction: on SQLite, whose readers keep
/// the schema and rows of their snapshot, a rebuild of the rollups drops and rebuilds their indexes unseen.
pub(crate) async fn suspend_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    backend: Backend,
    tables: &[&str],
) -> Result<Vec<Suspended>> {
    let queries: &[&str] = match backend {
        // An index that backs a constraint has no SQL of its own in SQLite's catalogue. SQLite checks a
        // foreign key with one lookup in the parent's primary key, and cannot drop one.
        Backend::Sqlite => &["SELECT 'DROP INDEX ' || name, sql FROM sqlite_master \
             WHERE type = 'index' AND tbl_name = $1 AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%' \
             ORDER BY name"],
        Backend::Postgres => &[
            "SELECT 'DROP INDEX ' || quote_ident(c.relname), pg_get_indexdef(i.indexrelid) \
             FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid \
             WHERE i.indrelid = $1::text::regclass AND NOT i.indisunique ORDER BY c.relname",
            "SELECT 'ALTER TABLE ' || conrelid::regclass::text || ' DROP CONSTRAINT ' || quote_ident(conname), \
             'ALTER TABLE ' || conrelid::regclass::text || ' ADD CONSTRAINT ' || quote_ident(conname) || ' ' \
             || pg_get_constraintdef(oid) \
             FROM pg_constraint WHERE conrelid = $1::text::regclass AND contype = 'f' ORDER BY conname",
        ],
    };
    let mut suspended = Vec::new();
    for table in tables {
        for &query in queries {
            let found = sqlx::query_as::<_, (String, String)>(query)
                .bind(*table)
                .fetch_all(&mut **tx)
                .await?;
            suspended.extend(
                found
                    .into_iter()
                    .map(|(drop, create)| Suspended { drop, create }),
            );
        }
    }
    for one in &suspended {
        // Written by the database from its catalogue, never from a user's text.
        sqlx::raw_sql(sqlx::AssertSqlSafe(one.drop.as_str()))
            .execute(&mut **tx)
            .await?;
    }
    Ok(suspended)
}

/// [`Store::restore_indexes_and_foreign_keys`] inside the caller's transaction.
pub(crate) async fn restore_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    backend: Backend,
    suspended: Vec<Suspended>,
) -> Result<()> {
    if backend == Backend::Postgres {
        // PostgreSQL's default of 64 MB sorts an index of millions of rows on disk in many runs.
        sqlx::query("SET LOCAL maintenance_work_mem = '512MB'")
            .execute(&mut **tx)
            .await?;
    }
    for one in suspended {
        sqlx::raw_sql(sqlx::AssertSqlSafe(one.create))
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

impl Store {
    /// COPY is only on the PostgreSQL driver's own connection, which the `Any` pool does not hand out;
    /// connecting (about 12 ms against a local server) costs little beside a batch of thousands of rows.
    async fn copy_connection(&self) -> Result<PgConnection> {
        let options = PgConnectOptions::from_url(&self.pool.connect_options().database_url)?;
        Ok(options.connect().await?)
    }

    /// PostgreSQL only: a transaction on a connection of its own that adds counts to tables through COPY
    /// ([`CountsCopy::add`]), for a bulk load's rollups.
    pub(crate) async fn begin_counts_copy(&self) -> Result<CountsCopy> {
        let mut conn = self.copy_connection().await?;
        sqlx::raw_sql("BEGIN").execute(&mut conn).await?;
        Ok(CountsCopy { conn })
    }
}

/// A table of counts (a rollup): its columns in the order COPY reads them, and its key. Every column that is
/// not in the key is a count.
pub(crate) struct CountTable {
    pub(crate) name: &'static str,
    pub(crate) columns: &'static [&'static str],
    pub(crate) key: usize,
}

/// A transaction begun by [`Store::begin_counts_copy`]; dropped without [`CountsCopy::commit`], its connection
/// closes and the server rolls it back.
pub(crate) struct CountsCopy {
    conn: PgConnection,
}

impl CountsCopy {
    /// Copies the rows into a temporary table and adds them to `table` in one statement: a row whose key is
    /// already there adds its counts to that row's. `write` turns a row into COPY's text format
    /// ([`push_fields`]); the rows' keys must differ from one another.
    pub(crate) async fn add<R>(
        &mut self,
        table: &CountTable,
        rows: impl Iterator<Item = R>,
        write: impl Fn(&mut Vec<u8>, R),
    ) -> Result<()> {
        let columns = table.columns.join(", ");
        let key = table.columns[..table.key].join(", ");
        let counts: Vec<String> = table.columns[table.key..]
            .iter()
            .map(|c| format!("{c} = {t}.{c} + excluded.{c}", t = table.name))
            .collect();
        let staging = format!("bulk_{}", table.name);
        // Names and columns are constants of the store, never a user's text.
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "CREATE TEMPORARY TABLE {staging} (LIKE {})",
            table.name
        )))
        .execute(&mut self.conn)
        .await?;
        let statement = format!("COPY {staging} ({columns}) FROM STDIN (FORMAT text)");
        copy_rows(&mut self.conn, &statement, rows, write).await?;
        // In key order, so the primary key's index grows at its end.
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "INSERT INTO {t} ({columns}) SELECT {columns} FROM {staging} ORDER BY {key} \
             ON CONFLICT ({key}) DO UPDATE SET {counts}; DROP TABLE {staging}",
            t = table.name,
            counts = counts.join(", ")
        )))
        .execute(&mut self.conn)
        .await?;
        Ok(())
    }

    pub(crate) async fn commit(mut self) -> Result<()> {
        sqlx::raw_sql("COMMIT").execute(&mut self.conn).await?;
        self.conn.close().await?;
        Ok(())
    }
}

/// Sends the rows to a `COPY ... FROM STDIN` statement in COPY's text format, a few MB per message.
async fn copy_rows<R>(
    conn: &mut PgConnection,
    statement: &str,
    rows: impl Iterator<Item = R>,
    write: impl Fn(&mut Vec<u8>, R),
) -> Result<()> {
    let mut copy = conn.copy_in_raw(statement).await?;
    let mut buf = Vec::with_capacity(CHUNK_BYTES + 4096);
    for row in rows {
        write(&mut buf, row);
        if buf.len() >= CHUNK_BYTES {
            copy.send(buf.as_slice()).await?;
            buf.clear();
        }
    }
    if !buf.is_empty() {
        copy.send(buf.as_slice()).await?;
    }
    copy.finish().await?;
    Ok(())
}

/// One field of a COPY row.
pub(crate) enum Field<'a> {
    Text(Option<&'a str>),
    Int(Option<i64>),
}

/// One question as a line of COPY's text format, the values converted as the INSERT path binds them.
fn push_row(buf: &mut Vec<u8>, q: &NewHelpQuestion) {
    use Field::{Int, Text};
    let fields = [
        Text(Some(&q.id)),
        Text(Some(&q.visit_id)),
        Text(Some(&q.help_point_id)),
        Int(Some(q.asked_at)),
        Text(Some(&q.topic_code)),
        Text(Some(&q.agency)),
        Text(Some(&q.kind)),
        Text(Some(q.channel.as_str())),
        Int(Some(q.minutes)),
        Text(Some(q.outcome.as_str())),
        Text(q.age_band.map(AgeBand::as_str)),
        Text(q.pc4.as_deref()),
        Int(q.first_visit.map(i64::from)),
        Text(q.registered_by.as_deref()),
        Int(Some(q.created_at)),
        Text(Some(q.source.as_str())),
        Text(q.registration_link_id.as_deref()),
        Text(q.referred_to.as_deref()),
        Text(q.remark.as_deref()),
        Text(q.consultation_hour_id.as_deref()),
    ];
    push_fields(buf, &fields);
}

/// One row of COPY's text format: the fields, a tab between them, and a newline.
pub(crate) fn push_fields(buf: &mut Vec<u8>, fields: &[Field<'_>]) {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            buf.push(b'\t');
        }
        match *field {
            Field::Text(value) => push_opt_text(buf, value),
            Field::Int(value) => push_opt_int(buf, value),
        }
    }
    buf.push(b'\n');
}

/// A value as COPY's text format reads it back unchanged: tab and newline would end the field or the row,
/// and a backslash would start an escape (`\N` is NULL). UTF-8 continuation bytes are never ASCII, so
/// escaping byte by byte leaves other characters whole.
fn push_text(buf: &mut Vec<u8>, value: &str) {
    let mut rest = value.as_bytes();
    while let Some(at) = rest
        .iter()
        .position(|b| matches!(b, b'\\' | b'\t' | b'\n' | b'\r'))
    {
        buf.extend_from_slice(&rest[..at]);
        buf.extend_from_slice(match rest[at] {
            b'\\' => b"\\\\",
            b'\t' => b"\\t",
            b'\n' => b"\\n",
            _ => b"\\r",
        });
        rest = &rest[at + 1..];
    }
    buf.extend_from_slice(rest);
}

fn push_opt_text(buf: &mut Vec<u8>, value: Option<&str>) {
    match value {
        Some(v) => push_text(buf, v),
        None => buf.extend_from_slice(b"\\N"),
    }
}

fn push_opt_int(buf: &mut Vec<u8>, value: Option<i64>) {
    match value {
        Some(v) => buf.extend_from_slice(v.to_string().as_bytes()),
        None => buf.extend_from_slice(b"\\N"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::help_questions::Source;
    use keten_core::help_question::{Channel, Outcome};
    use sqlx::Row;

    fn text(value: &str) -> String {
        let mut buf = Vec::new();
        push_text(&mut buf, value);
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn text_format_specials_are_escaped() {
        assert_eq!(text("plain"), "plain");
        assert_eq!(text(""), "");
        assert_eq!(text("a\tb"), "a\\tb");
        assert_eq!(text("a\nb\r\nc"), "a\\nb\\r\\nc");
        assert_eq!(text("back\\slash\\"), "back\\\\slash\\\\");
        // A literal `\N` must not come back as NULL, nor `\.` end the data.
        assert_eq!(text("\\N"), "\\\\N");
        assert_eq!(text("\\."), "\\\\.");
        assert_eq!(text("quote ' \" ; ,"), "quote ' \" ; ,");
        assert_eq!(text("Zoë — 日本\t✓"), "Zoë — 日本\\t✓");
    }

    #[test]
    fn nulls_are_backslash_n() {
        let mut buf = Vec::new();
        push_opt_text(&mut buf, None);
        buf.push(b'|');
        push_opt_int(&mut buf, None);
        buf.push(b'|');
        push_opt_int(&mut buf, Some(-7));
        assert_eq!(buf, b"\\N|\\N|-7");
    }

    #[test]
    fn a_row_is_twenty_fields_on_one_line() {
        let mut q = question(0, "hp", "topic");
        q.remark = Some("x\ty\nz\\".into());
        let mut buf = Vec::new();
        push_row(&mut buf, &q);
        let line = String::from_utf8(buf).unwrap();
        assert!(line.ends_with('\n'));
        assert_eq!(line.matches('\n').count(), 1);
        assert_eq!(line.split('\t').count(), 20);
    }

    /// Values that COPY's text format would misread unescaped.
    const AWKWARD: &[&str] = &[
        "tab\there",
        "line\nbreak",
        "carriage\r\nreturn",
        "back\\slash",
        "\\N",
        "\\.",
        "\\",
        "quote ' and \" double",
        "",
        "Zoë, café, 日本語, ✓",
        "\\t is not a tab",
        "\t\n\r\\",
    ];

    fn awkward(i: usize) -> String {
        AWKWARD[i % AWKWARD.len()].to_owned()
    }

    /// Question `i`: every nullable column is NULL in some rows and awkward text in others.
    fn question(i: usize, help_point_id: &str, topic_code: &str) -> NewHelpQuestion {
        let some = |k: usize| !(i / k).is_multiple_of(3);
        NewHelpQuestion {
            id: format!("q{i:04}\t{}", awkward(i)),
            visit_id: format!("v{}\\{}", i / 2, awkward(i + 1)),
            help_point_id: help_point_id.to_owned(),
            asked_at: 1_772_442_000 - i64::try_from(i).unwrap() * 3_601,
            topic_code: topic_code.to_owned(),
            agency: awkward(i + 2),
            kind: awkward(i + 3),
            channel: Channel::ALL[i % Channel::ALL.len()],
            minutes: 1 + i64::try_from(i % 480).unwrap(),
            outcome: Outcome::ALL[i % Outcome::ALL.len()],
            age_band: some(1).then(|| AgeBand::ALL[i % AgeBand::ALL.len()]),
            pc4: some(2).then(|| awkward(i + 4)),
            first_visit: some(3).then_some(i.is_multiple_of(2)),
            registered_by: some(4).then(|| awkward(i + 5)),
            created_at: 1_772_442_000 + i64::try_from(i).unwrap(),
            source: [
                Source::Desk,
                Source::Link,
                Source::Api,
                Source::Import,
                Source::Demo,
            ][i % 5],
            registration_link_id: some(5).then(|| awkward(i + 6)),
            referred_to: some(6).then(|| awkward(i + 7)),
            remark: some(7).then(|| awkward(i)),
            consultation_hour_id: some(8).then(|| awkward(i + 8)),
        }
    }

    #[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
    enum Value {
        Null,
        Int(i64),
        Text(String),
    }

    fn text_value(v: Option<&str>) -> Value {
        v.map_or(Value::Null, |v| Value::Text(v.to_owned()))
    }

    fn int_value(v: Option<i64>) -> Value {
        v.map_or(Value::Null, Value::Int)
    }

    /// What the INSERT path stores for a question, column by column.
    fn stored(q: &NewHelpQuestion) -> Vec<Value> {
        vec![
            text_value(Some(&q.id)),
            text_value(Some(&q.visit_id)),
            text_value(Some(&q.help_point_id)),
            int_value(Some(q.asked_at)),
            text_value(Some(&q.topic_code)),
            text_value(Some(&q.agency)),
            text_value(Some(&q.kind)),
            text_value(Some(q.channel.as_str())),
            int_value(Some(q.minutes)),
            text_value(Some(q.outcome.as_str())),
            text_value(q.age_band.map(AgeBand::as_str)),
            text_value(q.pc4.as_deref()),
            int_value(q.first_visit.map(i64::from)),
            text_value(q.registered_by.as_deref()),
            int_value(Some(q.created_at)),
            text_value(Some(q.source.as_str())),
            text_value(q.registration_link_id.as_deref()),
            text_value(q.referred_to.as_deref()),
            text_value(q.remark.as_deref()),
            text_value(q.consultation_hour_id.as_deref()),
        ]
    }

    const INT_COLUMNS: [usize; 4] = [3, 8, 12, 14];

    async fn read_back(store: &Store) -> Vec<Vec<Value>> {
        let rows = sqlx::query(
            "SELECT id, visit_id, help_point_id, asked_at, topic_code, agency, kind, channel, minutes, outcome, \
             age_band, pc4, first_visit, registered_by, created_at, source, registration_link_id, referred_to, \
             remark, consultation_hour_id FROM help_questions",
        )
        .fetch_all(&store.pool)
        .await
        .unwrap();
        let mut out: Vec<Vec<Value>> = rows
            .iter()
            .map(|row| {
                (0..20)
                    .map(|i| {
                        if INT_COLUMNS.contains(&i) {
                            int_value(row.try_get::<Option<i64>, _>(i).unwrap())
                        } else {
                            text_value(row.try_get::<Option<String>, _>(i).unwrap().as_deref())
                        }
                    })
                    .collect()
            })
            .collect();
        out.sort();
        out
    }

    /// The demo chain, loaded: the help points and topics that the questions refer to.
    async fn demo_chain(store: &Store) -> (keten_core::demo::DemoChain, crate::demo::LoadedChain) {
        let chain = keten_core::demo::demo_chain();
        let hashes = vec!["x".to_owned(); chain.users.len()];
        let loaded = store
            .load_demo_chain(&chain, &hashes, 1_772_442_000)
            .await
            .unwrap();
        (chain, loaded)
    }

    /// Loads the demo chain (help points and topics the rows refer to), writes half the questions through
    /// the INSERT path and half through the bulk path, and reads every column and running total back.
    async fn both_paths_store_what_was_given(store: &Store) {
        store.migrate().await.unwrap();
        let (_, loaded) = demo_chain(store).await;
        let topics: Vec<&str> = keten_core::help_question::DEFAULT_TOPICS
            .iter()
            .map(|t| t.code)
            .take(5)
            .collect();
        let questions: Vec<NewHelpQuestion> = (0..400)
            .map(|i| {
                let points = &loaded.help_point_ids;
                question(
                    i,
                    &points[i % points.len().min(7)],
                    topics[i % topics.len()],
                )
            })
            .collect();
        let (by_insert, by_copy) = questions.split_at(questions.len() / 2);
        store
            .insert_help_questions_without_rollups(by_insert)
            .await
            .unwrap();
        // Two calls and an empty one: each adds to the running totals.
        let (first, second) = by_copy.split_at(77);
        store.insert_help_questions_bulk(first).await.unwrap();
        store.insert_help_questions_bulk(&[]).await.unwrap();
        store.insert_help_questions_bulk(second).await.unwrap();

        let mut expected: Vec<Vec<Value>> = questions.iter().map(stored).collect();
        expected.sort();
        assert_eq!(read_back(store).await, expected);

        let mut totals: BTreeMap<String, i64> = BTreeMap::new();
        for q in &questions {
            *totals.entry(q.help_point_id.clone()).or_default() += 1;
        }
        let stored_totals: BTreeMap<String, i64> = sqlx::query_as::<_, (String, i64)>(
            "SELECT help_point_id, total FROM help_point_question_counts",
        )
        .fetch_all(&store.pool)
        .await
        .unwrap()
        .into_iter()
        .collect();
        assert_eq!(stored_totals, totals);

        // A failing COPY leaves nothing behind: the same ids again break the primary key.
        let before = store.count_help_questions().await.unwrap();
        assert!(store.insert_help_questions_bulk(by_copy).await.is_err());
        assert_eq!(store.count_help_questions().await.unwrap(), before);
    }

    /// The PostgreSQL server for tests (`scripts/with-postgres`); unset skips, unless CI requires it.
    fn postgres_url() -> Option<String> {
        let url = std::env::var("KETEN_TEST_POSTGRES")
            .ok()
            .filter(|u| !u.is_empty());
        if url.is_none() && std::env::var("KETEN_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
            panic!("KETEN_REQUIRE_POSTGRES=1 but KETEN_TEST_POSTGRES is not set");
        }
        url
    }

    /// Runs `check` on a store in a PostgreSQL schema of its own, reached through the URL (a COPY connection
    /// must land in it too), and drops the schema after.
    async fn in_postgres_schema<F: std::future::Future<Output = ()>>(
        check: impl FnOnce(Store) -> F,
    ) {
        let Some(base) = postgres_url() else {
            eprintln!("KETEN_TEST_POSTGRES not set: skipped");
            return;
        };
        let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
        let admin = Store::connect(&base).await.unwrap();
        admin
            .execute_raw(&format!("CREATE SCHEMA {schema}"))
            .await
            .unwrap();
        let sep = if base.contains('?') { '&' } else { '?' };
        let store = Store::connect(&format!("{base}{sep}options=-c%20search_path%3D{schema}"))
            .await
            .unwrap();
        check(store.clone()).await;
        store.close().await;
        admin
            .execute_raw(&format!("DROP SCHEMA {schema} CASCADE"))
            .await
            .unwrap();
        admin.close().await;
    }

    /// Runs `check` on a store in a new SQLite file, and removes the file after.
    async fn in_sqlite_file<F: std::future::Future<Output = ()>>(check: impl FnOnce(Store) -> F) {
        let path = std::env::temp_dir().join(format!("keten-bulk-{}.db", uuid::Uuid::new_v4()));
        let store = Store::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        check(store.clone()).await;
        store.close().await;
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres_copy_stores_what_insert_stores() {
        in_postgres_schema(|store| async move { both_paths_store_what_was_given(&store).await })
            .await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite_bulk_load_is_the_insert_path() {
        in_sqlite_file(|store| async move { both_paths_store_what_was_given(&store).await }).await;
    }

    /// Every index on the bulk-loaded tables, and on PostgreSQL every foreign key, with its definition, as the
    /// database's catalogue lists it.
    async fn definitions(store: &Store) -> Vec<(String, String)> {
        let sql = match store.backend() {
            Backend::Sqlite => {
                "SELECT name, COALESCE(sql, '') FROM sqlite_master WHERE type = 'index' \
                 AND tbl_name IN ($1, $2, $3, $4) ORDER BY name"
            }
            Backend::Postgres => {
                "SELECT indexname::text, indexdef FROM pg_indexes WHERE schemaname = current_schema() \
                 AND tablename IN ($1, $2, $3, $4) \
                 UNION ALL SELECT conname::text, pg_get_constraintdef(oid) FROM pg_constraint \
                 WHERE contype = 'f' AND conrelid IN \
                 ($1::text::regclass, $2::text::regclass, $3::text::regclass, $4::text::regclass) ORDER BY 1"
            }
        };
        let mut query = sqlx::query_as::<_, (String, String)>(sql);
        for table in BULK_LOADED_TABLES {
            query = query.bind(table);
        }
        query.fetch_all(&store.pool).await.unwrap()
    }

    /// The demo loader drops the secondary indexes (and on PostgreSQL the foreign keys) while it writes and
    /// makes every one of them again, the primary keys untouched; a second load adds to the first one's
    /// rollups, which equal rebuilt ones; the rebuild leaves the indexes as they were too.
    async fn a_bulk_load_leaves_the_indexes_as_it_found_them(store: &Store) {
        store.migrate().await.unwrap();
        let before = definitions(store).await;
        let suspendable = |all: &[(String, String)]| {
            all.iter()
                .filter(|(name, _)| name.contains("_by_") || name.ends_with("_fkey"))
                .count()
        };
        // Seven indexes; on PostgreSQL also the questions' foreign keys to help points and topics.
        let expected = match store.backend() {
            Backend::Sqlite => 7,
            Backend::Postgres => 9,
        };
        assert_eq!(suspendable(&before), expected, "{before:?}");
        // Most questions have no consultation hour: their NULLs stay out of its index (migration 0036).
        let by_hour = before
            .iter()
            .find(|(name, _)| name == "help_questions_by_consultation_hour")
            .map(|(_, definition)| definition.to_lowercase())
            .unwrap_or_default();
        assert!(
            by_hour.contains("where") && by_hour.contains("consultation_hour_id is not null"),
            "{by_hour}"
        );

        let suspended = store
            .suspend_indexes_and_foreign_keys(&BULK_LOADED_TABLES)
            .await
            .unwrap();
        let during = definitions(store).await;
        assert_eq!(suspendable(&during), 0, "{during:?}");
        assert_eq!(
            during.len(),
            before.len() - expected,
            "the primary keys stay"
        );
        store
            .restore_indexes_and_foreign_keys(suspended)
            .await
            .unwrap();
        assert_eq!(definitions(store).await, before);

        let (chain, loaded) = demo_chain(store).await;
        let end = jiff::Timestamp::from_second(1_772_442_000).unwrap();
        let generator = keten_core::demo::QuestionGenerator::new(&chain, end, 3_000, 5);
        let written = store
            .load_demo_questions(&loaded, generator, 1_772_442_000, |_| {})
            .await
            .unwrap();
        assert_eq!(written, 3_000);
        assert_eq!(store.count_help_questions().await.unwrap(), 3_000);
        assert_eq!(definitions(store).await, before);

        // A second load adds to the rollups the first one wrote (on PostgreSQL: rows whose key is there).
        let generator = keten_core::demo::QuestionGenerator::new(&chain, end, 2_000, 6);
        store
            .load_demo_questions(&loaded, generator, 1_772_442_000, |_| {})
            .await
            .unwrap();
        assert_eq!(store.count_help_questions().await.unwrap(), 5_000);
        let kept = store.rollup_rows().await.unwrap();
        store.rebuild_rollups().await.unwrap();
        assert!(
            kept == store.rollup_rows().await.unwrap(),
            "rollups differ from rebuilt ones"
        );
        // The rebuild (on SQLite without the rollups' indexes until its end) leaves them as they were, too.
        assert_eq!(definitions(store).await, before);
        if store.backend() == Backend::Sqlite {
            // A partner's questions are still found through the partial index (the raw figures' lookup).
            let plan: Vec<(i64, i64, i64, String)> = sqlx::query_as(
                "EXPLAIN QUERY PLAN SELECT COUNT(*) FROM help_questions WHERE consultation_hour_id IN \
                 (SELECT id FROM consultation_hours WHERE organisation_id = 'x')",
            )
            .fetch_all(&store.pool)
            .await
            .unwrap();
            assert!(
                plan.iter()
                    .any(|(_, _, _, step)| step.contains("help_questions_by_consultation_hour")),
                "{plan:?}"
            );
            // The loads' sorting connection is gone: every connection of the pool (eight at most, all held
            // at once here) still keeps its temporary data in memory.
            let mut held = Vec::new();
            for _ in 0..8 {
                let mut conn = store.pool.acquire().await.unwrap();
                let temp_store: i64 = sqlx::query_scalar("PRAGMA temp_store")
                    .fetch_one(&mut *conn)
                    .await
                    .unwrap();
                assert_eq!(
                    temp_store, 2,
                    "a pooled connection with temp_store {temp_store}"
                );
                held.push(conn);
            }
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite_bulk_load_restores_its_indexes() {
        in_sqlite_file(|store| async move {
            a_bulk_load_leaves_the_indexes_as_it_found_them(&store).await;
        })
        .await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres_bulk_load_restores_its_indexes() {
        in_postgres_schema(|store| async move {
            a_bulk_load_leaves_the_indexes_as_it_found_them(&store).await;
        })
        .await;
    }
}
