//! Who is asking: the actor whose memberships scope every tenant-bound query.

use crate::routing_rules::REFERRAL_ROLES;
use crate::sql::Sql;
use keten_core::account::Role;

/// One (organisation, role) pair the actor holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub organisation_id: String,
    pub organisation_name: String,
    pub role: Role,
}

/// The signed-in user or API token on whose behalf the store is asked.
///
/// Tenant rule: an actor sees the organisations of its own chains, i.e. every
/// organisation active in a municipality where one of the actor's
/// organisations is active. An admin sees everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Actor {
    /// `None` when the actor is an organisation's API token.
    pub user_id: Option<String>,
    pub memberships: Vec<Membership>,
    /// Municipality codes of the chains the actor's organisations belong to.
    pub chain_municipalities: Vec<String>,
    /// Municipalities the actor steers (role `steering` in their organisation).
    pub steering_municipalities: Vec<String>,
}

impl Actor {
    pub fn is_admin(&self) -> bool {
        self.has_role(Role::Admin)
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.memberships.iter().any(|m| m.role == role)
    }

    pub fn has_any_role(&self, roles: &[Role]) -> bool {
        self.memberships.iter().any(|m| roles.contains(&m.role))
    }

    pub fn is_member_of(&self, organisation_id: &str) -> bool {
        self.memberships
            .iter()
            .any(|m| m.organisation_id == organisation_id)
    }

    /// Whether the actor sends and receives referrals for this organisation (partner, staff or coordinator there).
    /// Steering and admins are members of organisations too, but never see a referral's contact data.
    pub fn refers_for(&self, organisation_id: &str) -> bool {
        self.memberships
            .iter()
            .any(|m| m.organisation_id == organisation_id && REFERRAL_ROLES.contains(&m.role))
    }

    /// Ids of the organisations for which the actor sends and receives referrals.
    pub fn referral_organisation_ids(&self) -> impl Iterator<Item = String> + '_ {
        self.memberships
            .iter()
            .filter(|m| REFERRAL_ROLES.contains(&m.role))
            .map(|m| m.organisation_id.clone())
    }

    /// Whether the actor keeps this organisation's registry numbers (KvK, KBO): admins, and the organisation's
    /// own staff, coordinators and steering members. One rule for the page and the store.
    pub fn keeps_identifiers_of(&self, organisation_id: &str) -> bool {
        self.is_admin()
            || self.memberships.iter().any(|m| {
                m.organisation_id == organisation_id
                    && matches!(m.role, Role::Staff | Role::Coordinator | Role::Steering)
            })
    }

    /// Ids of the organisations the actor is a member of.
    pub fn organisation_ids(&self) -> impl Iterator<Item = String> + '_ {
        self.memberships.iter().map(|m| m.organisation_id.clone())
    }

    /// Ids of the organisations where the actor holds `role`.
    pub fn organisation_ids_with(&self, role: Role) -> impl Iterator<Item = String> + '_ {
        self.memberships
            .iter()
            .filter(move |m| m.role == role)
            .map(|m| m.organisation_id.clone())
    }

    /// Appends `AND (h.id is a help point this actor coordinates)`: staff of
    /// the operating organisation, steering of a municipality it sits in or
    /// serves, or an admin.
    pub(crate) fn push_help_point_coordination_filter(&self, sql: &mut Sql) {
        if self.is_admin() {
            return;
        }
        sql.push(" AND (h.organisation_id IN ");
        sql.bind_list(
            self.organisation_ids_with(Role::Staff)
                .chain(self.organisation_ids_with(Role::Coordinator)),
        );
        sql.push(" OR h.municipality_code IN ");
        sql.bind_list(self.steering_municipalities.iter().cloned());
        sql.push(" OR h.id IN (SELECT help_point_id FROM help_point_municipalities WHERE municipality_code IN ");
        sql.bind_list(self.steering_municipalities.iter().cloned());
        sql.push("))");
    }

    /// Appends `AND (o.id is an organisation this actor may see)`; `column`
    /// is a fixed column name such as `"o.id"`.
    pub(crate) fn push_organisation_filter(&self, sql: &mut Sql, column: &'static str) {
        if self.is_admin() {
            return;
        }
        sql.push(" AND (").push(column);
        sql.push(" IN (SELECT organisation_id FROM organisation_municipalities WHERE municipality_code IN ");
        sql.bind_list(self.chain_municipalities.iter().cloned());
        sql.push(") OR ").push(column).push(" IN ");
        sql.bind_list(self.organisation_ids());
        sql.push(")");
    }
}
