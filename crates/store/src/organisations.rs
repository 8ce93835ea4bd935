//! Organisations of the chain and the municipalities they are active in.

use crate::error::{Result, StoreError};
use crate::sql::Sql;
use crate::{Actor, Store, new_id};
use keten_core::organisation::{
    OrganisationDraft, OrganisationIdentifiers, OrganisationKind, Sector,
};

#[derive(Debug, Clone, PartialEq)]
pub struct Organisation {
    pub id: String,
    pub name: String,
    pub kind: OrganisationKind,
    pub sector: Sector,
    pub municipality_code: String,
    pub active_in: Vec<String>,
    pub identifiers: OrganisationIdentifiers,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    name: String,
    kind: String,
    sector: String,
    municipality_code: String,
    kvk_number: Option<String>,
    kbo_number: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<Row> for Organisation {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Self> {
        Ok(Organisation {
            kind: crate::parse_code(&r.kind)?,
            sector: crate::parse_code(&r.sector)?,
            active_in: Vec::new(),
            identifiers: OrganisationIdentifiers {
                kvk_number: r.kvk_number,
                kbo_number: r.kbo_number,
            },
            id: r.id,
            name: r.name,
            municipality_code: r.municipality_code,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

macro_rules! select_organisations {
    () => {
        "SELECT o.id, o.name, o.kind, o.sector, o.municipality_code, o.kvk_number, o.kbo_number, o.created_at, o.updated_at \
         FROM organisations o WHERE 1 = 1"
    };
}
const SELECT: &str = select_organisations!();

const fn concat_select_by_id() -> &'static str {
    concat!(select_organisations!(), " AND o.id = $1")
}

impl Store {
    /// The registration numbers (KvK, KBO) of every organisation that has one, by organisation id. Public:
    /// they are published in the open directory (HSDS `organization_identifiers`).
    pub async fn organisation_identifiers(
        &self,
    ) -> Result<std::collections::HashMap<String, OrganisationIdentifiers>> {
        let rows: Vec<(String, Option<String>, Option<String>)> = sqlx::query_as(
            "SELECT id, kvk_number, kbo_number FROM organisations \
             WHERE kvk_number IS NOT NULL OR kbo_number IS NOT NULL",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, kvk_number, kbo_number)| {
                (
                    id,
                    OrganisationIdentifiers {
                        kvk_number,
                        kbo_number,
                    },
                )
            })
            .collect())
    }

    /// Creates an organisation; it is always active in its home municipality.
    pub async fn create_organisation(
        &self,
        new: &OrganisationDraft,
        now: i64,
    ) -> Result<Organisation> {
        let id = new_id();
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO organisations (id, name, kind, sector, municipality_code, kvk_number, kbo_number, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        )
        .bind(&id)
        .bind(new.name.trim())
        .bind(new.kind.as_str())
        .bind(new.sector.as_str())
        .bind(&new.municipality_code)
        .bind(new.identifiers.kvk_number.as_deref())
        .bind(new.identifiers.kbo_number.as_deref())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let mut codes: Vec<&String> = std::iter::once(&new.municipality_code)
            .chain(new.active_in.iter())
            .collect();
        codes.sort();
        codes.dedup();
        for code in codes {
            sqlx::query(
                "INSERT INTO organisation_municipalities (organisation_id, municipality_code) VALUES ($1, $2)",
            )
            .bind(&id)
            .bind(code)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        self.organisation_unscoped(&id).await
    }

    /// One organisation the actor may see; another tenant's gives `NotFound`.
    pub async fn organisation(&self, actor: &Actor, id: &str) -> Result<Organisation> {
        let mut sql = Sql::new(SELECT);
        sql.push(" AND o.id = ").bind(id.to_owned());
        actor.push_organisation_filter(&mut sql, "o.id");
        let row: Row = sql
            .query_as()?
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut org = Organisation::try_from(row)?;
        org.active_in = self.active_in(&org.id).await?;
        Ok(org)
    }

    /// The organisations the actor may see, by name.
    pub async fn organisations(&self, actor: &Actor) -> Result<Vec<Organisation>> {
        let mut sql = Sql::new(SELECT);
        actor.push_organisation_filter(&mut sql, "o.id");
        sql.push(" ORDER BY o.name, o.id");
        let rows: Vec<Row> = sql.query_as()?.fetch_all(&self.pool).await?;
        let mut orgs = rows
            .into_iter()
            .map(Organisation::try_from)
            .collect::<Result<Vec<_>>>()?;
        for org in &mut orgs {
            org.active_in = self.active_in(&org.id).await?;
        }
        Ok(orgs)
    }

    pub(crate) async fn organisation_unscoped(&self, id: &str) -> Result<Organisation> {
        let row: Row = sqlx::query_as(concat_select_by_id())
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut org = Organisation::try_from(row)?;
        org.active_in = self.active_in(&org.id).await?;
        Ok(org)
    }

    async fn active_in(&self, id: &str) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT municipality_code FROM organisation_municipalities WHERE organisation_id = $1 ORDER BY municipality_code",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?)
    }
}

impl Store {
    /// (id, name) of the organisations active in a municipality: the choices
    /// for "referred to" at a help point's desk.
    pub async fn organisation_names_in(
        &self,
        municipality_code: &str,
    ) -> Result<Vec<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT o.id, o.name FROM organisations o JOIN organisation_municipalities m \
             ON m.organisation_id = o.id WHERE m.municipality_code = $1 ORDER BY o.name, o.id",
        )
        .bind(municipality_code)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Sets an organisation's registry numbers ([`Actor::keeps_identifiers_of`]).
    pub async fn set_organisation_identifiers(
        &self,
        actor: &Actor,
        id: &str,
        identifiers: &OrganisationIdentifiers,
        now: i64,
    ) -> Result<()> {
        self.organisation(actor, id).await?;
        if !actor.keeps_identifiers_of(id) {
            return Err(StoreError::NotFound);
        }
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE organisations SET kvk_number = $1, kbo_number = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(identifiers.kvk_number.as_deref())
        .bind(identifiers.kbo_number.as_deref())
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        // Organisation names and numbers are part of the published directory (HSDS).
        crate::help_points::bump_directory_revision(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Ids and names of the organisations with this KvK or KBO number (normalised digits), for matching on import.
    pub async fn organisations_with_identifier(
        &self,
        kvk_number: Option<&str>,
        kbo_number: Option<&str>,
    ) -> Result<Vec<(String, String)>> {
        let mut found: Vec<(String, String)> = Vec::new();
        for (column_query, value) in [
            (
                "SELECT id, name FROM organisations WHERE kvk_number = $1 ORDER BY name, id",
                kvk_number,
            ),
            (
                "SELECT id, name FROM organisations WHERE kbo_number = $1 ORDER BY name, id",
                kbo_number,
            ),
        ] {
            let Some(value) = value else { continue };
            let rows: Vec<(String, String)> = sqlx::query_as(column_query)
                .bind(value)
                .fetch_all(&self.pool)
                .await?;
            for row in rows {
                if !found.contains(&row) {
                    found.push(row);
                }
            }
        }
        Ok(found)
    }
}
