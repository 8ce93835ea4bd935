//! The JSON API under /api/v1: authentication, the router and its OpenAPI description.

mod accounts;
mod help_questions;
mod organisations;
mod places;

use crate::AppState;
use crate::error::{FieldProblem, Problem};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "keten API",
        description = "JSON API of keten, the open platform for the local chain approach to digital inclusion. \
                       Errors are RFC 9457 problem documents (application/problem+json).",
        license(name = "EUPL-1.2", identifier = "EUPL-1.2")
    ),
    components(schemas(Problem, FieldProblem)),
    modifiers(&SecuritySchemes),
    tags(
        (name = "accounts", description = "Who am I, users and API tokens"),
        (name = "organisations", description = "Organisations of the chain"),
        (name = "places", description = "Postcodes and place names to points and municipalities"),
        (name = "finder", description = "The public help finder"),
        (name = "help questions", description = "Registering help questions at help points"),
        (name = "referrals", description = "Warm referrals between chain partners, and the routing rules"),
        (name = "scba", description = "Cost-benefit analysis (MKBA) of the help points, with every assumption"),
        (name = "stats", description = "Steering figures of help questions, from the rollups"),
        (name = "surveys", description = "Results of the anonymous visitor survey, with the cells-under-5 rule"),
        (name = "stakeholders", description = "The stakeholder map of a municipality's chain, with activity from keten's data"),
        (name = "action-plans", description = "A municipality's local action plan: inventory, actions on three horizons, progress and figures"),
        (name = "trajectories", description = "Guided trajectories of a programme, its group meetings and attendance"),
        (name = "events", description = "Events of a programme with limited places: counts, sign-ups and attendance"),
        (name = "programmes", description = "National programmes: settings, applications, grants and reports"),
        (name = "devices", description = "The device bank: donations, devices with their wiping records, requests through the chain"),
    )
)]
struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("Per-organisation API token"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("keten_session"))),
        );
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(accounts::me))
        .routes(routes!(accounts::list_users, accounts::create_user))
        .routes(routes!(accounts::remove_user))
        .routes(routes!(accounts::disable_user))
        .routes(routes!(accounts::create_api_token))
        .routes(routes!(accounts::revoke_api_token))
        .routes(routes!(
            organisations::list_organisations,
            organisations::create_organisation
        ))
        .routes(routes!(organisations::get_organisation))
        .routes(routes!(
            crate::webhooks::api::get_webhook,
            crate::webhooks::api::put_webhook,
            crate::webhooks::api::delete_webhook
        ))
        .routes(routes!(places::resolve_place))
        .routes(routes!(
            help_questions::register_help_questions,
            help_questions::list_help_questions
        ))
        .routes(routes!(crate::finder::nearest_help_points))
        .routes(routes!(
            crate::referrals::api::list_referrals,
            crate::referrals::api::create_referral
        ))
        .routes(routes!(crate::referrals::api::get_referral))
        .routes(routes!(crate::referrals::api::act_on_referral))
        .routes(routes!(crate::referrals::api::propose_referral_destination))
        .routes(routes!(crate::referrals::api::referral_statistics))
        .routes(routes!(crate::referrals::api::referral_audit_trail))
        .routes(routes!(crate::referrals::api::erase_referral_contact))
        .routes(routes!(
            crate::referrals::api::list_routing_rules,
            crate::referrals::api::create_routing_rule
        ))
        .routes(routes!(crate::referrals::api::delete_routing_rule))
        .routes(routes!(crate::referrals::reroute::reroute_referral))
        .routes(routes!(
            crate::referrals::settings::get_referral_settings,
            crate::referrals::settings::put_referral_settings
        ))
        .routes(routes!(crate::referrals::settings::put_referrals_full))
        .routes(routes!(crate::referrals::steering::get_referral_overview))
        .routes(routes!(crate::steering::api::get_stats))
        .routes(routes!(crate::value::api::get_scba))
        .routes(routes!(crate::value::api::put_scba_model))
        .routes(routes!(crate::steering::api::get_stats_table))
        .routes(routes!(crate::surveys::api::get_surveys))
        .routes(routes!(
            crate::stakeholders::api::list_stakeholders,
            crate::stakeholders::api::create_stakeholder
        ))
        .routes(routes!(
            crate::stakeholders::api::get_stakeholder,
            crate::stakeholders::api::put_stakeholder,
            crate::stakeholders::api::delete_stakeholder
        ))
        .routes(routes!(
            crate::trajectories::api::list_trajectories,
            crate::trajectories::api::create_trajectory
        ))
        .routes(routes!(crate::trajectories::api::get_trajectory))
        .routes(routes!(crate::trajectories::api::record_intake))
        .routes(routes!(crate::trajectories::api::put_end_date))
        .routes(routes!(crate::trajectories::api::advance_stage))
        .routes(routes!(
            crate::trajectories::api::list_meetings,
            crate::trajectories::api::create_meeting
        ))
        .routes(routes!(crate::trajectories::api::put_attendance))
        .routes(routes!(crate::trajectories::api::get_attendance))
        .routes(routes!(
            crate::action_plans::api::list_action_plans,
            crate::action_plans::api::create_action_plan
        ))
        .routes(routes!(
            crate::action_plans::api::get_action_plan,
            crate::action_plans::api::put_action_plan
        ))
        .routes(routes!(crate::action_plans::api::create_plan_item))
        .routes(routes!(crate::action_plans::api::create_plan_action))
        .routes(routes!(crate::action_plans::api::put_plan_action))
        .routes(routes!(
            crate::events::api::list_events,
            crate::events::api::create_event
        ))
        .routes(routes!(crate::events::api::list_sign_ups))
        .routes(routes!(crate::events::api::put_attendance))
        .routes(routes!(
            crate::trajectories::api::get_conditions,
            crate::trajectories::api::put_conditions
        ))
        .routes(routes!(
            crate::trajectories::api::list_sessions,
            crate::trajectories::api::create_session
        ))
        .routes(routes!(crate::trajectories::api::put_assignment))
        .routes(routes!(crate::trajectories::api::put_assignment_status))
        .routes(routes!(crate::trajectories::api::submit_evaluation))
        .routes(routes!(crate::trajectories::api::get_evaluations))
        .routes(routes!(
            crate::programmes::api::list_programmes,
            crate::programmes::api::create_programme
        ))
        .routes(routes!(crate::programmes::api::get_programme))
        .routes(routes!(
            crate::programmes::api::list_programme_applications,
            crate::programmes::apply_api::create_application
        ))
        .routes(routes!(crate::programmes::apply_api::list_my_applications))
        .routes(routes!(crate::programmes::apply_api::get_application))
        .routes(routes!(
            crate::programmes::apply_api::get_selection,
            crate::programmes::apply_api::run_selection
        ))
        .routes(routes!(crate::programmes::apply_api::override_decision))
        .routes(routes!(crate::programmes::apply_api::confirm_membership))
        .routes(routes!(crate::programmes::apply_api::request_information))
        .routes(routes!(
            crate::programmes::api::list_grants,
            crate::programmes::api::create_grant
        ))
        .routes(routes!(crate::programmes::api::create_payment))
        .routes(routes!(crate::programmes::api::change_grant))
        .routes(routes!(crate::programmes::api::withdraw_grant))
        .routes(routes!(
            crate::programmes::api::get_submission,
            crate::programmes::api::put_submission
        ))
        .routes(routes!(
            crate::programmes::api::list_reports,
            crate::programmes::api::create_report
        ))
        .routes(routes!(
            crate::devices::api::list_devices,
            crate::devices::api::create_device_batch
        ))
        .routes(routes!(crate::devices::api::get_device))
        .routes(routes!(crate::devices::api::transition_device))
        .routes(routes!(
            crate::devices::api::list_device_requests,
            crate::devices::api::create_device_request
        ))
        .routes(routes!(crate::devices::api::get_device_request))
        .routes(routes!(crate::devices::api::transition_device_request))
        .routes(routes!(crate::devices::api::list_loan_reminders))
        .routes(routes!(
            crate::devices::api::get_device_bank,
            crate::devices::api::put_device_bank
        ))
        .routes(routes!(
            crate::devices::data_offers::list_data_offers,
            crate::devices::data_offers::create_data_offer
        ))
        .routes(routes!(
            crate::devices::data_offers::get_data_offer,
            crate::devices::data_offers::update_data_offer,
            crate::devices::data_offers::end_data_offer
        ))
        .routes(routes!(crate::devices::data_offers::pair_data_offer))
        .routes(routes!(
            crate::devices::data_offers::get_loan_settings,
            crate::devices::data_offers::put_loan_settings
        ))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::Path;

    /// Names of the types deriving `ToSchema` in the source files below `dir`, with where they are.
    fn schema_names(dir: &Path, found: &mut BTreeMap<String, Vec<String>>) {
        for entry in std::fs::read_dir(dir).expect("source folder").flatten() {
            let path = entry.path();
            if path.is_dir() {
                schema_names(&path, found);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let mut derives = false;
            for line in text.lines().map(str::trim) {
                if line.starts_with("#[derive(") && line.contains("ToSchema") {
                    derives = true;
                } else if derives && !line.starts_with("#[") && !line.starts_with("///") {
                    let name = line
                        .split_whitespace()
                        .skip_while(|w| !matches!(*w, "struct" | "enum"))
                        .nth(1)
                        .map(|n| n.trim_end_matches(['{', '(', '<', ';']).to_owned());
                    if let Some(name) = name {
                        found
                            .entry(name)
                            .or_default()
                            .push(path.display().to_string());
                    }
                    derives = false;
                }
            }
        }
    }

    /// utoipa names a schema after its type and silently keeps one of two types with the same name, so a
    /// second `EventResponse` made the referrals' events answer with the programme events' schema.
    #[test]
    fn every_schema_name_is_used_once() {
        let mut found = BTreeMap::new();
        schema_names(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut found,
        );
        assert!(found.len() > 50, "the scan finds the API's types");
        let twice: Vec<_> = found.iter().filter(|(_, at)| at.len() > 1).collect();
        assert!(twice.is_empty(), "schema names used twice: {twice:?}");
    }
}
