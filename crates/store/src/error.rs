//! The store layer's one error type.

/// What can go wrong in the store. `NotFound` also covers rows that exist but
/// are outside the actor's tenant: a handler cannot tell the two apart, so it
/// cannot leak that a foreign row exists.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// The change breaks a rule that only the database can check (an
    /// organisation that does not exist, a help point the actor does not
    /// belong to); messages are Dutch, for people.
    #[error("invalid: {0:?}")]
    Invalid(Vec<keten_core::ValidationError>),
    /// A named unique or check constraint refused the change.
    #[error("conflict on {0}")]
    Conflict(String),
    /// The database holds a value this version of keten cannot read.
    #[error("unreadable stored value: {0}")]
    Corrupt(String),
    #[error("unsupported database url: {0}")]
    UnsupportedUrl(String),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Database(sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                // SQLite names the columns, PostgreSQL the constraint: keep whichever we get.
                StoreError::Conflict(
                    db.constraint()
                        .map(str::to_owned)
                        .unwrap_or_else(|| db.message().to_owned()),
                )
            }
            _ => StoreError::Database(e),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
