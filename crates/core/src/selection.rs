//! Fair, transparent and reproducible selection of applicants for a programme: quotas per stratum and a seeded lottery.
//!
//! [`select`] is a pure function. The caller decides the hard rules (conditions confirmed, eligibility, the cap per
//! applicant) and passes each candidate either as eligible or with a [`RefusalReason`]; refused candidates are never
//! selected but still get an [`Outcome`]. Everything below is the exact procedure, so that anyone can repeat a draw
//! from the published seed, in any language.
//!
//! # The procedure
//!
//! 1. **Who competes.** The eligible candidates (no refusal reason); `N` of them. The number of seats is
//!    `K = min(capacity, N)`.
//! 2. **Strata.** A stratum is a (size class, region) pair of labels. The strata that hold at least one eligible
//!    candidate are sorted by size class, then region (byte order of the UTF-8 labels); `S` of them, stratum `s` has
//!    `n_s` eligible candidates.
//! 3. **Quotas (apportionment).** Stratum `s`'s proportional share is `p_s = K·n_s/N`. The quotas `q_s` are the
//!    integer vector closest to the shares in the least-squares sense, `min Σ (q_s − p_s)²`, subject to
//!    `Σ q_s = K`, `q_s ≤ n_s` and, when capacity allows it (`K ≥ S`), at least one seat for every stratum.
//!    Because the objective is separable and convex, the greedy method is exact: start every stratum at its lower
//!    bound (1 or 0), then repeatedly give a seat to the stratum with the largest gap `p_s − q_s` among those with
//!    room. Without the lower bound this is Hamilton's largest-remainder method. Gaps are compared exactly, in
//!    integers: `K·n_s − N·q_s`.
//! 4. **Ties in the last seats.** When the strata tied for the largest gap outnumber the seats left (`t` strata,
//!    `r < t` seats), every choice of `r` of them is equally balanced; who gets the seat is part of the lottery (see
//!    fairness below): each tied stratum gets an extra seat with probability `x_s`, where the `x_s` (between 0 and 1,
//!    summing to `r`) equalise the selection chances `(q_s + x_s)/n_s` as far as possible (water-filling: the
//!    `x_s = clamp(λ·n_s − q_s, 0, 1)` with the level `λ` found by 100 bisection steps). The `r` strata are then
//!    drawn by systematic sampling: with the tied strata in stratum order, cumulative sums `C_1 … C_t` of the `x_s`
//!    (`C_t` set to `r`), and one uniform number `u` in [0, 1), stratum `i` gets a seat when some `u + j`
//!    (`j = 0 … r−1`) falls in `[C_{i−1}, C_i)`.
//! 5. **The random numbers.** The generator is ChaCha20 (20 rounds) as in the `rand_chacha` crate 0.9: the 32-byte
//!    key is the seed as 8 little-endian bytes followed by 24 zero bytes; stream 0, block counter from 0. A 64-bit
//!    draw is two consecutive 32-bit output words, the first the low half. The eligible candidates, sorted by
//!    stratum and then by id (byte order), each get one 64-bit draw, their *lottery number*, in that order. If a
//!    tie (step 4) needs a draw, the next 64-bit draw `d` gives `u = (d >> 11) / 2^53`.
//! 6. **Drawing within a stratum.** Within its stratum, candidates are ranked by lottery number, lowest first (ties,
//!    which are practically impossible, by id). Without a budget the first `q_s` of each stratum are selected.
//! 7. **Budget.** With a budget, the candidates are considered in rounds: first every stratum's first-ranked
//!    candidate, then every second-ranked, and so on; within a round by lottery number. A candidate is selected
//!    when its stratum still has a free seat and its amount fits in the budget left; one whose amount does not fit
//!    goes to the reserve list, and the next in its stratum gets the chance. Seats stay empty when no candidate of a
//!    stratum fits: the quotas are never exceeded, nor is the budget.
//! 8. **Reserve list.** Per stratum, the candidates not selected keep their lottery order: reserve rank 1, 2, …
//!
//! # Fairness: selection probabilities
//!
//! Flanigan et al. ("Fair algorithms for selecting citizens' assemblies", Nature 596, 2021) choose a probability
//! distribution over all panels that satisfy the quotas and maximise the smallest selection probability of any
//! candidate (maximin, refined to leximin). With quotas per stratum only, the exact solution is simple: whatever the
//! distribution, the probabilities within stratum `s` add up to its expected number of seats `E[q_s]`, so the
//! smallest of them is at most `E[q_s]/n_s`, and a uniform lottery within the stratum reaches exactly that for
//! everyone. With fixed quotas that is `q_s/n_s`; where the most balanced quotas are not unique (step 4), the
//! expected seats of the tied strata are chosen by water-filling, which maximises the smallest probability and then
//! the next smallest (leximin) among all most-balanced quota vectors. No distribution over panels that keeps the
//! quotas of step 3 gives anyone a higher minimum chance. The probability of every candidate is reported
//! ([`ProbabilityMethod::Exact`]).
//!
//! The minimum seat per stratum is a representation rule that costs equality on purpose: a stratum with one
//! applicant gives that applicant certainty. Balance (step 3) comes first; fairness works within it.
//!
//! With a budget that can bind (the `K` largest eligible amounts together exceed it), panels must also fit the
//! budget, a knapsack constraint; the maximin distribution would then need Flanigan's column generation over
//! panels, which this module does not do. It keeps the uniform lottery of steps 6-7 and *estimates* each
//! probability as its selection frequency over [`ESTIMATE_RUNS`] repetitions with seeds `0 … ESTIMATE_RUNS−1`
//! (independent of the published seed, so the figure is a property of the applicants, not of the draw;
//! [`ProbabilityMethod::Estimated`]).

use std::collections::{BTreeMap, HashSet};

use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::ValidationError;

/// Repetitions behind an estimated probability (a budget that can bind).
pub const ESTIMATE_RUNS: u32 = 1_000;

/// A stratum: a size class and a region, as labels the programme chose ("klein", "Noord-Nederland").
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema,
)]
pub struct Stratum {
    pub size_class: String,
    pub region: String,
}

impl Stratum {
    /// A stratum from its two labels.
    pub fn new(size_class: impl Into<String>, region: impl Into<String>) -> Self {
        Self {
            size_class: size_class.into(),
            region: region.into(),
        }
    }
}

/// Why the caller refused a candidate before the lottery (the hard rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RefusalReason {
    /// The amount asked is above the cap per applicant.
    OverCap,
    /// A condition of the call was not confirmed.
    ConditionNotConfirmed,
    /// The applicant does not meet an eligibility rule (population range, country, already in another programme).
    NotEligible,
    /// The application misses a required piece.
    Incomplete,
    /// The applicant withdrew.
    Withdrawn,
}

/// One applicant as the selection sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    /// The caller's id; unique within one selection.
    pub id: String,
    pub stratum: Stratum,
    /// The amount asked, in euro cents (counted against the budget).
    pub amount_cents: u64,
    /// `None` when the candidate passed the hard rules.
    pub refusal: Option<RefusalReason>,
}

/// The rules of one selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelectionRules {
    /// Most participants to select.
    pub capacity: u32,
    /// Total of the selected amounts never exceeds this, when set.
    pub budget_cents: Option<u64>,
    /// The published seed of the lottery.
    pub seed: u64,
}

/// What happened to a candidate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    Selected,
    /// On the reserve list of its stratum, `rank` 1 first.
    Reserve {
        rank: u32,
    },
    Refused {
        reason: RefusalReason,
    },
}

/// Why, as data; the web layer words it ("gekozen: laatste plaats voor kleine gemeenten in Noord-Nederland, door
/// loting met 12 andere").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Explanation {
    /// Every eligible candidate of the stratum fitted within its seats: no lottery was needed.
    SelectedWithoutLottery {
        stratum: Stratum,
        /// Seats of the stratum.
        seats: u32,
    },
    /// Selected by the lottery: seat `seat` of `seats` (so `seat == seats` is the last seat), drawn among
    /// `others` other candidates of the stratum.
    SelectedByLottery {
        stratum: Stratum,
        seats: u32,
        seat: u32,
        others: u32,
    },
    /// The stratum's seats went to candidates drawn earlier (`already_selected` of them; 0 when the stratum had no
    /// seat).
    ReserveStratumFull {
        stratum: Stratum,
        seats: u32,
        already_selected: u32,
        rank: u32,
    },
    /// The stratum had a free seat, but the amount asked did not fit in the budget left at this candidate's turn.
    ReserveOverBudget {
        stratum: Stratum,
        rank: u32,
        amount_cents: u64,
        budget_left_cents: u64,
    },
    /// Refused on a hard rule; never in the lottery.
    Refused { reason: RefusalReason },
}

/// The result for one candidate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Outcome {
    pub id: String,
    pub decision: Decision,
    /// Chance of being selected under these quotas, 0 to 1 (see [`Selection::probability_method`]).
    pub probability: f64,
    pub explanation: Explanation,
    /// Place in the draw within the stratum (1 = drawn first); `None` for refused candidates.
    pub draw_position: Option<u32>,
}

/// Seats per stratum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StratumQuota {
    pub stratum: Stratum,
    /// Eligible candidates in the stratum.
    pub applicants: u32,
    /// Proportional share `K·n_s/N` before rounding.
    pub share: f64,
    /// Seats after apportionment (this draw's, when a tie was drawn).
    pub seats: u32,
    /// Expected seats over the lottery: `seats` unless the stratum took part in a tie for the last seats.
    pub expected_seats: f64,
    /// Candidates selected (fewer than `seats` only when the budget ran out).
    pub selected: u32,
}

/// How [`Outcome::probability`] was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum ProbabilityMethod {
    /// Computed exactly: expected seats of the stratum divided by its candidates.
    Exact,
    /// Selection frequency over `runs` repeated draws (a budget that can bind).
    Estimated { runs: u32 },
}

/// The whole result: everything needed to publish and to repeat the draw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Selection {
    pub seed: u64,
    pub capacity: u32,
    pub budget_cents: Option<u64>,
    /// Sum of the selected amounts.
    pub spent_cents: u64,
    pub quotas: Vec<StratumQuota>,
    /// One per candidate, in input order.
    pub outcomes: Vec<Outcome>,
    pub probability_method: ProbabilityMethod,
}

impl Selection {
    /// Ids of the selected candidates, in input order.
    pub fn selected_ids(&self) -> impl Iterator<Item = &str> {
        self.outcomes
            .iter()
            .filter(|o| o.decision == Decision::Selected)
            .map(|o| o.id.as_str())
    }
}

/// Runs the selection (the procedure in the module documentation). Fails only on duplicate candidate ids.
pub fn select(
    candidates: &[Candidate],
    rules: &SelectionRules,
) -> Result<Selection, ValidationError> {
    let mut seen = HashSet::new();
    for c in candidates {
        if !seen.insert(c.id.as_str()) {
            return Err(ValidationError::new(
                "id",
                format!("De aanvraag {} staat twee keer in de selectie.", c.id),
            ));
        }
    }
    let pool = Pool::new(candidates, rules.capacity);
    let draw = pool.draw(rules.seed, rules.budget_cents);

    let budget_can_bind = rules.budget_cents.is_some_and(|budget| {
        let mut amounts: Vec<u64> = pool
            .eligible
            .iter()
            .map(|&i| candidates[i].amount_cents)
            .collect();
        amounts.sort_unstable_by(|a, b| b.cmp(a));
        amounts
            .iter()
            .take(pool.seats as usize)
            .fold(0u64, |a, &b| a.saturating_add(b))
            > budget
    });
    let (probabilities, probability_method) = if budget_can_bind {
        let mut counts = vec![0u32; candidates.len()];
        for seed in 0..u64::from(ESTIMATE_RUNS) {
            let run = pool.draw(seed, rules.budget_cents);
            for (i, state) in run.states.iter().enumerate() {
                if matches!(state, State::Selected { .. }) {
                    counts[i] += 1;
                }
            }
        }
        let p: Vec<f64> = counts
            .iter()
            .map(|&n| f64::from(n) / f64::from(ESTIMATE_RUNS))
            .collect();
        (
            p,
            ProbabilityMethod::Estimated {
                runs: ESTIMATE_RUNS,
            },
        )
    } else {
        let p = (0..candidates.len())
            .map(|i| match pool.stratum_of[i] {
                Some(s) => pool.expected[s] / f64::from(pool.sizes[s]),
                None => 0.0,
            })
            .collect();
        (p, ProbabilityMethod::Exact)
    };

    let outcomes = candidates
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let (decision, explanation) = describe(&pool, &draw, candidates, i);
            Outcome {
                id: c.id.clone(),
                decision,
                probability: probabilities[i],
                explanation,
                draw_position: draw.position[i],
            }
        })
        .collect();
    let quotas = pool
        .strata
        .iter()
        .enumerate()
        .map(|(s, stratum)| StratumQuota {
            stratum: stratum.clone(),
            applicants: pool.sizes[s],
            share: pool.share(s),
            seats: draw.quotas[s],
            expected_seats: pool.expected[s],
            selected: draw.filled[s],
        })
        .collect();
    Ok(Selection {
        seed: rules.seed,
        capacity: rules.capacity,
        budget_cents: rules.budget_cents,
        spent_cents: draw.spent,
        quotas,
        outcomes,
        probability_method,
    })
}

/// What the draw did with one candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Refused,
    Selected { seat: u32 },
    StratumFull { rank: u32, already: u32 },
    OverBudget { rank: u32, budget_left: u64 },
}

/// The eligible candidates grouped into strata, with the deterministic part of the apportionment.
struct Pool<'a> {
    candidates: &'a [Candidate],
    /// Indexes of the eligible candidates, sorted by (stratum, id): the order of the lottery numbers.
    eligible: Vec<usize>,
    strata: Vec<Stratum>,
    /// Candidate index -> stratum index (None when refused).
    stratum_of: Vec<Option<usize>>,
    sizes: Vec<u32>,
    seats: u32,
    /// Quotas before a tie for the last seats.
    base: Vec<u32>,
    /// Tied strata (in stratum order) with their chances of an extra seat, and how many extra seats they share.
    tie: Option<(Vec<(usize, f64)>, u32)>,
    /// Expected seats per stratum.
    expected: Vec<f64>,
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl<'a> Pool<'a> {
    fn new(candidates: &'a [Candidate], capacity: u32) -> Self {
        let mut eligible: Vec<usize> = (0..candidates.len())
            .filter(|&i| candidates[i].refusal.is_none())
            .collect();
        eligible.sort_by(|&a, &b| {
            (&candidates[a].stratum, candidates[a].id.as_bytes())
                .cmp(&(&candidates[b].stratum, candidates[b].id.as_bytes()))
        });
        let mut by_stratum: BTreeMap<&Stratum, u32> = BTreeMap::new();
        for &i in &eligible {
            *by_stratum.entry(&candidates[i].stratum).or_default() += 1;
        }
        let strata: Vec<Stratum> = by_stratum.keys().map(|s| (*s).clone()).collect();
        let sizes: Vec<u32> = by_stratum.values().copied().collect();
        let stratum_of = candidates
            .iter()
            .map(|c| {
                c.refusal
                    .is_none()
                    .then(|| strata.binary_search(&c.stratum).ok())
                    .flatten()
            })
            .collect();
        let seats = capacity.min(to_u32(eligible.len()));
        let (base, tie) = apportion(&sizes, seats);
        let mut expected: Vec<f64> = base.iter().map(|&q| f64::from(q)).collect();
        if let Some((tied, _)) = &tie {
            for &(s, x) in tied {
                expected[s] += x;
            }
        }
        Self {
            candidates,
            eligible,
            strata,
            stratum_of,
            sizes,
            seats,
            base,
            tie,
            expected,
        }
    }

    fn share(&self, s: usize) -> f64 {
        let n: u32 = self.sizes.iter().sum();
        if n == 0 {
            0.0
        } else {
            f64::from(self.seats) * f64::from(self.sizes[s]) / f64::from(n)
        }
    }

    /// Steps 4-8 of the procedure for one seed.
    fn draw(&self, seed: u64, budget: Option<u64>) -> Draw {
        let mut key = [0u8; 32];
        key[..8].copy_from_slice(&seed.to_le_bytes());
        let mut rng = ChaCha20Rng::from_seed(key);
        let mut lottery = vec![0u64; self.candidates.len()];
        for &i in &self.eligible {
            lottery[i] = rng.next_u64();
        }
        let mut quotas = self.base.clone();
        if let Some((tied, extra)) = &self.tie {
            #[allow(clippy::cast_precision_loss)]
            let u = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
            for s in systematic(tied, *extra, u) {
                quotas[s] += 1;
            }
        }
        // Each stratum's candidates in draw order.
        let mut ranked: Vec<Vec<usize>> = vec![Vec::new(); self.strata.len()];
        for &i in &self.eligible {
            if let Some(s) = self.stratum_of[i] {
                ranked[s].push(i);
            }
        }
        let mut position = vec![None; self.candidates.len()];
        for list in &mut ranked {
            list.sort_by(|&a, &b| {
                (lottery[a], self.candidates[a].id.as_bytes())
                    .cmp(&(lottery[b], self.candidates[b].id.as_bytes()))
            });
            for (p, &i) in list.iter().enumerate() {
                position[i] = Some(to_u32(p + 1));
            }
        }
        // Rounds: every stratum's first-ranked, then second-ranked, ...; within a round by lottery number.
        let mut order: Vec<usize> = self.eligible.clone();
        order.sort_by(|&a, &b| {
            (position[a], lottery[a], self.candidates[a].id.as_bytes()).cmp(&(
                position[b],
                lottery[b],
                self.candidates[b].id.as_bytes(),
            ))
        });
        let mut states = vec![State::Refused; self.candidates.len()];
        let mut filled = vec![0u32; self.strata.len()];
        let mut reserves = vec![0u32; self.strata.len()];
        let mut spent = 0u64;
        for i in order {
            let Some(s) = self.stratum_of[i] else {
                continue;
            };
            let amount = self.candidates[i].amount_cents;
            let left = budget.map(|b| b.saturating_sub(spent));
            states[i] = if filled[s] < quotas[s] && left.is_none_or(|l| amount <= l) {
                filled[s] += 1;
                spent = spent.saturating_add(amount);
                State::Selected { seat: filled[s] }
            } else if filled[s] < quotas[s] {
                reserves[s] += 1;
                State::OverBudget {
                    rank: reserves[s],
                    budget_left: left.unwrap_or(0),
                }
            } else {
                reserves[s] += 1;
                State::StratumFull {
                    rank: reserves[s],
                    already: filled[s],
                }
            };
        }
        // Reserve ranks follow the draw order within the stratum; the rounds above visit a stratum's candidates in
        // that order, so the counters already number them correctly.
        Draw {
            quotas,
            filled,
            spent,
            states,
            position,
        }
    }
}

/// One seed's draw.
struct Draw {
    quotas: Vec<u32>,
    filled: Vec<u32>,
    spent: u64,
    states: Vec<State>,
    position: Vec<Option<u32>>,
}

fn describe(
    pool: &Pool<'_>,
    draw: &Draw,
    candidates: &[Candidate],
    i: usize,
) -> (Decision, Explanation) {
    let Some(s) = pool.stratum_of[i] else {
        let reason = candidates[i].refusal.unwrap_or(RefusalReason::NotEligible);
        return (
            Decision::Refused { reason },
            Explanation::Refused { reason },
        );
    };
    let stratum = pool.strata[s].clone();
    let seats = draw.quotas[s];
    match draw.states[i] {
        State::Selected { seat } if pool.sizes[s] <= seats => {
            let _ = seat;
            (
                Decision::Selected,
                Explanation::SelectedWithoutLottery { stratum, seats },
            )
        }
        State::Selected { seat } => (
            Decision::Selected,
            Explanation::SelectedByLottery {
                stratum,
                seats,
                seat,
                others: pool.sizes[s] - 1,
            },
        ),
        State::StratumFull { rank, already } => (
            Decision::Reserve { rank },
            Explanation::ReserveStratumFull {
                stratum,
                seats,
                already_selected: already,
                rank,
            },
        ),
        State::OverBudget { rank, budget_left } => (
            Decision::Reserve { rank },
            Explanation::ReserveOverBudget {
                stratum,
                rank,
                amount_cents: candidates[i].amount_cents,
                budget_left_cents: budget_left,
            },
        ),
        // An eligible candidate always gets a state in the draw; kept total for the type checker.
        State::Refused => {
            let reason = RefusalReason::NotEligible;
            (
                Decision::Refused { reason },
                Explanation::Refused { reason },
            )
        }
    }
}

/// Step 3-4: the greedy least-squares apportionment of `seats` over strata of these sizes. Returns the quotas before
/// a tie for the last seats, and the tie (tied strata with their water-filled chances, number of extra seats) if any.
#[allow(clippy::type_complexity)]
fn apportion(sizes: &[u32], seats: u32) -> (Vec<u32>, Option<(Vec<(usize, f64)>, u32)>) {
    let total: u64 = sizes.iter().map(|&n| u64::from(n)).sum();
    let lower = u32::from(seats as usize >= sizes.len());
    let mut quotas: Vec<u32> = sizes.iter().map(|&n| lower.min(n)).collect();
    let mut left = seats.saturating_sub(quotas.iter().sum());
    // The gap p_s - q_s, times N, in integers.
    let gap = |s: usize, q: u32| -> i128 {
        i128::from(seats) * i128::from(sizes[s]) - i128::from(total) * i128::from(q)
    };
    while left > 0 {
        let open: Vec<usize> = (0..sizes.len()).filter(|&s| quotas[s] < sizes[s]).collect();
        let Some(best) = open.iter().map(|&s| gap(s, quotas[s])).max() else {
            break;
        };
        let tied: Vec<usize> = open
            .into_iter()
            .filter(|&s| gap(s, quotas[s]) == best)
            .collect();
        if to_u32(tied.len()) <= left {
            for &s in &tied {
                quotas[s] += 1;
            }
            left -= to_u32(tied.len());
        } else {
            let chances = water_fill(&tied, &quotas, sizes, left);
            return (quotas, Some((chances, left)));
        }
    }
    (quotas, None)
}

/// Chances `x_s` in [0, 1] summing to `extra` that equalise `(q_s + x_s)/n_s` over the tied strata as far as possible.
fn water_fill(tied: &[usize], quotas: &[u32], sizes: &[u32], extra: u32) -> Vec<(usize, f64)> {
    let x =
        |s: usize, level: f64| (level * f64::from(sizes[s]) - f64::from(quotas[s])).clamp(0.0, 1.0);
    let fill = |level: f64| tied.iter().map(|&s| x(s, level)).sum::<f64>();
    let (mut low, mut high) = (0.0f64, 0.0f64);
    for &s in tied {
        high = high.max(f64::from(quotas[s] + 1) / f64::from(sizes[s]));
    }
    for _ in 0..100 {
        let mid = f64::midpoint(low, high);
        if fill(mid) < f64::from(extra) {
            low = mid;
        } else {
            high = mid;
        }
    }
    tied.iter().map(|&s| (s, x(s, high))).collect()
}

/// Systematic sampling of `extra` strata with these chances, from one uniform `u` in [0, 1).
fn systematic(chances: &[(usize, f64)], extra: u32, u: f64) -> Vec<usize> {
    let mut chosen = Vec::new();
    let mut cumulative = 0.0;
    let mut j = 0u32;
    for (k, &(s, x)) in chances.iter().enumerate() {
        let end = if k + 1 == chances.len() {
            f64::from(extra)
        } else {
            cumulative + x
        };
        if j < extra && u + f64::from(j) < end && u + f64::from(j) >= cumulative {
            chosen.push(s);
            j += 1;
        }
        cumulative = end;
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(id: &str, size: &str, region: &str, amount: u64) -> Candidate {
        Candidate {
            id: id.to_owned(),
            stratum: Stratum::new(size, region),
            amount_cents: amount,
            refusal: None,
        }
    }

    fn rules(capacity: u32, budget: Option<u64>, seed: u64) -> SelectionRules {
        SelectionRules {
            capacity,
            budget_cents: budget,
            seed,
        }
    }

    /// 6 small, 3 medium, 1 large; 5 seats. Shares 3, 1.5, 0.5. One seat each first, then the gaps
    /// (×N: 30−10, 15−10, 5−10) give small the 4th seat (gap 20), and small again the 5th (its gap 10 > 5).
    #[test]
    fn quotas_by_hand() {
        let mut cs = Vec::new();
        for i in 0..6 {
            cs.push(cand(&format!("k{i}"), "klein", "Noord", 100));
        }
        for i in 0..3 {
            cs.push(cand(&format!("m{i}"), "middel", "Noord", 100));
        }
        cs.push(cand("g0", "groot", "Noord", 100));
        let sel = select(&cs, &rules(5, None, 7)).unwrap();
        let seats: Vec<(String, u32)> = sel
            .quotas
            .iter()
            .map(|q| (q.stratum.size_class.clone(), q.seats))
            .collect();
        assert_eq!(
            seats,
            vec![
                ("groot".into(), 1),
                ("klein".into(), 3),
                ("middel".into(), 1)
            ]
        );
        assert_eq!(sel.selected_ids().count(), 5);
        assert_eq!(sel.probability_method, ProbabilityMethod::Exact);
        let p = |id: &str| {
            sel.outcomes
                .iter()
                .find(|o| o.id == id)
                .unwrap()
                .probability
        };
        assert!((p("k0") - 0.5).abs() < 1e-12);
        assert!((p("m0") - 1.0 / 3.0).abs() < 1e-12);
        assert!((p("g0") - 1.0).abs() < 1e-12);
        let g0 = sel.outcomes.iter().find(|o| o.id == "g0").unwrap();
        assert_eq!(
            g0.explanation,
            Explanation::SelectedWithoutLottery {
                stratum: Stratum::new("groot", "Noord"),
                seats: 1
            }
        );
        // The medium stratum: one selected by lottery among 2 others, the other two on the reserve list 1 and 2.
        let medium: Vec<&Outcome> = sel
            .outcomes
            .iter()
            .filter(|o| o.id.starts_with('m'))
            .collect();
        let chosen = medium
            .iter()
            .find(|o| o.decision == Decision::Selected)
            .unwrap();
        assert_eq!(
            chosen.explanation,
            Explanation::SelectedByLottery {
                stratum: Stratum::new("middel", "Noord"),
                seats: 1,
                seat: 1,
                others: 2
            }
        );
        let mut ranks: Vec<u32> = medium
            .iter()
            .filter_map(|o| match o.decision {
                Decision::Reserve { rank } => Some(rank),
                _ => None,
            })
            .collect();
        ranks.sort_unstable();
        assert_eq!(ranks, vec![1, 2]);
    }

    /// Two strata of 3 and 3 seats: shares 1.5 each, a tie for the third seat, each stratum 1.5 expected seats.
    #[test]
    fn tie_for_last_seat_is_drawn_and_equal() {
        let cs: Vec<Candidate> = (0..6)
            .map(|i| {
                cand(
                    &format!("c{i}"),
                    "klein",
                    if i < 3 { "Noord" } else { "Zuid" },
                    0,
                )
            })
            .collect();
        let mut seen = [0u32; 2];
        for seed in 0..200 {
            let sel = select(&cs, &rules(3, None, seed)).unwrap();
            assert_eq!(sel.selected_ids().count(), 3);
            for o in &sel.outcomes {
                assert!((o.probability - 0.5).abs() < 1e-9, "{o:?}");
            }
            assert!((sel.quotas[0].expected_seats - 1.5).abs() < 1e-9);
            if sel.quotas[0].seats == 2 {
                seen[0] += 1;
            } else {
                seen[1] += 1;
            }
        }
        assert!(seen[0] > 60 && seen[1] > 60, "{seen:?}");
    }

    /// Tied strata of different sizes: water-filling gives the larger stratum the larger chance of the extra seat.
    #[test]
    fn water_filling_equalises_chances() {
        // Strata sizes 1 and 3, quotas 0 and 1, one extra seat: x/1 = (1 + (1 − x))/3 → 4x = 2 → x = 0.5.
        let chances = water_fill(&[0, 1], &[0, 1], &[1, 3], 1);
        assert!((chances[0].1 - 0.5).abs() < 1e-9, "{chances:?}");
        assert!((chances[1].1 - 0.5).abs() < 1e-9, "{chances:?}");
        let chances = water_fill(&[0, 1], &[1, 1], &[2, 6], 1);
        // (1 + x)/2 = (1 + 1 - x)/6 → 6 + 6x = 4 - 2x → x < 0: clamp x = 0, the other gets 1.
        assert_eq!(
            chances.iter().map(|c| c.1).collect::<Vec<_>>(),
            vec![0.0, 1.0]
        );
    }

    #[test]
    fn refused_candidates_get_their_reason_and_no_chance() {
        let mut cs = vec![
            cand("a", "klein", "Noord", 10),
            cand("b", "klein", "Noord", 10),
        ];
        cs[1].refusal = Some(RefusalReason::ConditionNotConfirmed);
        let sel = select(&cs, &rules(5, None, 1)).unwrap();
        assert_eq!(sel.outcomes[0].decision, Decision::Selected);
        assert_eq!(
            sel.outcomes[1].decision,
            Decision::Refused {
                reason: RefusalReason::ConditionNotConfirmed
            }
        );
        assert!(sel.outcomes[1].probability.abs() < f64::EPSILON);
        assert_eq!(sel.outcomes[1].draw_position, None);
    }

    #[test]
    fn budget_is_never_exceeded_and_passed_over_candidates_say_why() {
        // One stratum, 2 seats, budget 150: two candidates of 100 cannot both go; a 40 can join one of them.
        let cs = vec![
            cand("a", "klein", "Noord", 100),
            cand("b", "klein", "Noord", 100),
            cand("c", "klein", "Noord", 40),
        ];
        let mut passed_over = 0;
        for seed in 0..50 {
            let sel = select(&cs, &rules(2, Some(150), seed)).unwrap();
            assert!(sel.spent_cents <= 150);
            assert_eq!(
                sel.probability_method,
                ProbabilityMethod::Estimated {
                    runs: ESTIMATE_RUNS
                }
            );
            let over: Vec<&Outcome> = sel
                .outcomes
                .iter()
                .filter(|o| matches!(o.explanation, Explanation::ReserveOverBudget { .. }))
                .collect();
            // After one 100 only c fits: c is always selected; a 100 drawn before c after the other 100 is passed
            // over for the budget (with the budget left at its turn), otherwise the stratum is full at its turn.
            assert_eq!(sel.selected_ids().count(), 2, "seed {seed}: {sel:?}");
            assert!(sel.selected_ids().any(|id| id == "c"));
            assert!(over.len() <= 1);
            if let [o] = over.as_slice() {
                passed_over += 1;
                assert!(matches!(
                    o.explanation,
                    Explanation::ReserveOverBudget {
                        amount_cents: 100,
                        budget_left_cents: 50,
                        rank: 1,
                        ..
                    }
                ));
            }
        }
        assert!(passed_over > 5, "{passed_over}");
        let sel = select(&cs, &rules(2, Some(150), 0)).unwrap();
        let p = |id: &str| {
            sel.outcomes
                .iter()
                .find(|o| o.id == id)
                .unwrap()
                .probability
        };
        assert!((p("c") - 1.0).abs() < 1e-12);
        assert!((p("a") - 0.5).abs() < 0.06, "{}", p("a"));
    }

    #[test]
    fn duplicate_ids_are_refused() {
        let cs = vec![
            cand("a", "klein", "Noord", 1),
            cand("a", "groot", "Zuid", 1),
        ];
        assert_eq!(select(&cs, &rules(1, None, 0)).unwrap_err().field, "id");
    }

    /// The published generator: the first 64-bit draw for seed 0 is ChaCha20's first keystream bytes for an
    /// all-zero key and nonce (RFC 7539, appendix A.1, test vector 1: 76 b8 e0 ad a0 f1 3d 90 ...).
    #[test]
    fn generator_is_plain_chacha20() {
        let mut rng = ChaCha20Rng::from_seed([0u8; 32]);
        assert_eq!(
            rng.next_u64(),
            u64::from_le_bytes([0x76, 0xb8, 0xe0, 0xad, 0xa0, 0xf1, 0x3d, 0x90])
        );
    }

    #[test]
    fn fewer_seats_than_strata_follows_largest_remainder() {
        // Sizes 5, 3, 2 and 2 seats, no minimum: shares 1, 0.6, 0.4 -> seats 1, 1, 0.
        let (q, tie) = apportion(&[5, 3, 2], 2);
        assert_eq!(q, vec![1, 1, 0]);
        assert!(tie.is_none());
    }

    /// The front-runner call's shape: 60 Dutch municipalities from the reference list apply for 20 places; strata are
    /// three size classes (under 25,000; up to 100,000; larger) by four province groups. Over many different sets of
    /// applicants, every size class and province group that applies is represented among the selected.
    #[test]
    fn sixty_real_municipalities_select_twenty_with_every_class_and_region() {
        fn size_class(population: u32) -> &'static str {
            match population {
                0..25_000 => "klein",
                25_000..100_000 => "middelgroot",
                _ => "groot",
            }
        }
        fn region(province: &str) -> &'static str {
            match province {
                "Groningen" | "Friesland" | "Fryslân" | "Drenthe" => "Noord-Nederland",
                "Overijssel" | "Gelderland" | "Flevoland" => "Oost-Nederland",
                "Noord-Holland" | "Zuid-Holland" | "Utrecht" => "West-Nederland",
                _ => "Zuid-Nederland",
            }
        }
        let dutch: Vec<&crate::reference::Municipality> = crate::reference::municipalities()
            .iter()
            .filter(|m| m.country == crate::reference::Country::Nl)
            .collect();
        assert_eq!(dutch.len(), 342);
        for sample in 0..25u64 {
            // 60 applicants: the municipalities with the lowest ChaCha numbers for this sample.
            let mut rng = ChaCha20Rng::seed_from_u64(1_000 + sample);
            let mut keyed: Vec<(u64, &crate::reference::Municipality)> =
                dutch.iter().map(|m| (rng.next_u64(), *m)).collect();
            keyed.sort_by_key(|(k, _)| *k);
            let applicants: Vec<Candidate> = keyed[..60]
                .iter()
                .map(|(_, m)| Candidate {
                    id: m.code.clone(),
                    stratum: Stratum::new(size_class(m.population), region(&m.province)),
                    amount_cents: 2_250_000,
                    refusal: None,
                })
                .collect();
            let sel = select(&applicants, &rules(20, None, sample)).unwrap();
            let chosen: HashSet<&str> = sel.selected_ids().collect();
            assert_eq!(chosen.len(), 20);
            let covered = |f: &dyn Fn(&Stratum) -> &str| {
                let applied: HashSet<&str> = applicants.iter().map(|c| f(&c.stratum)).collect();
                let selected: HashSet<&str> = applicants
                    .iter()
                    .filter(|c| chosen.contains(c.id.as_str()))
                    .map(|c| f(&c.stratum))
                    .collect();
                (applied, selected)
            };
            let (applied, selected) = covered(&|s| s.size_class.as_str());
            assert_eq!(applied, selected, "sample {sample}: size classes");
            let (applied, selected) = covered(&|s| s.region.as_str());
            assert_eq!(applied, selected, "sample {sample}: regions");
            assert_eq!(applied.len(), 4, "sample {sample}: all four groups apply");
            // Every applying stratum has a seat (at most 12 strata for 20 seats).
            assert!(sel.quotas.iter().all(|q| q.seats >= 1));
            // The chances add up to the 20 seats; nobody who applies is left without one.
            let total: f64 = sel.outcomes.iter().map(|o| o.probability).sum();
            assert!((total - 20.0).abs() < 1e-9, "{total}");
            assert!(sel.outcomes.iter().all(|o| o.probability > 0.0));
        }
    }
}
