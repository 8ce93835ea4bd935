//! Building a query from fixed SQL fragments and bound values, with `$N`
//! placeholders that both SQLite and PostgreSQL accept (sqlx's `QueryBuilder`
//! writes `?` for the `Any` driver, which PostgreSQL refuses).

use crate::error::{Result, StoreError};
use sqlx::any::AnyArguments;
use sqlx::query::{Query, QueryAs};
use sqlx::{Any, Arguments, Encode, FromRow, Type};

/// SQL text made only of `&'static str` fragments, so input can never become SQL.
#[derive(Default)]
pub(crate) struct Sql {
    text: String,
    args: AnyArguments,
    count: usize,
    error: Option<String>,
    /// Plain `?` placeholders (SQLite only): SQLite looks each numbered one up in a list of names when
    /// binding, so a statement of hundreds of `$N` spends most of its time there (measured: a fifth of the
    /// demo loader's time in `sqlite3_bind_parameter_name`).
    positional: bool,
}

impl Sql {
    pub fn new(text: &'static str) -> Self {
        Sql {
            text: text.to_owned(),
            ..Default::default()
        }
    }

    /// Like [`Sql::new`], with plain `?` placeholders when the connection is SQLite's: for statements with
    /// many values (multi-row inserts).
    pub fn for_connection(conn: &sqlx::AnyConnection, text: &'static str) -> Self {
        Sql {
            positional: conn.backend_name().eq_ignore_ascii_case("sqlite"),
            ..Sql::new(text)
        }
    }

    pub fn push(&mut self, text: &'static str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder for `value`.
    pub fn bind<T>(&mut self, value: T) -> &mut Self
    where
        T: Encode<'static, Any> + Type<Any>,
    {
        self.count += 1;
        if self.positional {
            self.text.push('?');
        } else {
            self.text.push('$');
            self.text.push_str(&self.count.to_string());
        }
        if let Err(e) = self.args.add(value) {
            self.error.get_or_insert(e.to_string());
        }
        self
    }

    /// Appends `(v1, v2, ...)`; an empty list becomes `('')`, which matches no id or code.
    pub fn bind_list<I, T>(&mut self, values: I) -> &mut Self
    where
        I: IntoIterator<Item = T>,
        T: Encode<'static, Any> + Type<Any>,
    {
        self.text.push('(');
        let mut first = true;
        for value in values {
            if !first {
                self.text.push_str(", ");
            }
            first = false;
            self.bind(value);
        }
        if first {
            self.text.push_str("''");
        }
        self.text.push(')');
        self
    }

    fn finish(self) -> Result<(sqlx::AssertSqlSafe<String>, AnyArguments)> {
        match self.error {
            Some(e) => Err(StoreError::Corrupt(format!("cannot bind value: {e}"))),
            // Safe: the text is made of static fragments and numbered placeholders only.
            None => Ok((sqlx::AssertSqlSafe(self.text), self.args)),
        }
    }

    pub fn query(self) -> Result<Query<'static, Any, AnyArguments>> {
        let (text, args) = self.finish()?;
        Ok(sqlx::query_with(text, args))
    }

    pub fn query_as<O>(self) -> Result<QueryAs<'static, Any, O, AnyArguments>>
    where
        O: for<'r> FromRow<'r, sqlx::any::AnyRow>,
    {
        let (text, args) = self.finish()?;
        Ok(sqlx::query_as_with(text, args))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_and_lists_never_empty() {
        let mut sql = Sql::new("SELECT 1 WHERE a = ");
        sql.bind(1_i64).push(" AND b IN ").bind_list(["x", "y"]);
        sql.push(" AND c IN ").bind_list(Vec::<String>::new());
        assert_eq!(
            sql.text,
            "SELECT 1 WHERE a = $1 AND b IN ($2, $3) AND c IN ('')"
        );
        assert_eq!(sql.count, 3);
    }
}
