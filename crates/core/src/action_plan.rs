//! The local action plan (lokaal actieplan): its drafts and checks, the horizons and statuses of actions, the figures an action may aim to move, and the progress counts.
//!
//! Horizons, as keten words them for the municipality: short is within a year of the plan's start, medium one
//! to three years, long more than three years. An action is overdue when its due date has passed while it is
//! still planned or under way; done and dropped actions are never overdue.

use crate::ValidationError;
use crate::codes::code_list;
use crate::programme::parse_date;
use crate::steering::{per_thousand_tenths, percent};
use jiff::civil::Date;

code_list! {
    /// How far ahead an action looks.
    pub enum Horizon ("horizon") {
        Short = "short", "Korte termijn (binnen een jaar)";
        Medium = "medium", "Middellange termijn (een tot drie jaar)";
        Long = "long", "Lange termijn (meer dan drie jaar)";
    }
}

code_list! {
    /// Where an action stands.
    pub enum ActionStatus ("status") {
        Planned = "planned", "Gepland";
        UnderWay = "under_way", "Bezig";
        Done = "done", "Klaar";
        Dropped = "dropped", "Gestopt";
    }
}

code_list! {
    /// What an inventory entry points at: something keten knows, or a free entry.
    pub enum ItemSource ("source") {
        HelpPoint = "help_point", "Hulppunt";
        Partner = "partner", "Partnerorganisatie";
        ConsultationHour = "consultation_hour", "Spreekuur";
        Free = "free", "Eigen invoer";
    }
}

code_list! {
    /// A steering figure an action should move, computed for the plan's municipality and period.
    pub enum Metric ("metric") {
        QuestionsPer1000 = "questions_per_1000", "Hulpvragen per 1.000 inwoners";
        ReferralsCompleted = "referrals_completed", "Afgeronde warme doorverwijzingen";
        FirstVisits = "first_visits", "Vragen bij een eerste bezoek";
        ShareSolved = "share_solved", "Aandeel vragen opgelost (%)";
    }
}

/// How a metric's value reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricValue {
    Count(i64),
    /// Tenths: 125 is 12,5.
    Tenths(i64),
    /// Whole percent.
    Percent(i64),
}

impl MetricValue {
    /// The value as a plain number (tenths as a decimal), for files.
    #[must_use]
    pub fn number(self) -> f64 {
        match self {
            // Counts and tenths stay far below 2^53, so the conversion is exact.
            #[allow(clippy::cast_precision_loss)]
            MetricValue::Count(n) | MetricValue::Percent(n) => n as f64,
            #[allow(clippy::cast_precision_loss)]
            MetricValue::Tenths(t) => t as f64 / 10.0,
        }
    }

    /// Dutch text: 1.240, 12,5 or 18%.
    #[must_use]
    pub fn text(self) -> String {
        match self {
            MetricValue::Count(n) => crate::steering::thousands(n),
            MetricValue::Tenths(t) => {
                let sign = if t < 0 { "-" } else { "" };
                let whole = i64::try_from(t.unsigned_abs() / 10).unwrap_or(i64::MAX);
                format!(
                    "{sign}{},{}",
                    crate::steering::thousands(whole),
                    t.unsigned_abs() % 10
                )
            }
            MetricValue::Percent(p) => format!("{p}%"),
        }
    }
}

/// The counts of a municipality's chain over a period that the metrics are computed from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MetricInputs {
    pub questions: i64,
    pub first_visits: i64,
    pub solved: i64,
    pub referrals_completed: i64,
    pub residents: u32,
}

impl Metric {
    /// The metric's value; `None` when it cannot be computed (no residents known).
    #[must_use]
    pub fn value(self, inputs: &MetricInputs) -> Option<MetricValue> {
        match self {
            Metric::QuestionsPer1000 => {
                per_thousand_tenths(inputs.questions, inputs.residents).map(MetricValue::Tenths)
            }
            Metric::ReferralsCompleted => Some(MetricValue::Count(inputs.referrals_completed)),
            Metric::FirstVisits => Some(MetricValue::Count(inputs.first_visits)),
            Metric::ShareSolved => Some(MetricValue::Percent(percent(
                inputs.solved,
                inputs.questions,
            ))),
        }
    }
}

/// A plan as typed: title and period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanDraft {
    pub title: String,
    pub starts_on: Date,
    pub ends_on: Date,
}

fn text(
    errors: &mut Vec<ValidationError>,
    field: &'static str,
    input: &str,
    max: usize,
    required: Option<&str>,
) -> String {
    let t = input.trim();
    if t.is_empty() {
        if let Some(message) = required {
            errors.push(ValidationError::new(field, message));
        }
    } else if t.chars().count() > max {
        errors.push(ValidationError::new(
            field,
            format!("Schrijf hier hooguit {max} tekens."),
        ));
    }
    t.to_owned()
}

impl PlanDraft {
    /// Checks a title (1-200 characters) and a period of dates (dag-maand-jaar or ISO) that ends after it
    /// starts and lasts at most ten years.
    pub fn parse(
        title: &str,
        starts_on: &str,
        ends_on: &str,
    ) -> Result<Self, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let title = text(
            &mut errors,
            "title",
            title,
            200,
            Some(
                "Geef het actieplan een titel, bijvoorbeeld Actieplan digitale inclusie 2026-2029.",
            ),
        );
        let starts = parse_date("starts_on", starts_on)
            .map_err(|e| errors.push(e))
            .ok();
        let ends = parse_date("ends_on", ends_on)
            .map_err(|e| errors.push(e))
            .ok();
        if let (Some(s), Some(e)) = (starts, ends) {
            if e <= s {
                errors.push(ValidationError::new(
                    "ends_on",
                    "De einddatum moet na de begindatum liggen.",
                ));
            } else if e.year() - s.year() > 10 {
                errors.push(ValidationError::new(
                    "ends_on",
                    "Een actieplan loopt hooguit tien jaar.",
                ));
            }
        }
        match (starts, ends) {
            (Some(starts_on), Some(ends_on)) if errors.is_empty() => Ok(PlanDraft {
                title,
                starts_on,
                ends_on,
            }),
            _ => Err(errors),
        }
    }
}

/// A free inventory entry as typed: what happens, a description and who does it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemDraft {
    pub title: String,
    pub description: String,
    pub who: String,
}

impl ItemDraft {
    pub fn parse(title: &str, description: &str, who: &str) -> Result<Self, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let title = text(
            &mut errors,
            "title",
            title,
            200,
            Some("Vul in wat er al gebeurt, bijvoorbeeld Klik & Tik in de bibliotheek."),
        );
        let description = text(&mut errors, "description", description, 2000, None);
        let who = text(&mut errors, "who", who, 200, None);
        if errors.is_empty() {
            Ok(ItemDraft {
                title,
                description,
                who,
            })
        } else {
            Err(errors)
        }
    }
}

/// An action as typed. The owner is an organisation id, checked against the chain by the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionDraft {
    pub title: String,
    pub horizon: Horizon,
    pub owner_organisation_id: Option<String>,
    pub status: ActionStatus,
    pub due_on: Option<Date>,
    pub metric: Option<Metric>,
}

impl ActionDraft {
    /// Checks an action: a title, a horizon, a status (empty: planned), an optional due date and an optional
    /// metric code.
    pub fn parse(
        title: &str,
        horizon: &str,
        owner: &str,
        status: &str,
        due_on: &str,
        metric: &str,
    ) -> Result<Self, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let title = text(
            &mut errors,
            "title",
            title,
            200,
            Some("Vul in wat er moet gebeuren."),
        );
        let horizon = horizon
            .parse::<Horizon>()
            .map_err(|_| {
                errors.push(ValidationError::new(
                    "horizon",
                    "Kies de korte, middellange of lange termijn.",
                ));
            })
            .ok();
        let status = match status.trim() {
            "" => Some(ActionStatus::Planned),
            s => s
                .parse::<ActionStatus>()
                .map_err(|_| {
                    errors.push(ValidationError::new(
                        "status",
                        "Kies gepland, bezig, klaar of gestopt.",
                    ));
                })
                .ok(),
        };
        let due_on = match due_on.trim() {
            "" => None,
            d => parse_date("due_on", d).map_err(|e| errors.push(e)).ok(),
        };
        let metric = match metric.trim() {
            "" => None,
            m => m
                .parse::<Metric>()
                .map_err(|_| {
                    errors.push(ValidationError::new(
                        "metric",
                        "Kies een cijfer uit de lijst, of geen.",
                    ));
                })
                .ok(),
        };
        let owner = owner.trim();
        match (horizon, status) {
            (Some(horizon), Some(status)) if errors.is_empty() => Ok(ActionDraft {
                title,
                horizon,
                owner_organisation_id: (!owner.is_empty()).then(|| owner.to_owned()),
                status,
                due_on,
                metric,
            }),
            _ => Err(errors),
        }
    }
}

/// Whether an action is overdue on `today`.
#[must_use]
pub fn overdue(status: ActionStatus, due_on: Option<Date>, today: Date) -> bool {
    matches!(status, ActionStatus::Planned | ActionStatus::UnderWay)
        && due_on.is_some_and(|d| d < today)
}

/// Counts of a plan's actions: per horizon (rows, in [`Horizon::ALL`] order) and status (columns, in
/// [`ActionStatus::ALL`] order), and how many are overdue.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    pub counts: [[u32; 4]; 3],
    pub overdue: u32,
    pub total: u32,
}

impl Progress {
    /// Actions with this status over every horizon.
    #[must_use]
    pub fn with_status(&self, status: ActionStatus) -> u32 {
        let col = status_index(status);
        self.counts.iter().map(|row| row[col]).sum()
    }

    /// Done actions in whole percent of those not dropped (0 without any).
    #[must_use]
    pub fn done_percent(&self) -> i64 {
        let done = self.with_status(ActionStatus::Done);
        let live = self.total - self.with_status(ActionStatus::Dropped);
        percent(i64::from(done), i64::from(live))
    }
}

fn status_index(s: ActionStatus) -> usize {
    ActionStatus::ALL.iter().position(|x| *x == s).unwrap_or(0)
}

fn horizon_index(h: Horizon) -> usize {
    Horizon::ALL.iter().position(|x| *x == h).unwrap_or(0)
}

/// The progress of a plan's actions on `today`.
#[must_use]
pub fn progress(actions: &[(Horizon, ActionStatus, Option<Date>)], today: Date) -> Progress {
    let mut p = Progress::default();
    for (h, s, due) in actions {
        p.counts[horizon_index(*h)][status_index(*s)] += 1;
        p.total += 1;
        if overdue(*s, *due, today) {
            p.overdue += 1;
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    /// The OpenAPI schema lists the codes the API really sends (a `rename_all` once made it say
    /// "questions_per1000" while the API sent "questions_per_1000").
    #[test]
    fn the_metric_schema_lists_the_codes_the_api_sends() {
        let schema = serde_json::to_value(<Metric as utoipa::PartialSchema>::schema()).unwrap();
        let listed: Vec<&str> = schema["enum"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        let sent: Vec<String> = Metric::ALL
            .iter()
            .map(|m| {
                serde_json::to_value(m)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_eq!(listed, sent);
        assert!(listed.contains(&"questions_per_1000"));
    }

    #[test]
    fn plan_period_must_run_forward_and_title_is_required() {
        let ok = PlanDraft::parse("Actieplan 2026", "01-01-2026", "31-12-2028").unwrap();
        assert_eq!(ok.starts_on, date(2026, 1, 1));
        assert_eq!(ok.ends_on, date(2028, 12, 31));
        let errors = PlanDraft::parse(" ", "01-01-2026", "01-01-2025").unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["title", "ends_on"]);
        let errors = PlanDraft::parse("Plan", "morgen", "2040-01-01").unwrap_err();
        assert_eq!(errors[0].field, "starts_on");
        assert_eq!(
            PlanDraft::parse("Plan", "2026-01-01", "2037-01-01").unwrap_err()[0].field,
            "ends_on"
        );
    }

    #[test]
    fn action_defaults_to_planned_and_checks_codes() {
        let a = ActionDraft::parse("Cursus", "short", "", "", "30-06-2026", "").unwrap();
        assert_eq!(a.status, ActionStatus::Planned);
        assert_eq!(a.due_on, Some(date(2026, 6, 30)));
        assert_eq!(a.owner_organisation_id, None);
        assert_eq!(a.metric, None);
        let errors =
            ActionDraft::parse("", "soon", "x", "busy", "31-02-2026", "likes").unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            vec!["title", "horizon", "status", "due_on", "metric"]
        );
    }

    #[test]
    fn progress_counts_statuses_per_horizon_and_overdue_ones() {
        let today = date(2026, 3, 2);
        let p = progress(
            &[
                (Horizon::Short, ActionStatus::Done, Some(date(2026, 1, 1))),
                (
                    Horizon::Short,
                    ActionStatus::UnderWay,
                    Some(date(2026, 3, 1)),
                ),
                (
                    Horizon::Short,
                    ActionStatus::Planned,
                    Some(date(2026, 3, 2)),
                ),
                (
                    Horizon::Medium,
                    ActionStatus::Dropped,
                    Some(date(2025, 1, 1)),
                ),
                (Horizon::Long, ActionStatus::Planned, None),
            ],
            today,
        );
        assert_eq!(p.total, 5);
        assert_eq!(p.counts[0], [1, 1, 1, 0]);
        assert_eq!(p.counts[1], [0, 0, 0, 1]);
        assert_eq!(p.counts[2], [1, 0, 0, 0]);
        // Only the action under way past 1 March; due today is not yet overdue, dropped never.
        assert_eq!(p.overdue, 1);
        assert_eq!(p.with_status(ActionStatus::Planned), 2);
        // 1 done of 4 not dropped.
        assert_eq!(p.done_percent(), 25);
    }

    #[test]
    fn metrics_from_counts() {
        let inputs = MetricInputs {
            questions: 3,
            first_visits: 2,
            solved: 1,
            referrals_completed: 4,
            residents: 1_234,
        };
        // 3 / 1,234 * 1,000 = 2.43 -> 2,4.
        assert_eq!(
            Metric::QuestionsPer1000.value(&inputs),
            Some(MetricValue::Tenths(24))
        );
        assert_eq!(
            Metric::ShareSolved.value(&inputs),
            Some(MetricValue::Percent(33))
        );
        assert_eq!(
            Metric::FirstVisits.value(&inputs),
            Some(MetricValue::Count(2))
        );
        assert_eq!(
            Metric::ReferralsCompleted.value(&inputs),
            Some(MetricValue::Count(4))
        );
        assert_eq!(
            Metric::QuestionsPer1000.value(&MetricInputs::default()),
            None
        );
        assert_eq!(MetricValue::Tenths(12_345).text(), "1.234,5");
        assert_eq!(MetricValue::Count(1_240).text(), "1.240");
    }
}
