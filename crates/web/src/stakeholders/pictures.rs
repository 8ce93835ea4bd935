//! The map's two pictures as accessible SVG: the power/interest grid (numbered markers in four fields) and the sector wheel (a ring per quadruple-helix sector); geometry here, markup in `templates/stakeholders/`, the numbers in tables beside them.

use super::Entry;
use crate::i18n::Lang;
use askama::Template;
use keten_core::organisation::Sector;
use keten_core::stakeholder::{HIGH_FROM, MAX_SCORE, Quadrant};

/// Plot area of the grid (user units of the viewBox).
const X0: f64 = 70.0;
const Y0: f64 = 20.0;
const CELL_W: f64 = 100.0;
const CELL_H: f64 = 80.0;
/// Markers per row inside one cell of the grid, and their spacing.
const PER_ROW: usize = 3;
const STEP: f64 = 26.0;

pub(crate) struct Marker {
    pub x: f64,
    pub y: f64,
    pub number: usize,
    pub title: String,
    pub in_keten: bool,
}

pub(crate) struct Field {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    pub fill: &'static str,
    pub label: &'static str,
    pub label_x: f64,
    pub label_y: f64,
}

#[derive(Template)]
#[template(path = "stakeholders/grid.html")]
pub(crate) struct Grid {
    pub id: &'static str,
    pub title: String,
    pub description: String,
    pub x_label: String,
    pub y_label: String,
    pub width: f64,
    pub height: f64,
    pub fields: Vec<Field>,
    pub markers: Vec<Marker>,
    /// (position, number) of the axis ticks.
    pub x_ticks: Vec<(f64, u8)>,
    pub y_ticks: Vec<(f64, u8)>,
    pub plot_bottom: f64,
    pub plot_right: f64,
}

/// Centre of the cell for a power and interest score: interest left to right, power bottom to top.
fn cell_centre(power: u8, interest: u8) -> (f64, f64) {
    let x = X0 + (f64::from(interest) - 0.5) * CELL_W;
    let y = Y0 + (f64::from(MAX_SCORE - power) + 0.5) * CELL_H;
    (x, y)
}

/// Where the k-th of n markers in one cell goes: rows of three around the centre.
fn offset(k: usize, n: usize) -> (f64, f64) {
    let rows = n.div_ceil(PER_ROW);
    let row = k / PER_ROW;
    let in_row = if row + 1 == rows && !n.is_multiple_of(PER_ROW) {
        n % PER_ROW
    } else {
        PER_ROW.min(n)
    };
    let col = k % PER_ROW;
    let dx = (col as f64 - (in_row as f64 - 1.0) / 2.0) * STEP;
    let dy = (row as f64 - (rows as f64 - 1.0) / 2.0) * STEP;
    (dx, dy)
}

pub(crate) fn grid(entries: &[Entry], lang: Lang) -> String {
    let size = f64::from(MAX_SCORE);
    let (w, h) = (CELL_W * size, CELL_H * size);
    // The split lies between a low and a high score: x before HIGH_FROM's column, y above its row.
    let split_x = X0 + f64::from(HIGH_FROM - 1) * CELL_W;
    let split_y = Y0 + f64::from(MAX_SCORE - HIGH_FROM + 1) * CELL_H;
    let field = |q: Quadrant, x: f64, y: f64, fw: f64, fh: f64, fill| Field {
        x,
        y,
        w: fw,
        h: fh,
        fill,
        label: q.label(),
        label_x: x + 6.0,
        label_y: y + 16.0,
    };
    let fields = vec![
        field(
            Quadrant::KeepSatisfied,
            X0,
            Y0,
            split_x - X0,
            split_y - Y0,
            "#fdf1dc",
        ),
        field(
            Quadrant::ManageClosely,
            split_x,
            Y0,
            X0 + w - split_x,
            split_y - Y0,
            "#dcebf7",
        ),
        field(
            Quadrant::Monitor,
            X0,
            split_y,
            split_x - X0,
            Y0 + h - split_y,
            "#f4f6f8",
        ),
        field(
            Quadrant::KeepInformed,
            split_x,
            split_y,
            X0 + w - split_x,
            Y0 + h - split_y,
            "#dff3ec",
        ),
    ];
    let mut markers = Vec::new();
    for power in 1..=MAX_SCORE {
        for interest in 1..=MAX_SCORE {
            let here: Vec<&Entry> = entries
                .iter()
                .filter(|e| e.stakeholder.power == power && e.stakeholder.interest == interest)
                .collect();
            let (cx, cy) = cell_centre(power, interest);
            for (k, e) in here.iter().enumerate() {
                let (dx, dy) = offset(k, here.len());
                markers.push(Marker {
                    x: cx + dx,
                    y: cy + dy,
                    number: e.number,
                    title: format!(
                        "{}. {}: invloed {}, belang {} ({})",
                        e.number,
                        e.stakeholder.name,
                        power,
                        interest,
                        e.quadrant.label()
                    ),
                    in_keten: e.in_keten(),
                });
            }
        }
    }
    let ticks = |start: f64, step: f64| -> Vec<(f64, u8)> {
        (1..=MAX_SCORE)
            .map(|s| (start + (f64::from(s) - 0.5) * step, s))
            .collect()
    };
    let y_ticks = (1..=MAX_SCORE).map(|p| (cell_centre(p, 1).1, p)).collect();
    Grid {
        id: "stakeholder-grid",
        title: lang.t("stakeholders-grid-title"),
        description: lang.t_args(
            "stakeholders-grid-description",
            &[("count", entries.len().to_string())],
        ),
        x_label: lang.t("stakeholders-grid-interest"),
        y_label: lang.t("stakeholders-grid-power"),
        width: X0 + w + 10.0,
        height: Y0 + h + 50.0,
        fields,
        markers,
        x_ticks: ticks(X0, CELL_W),
        y_ticks,
        plot_bottom: Y0 + h,
        plot_right: X0 + w,
    }
    .render()
    .unwrap_or_default()
}

/// One sector's part of the wheel.
pub(crate) struct Slice {
    pub label: &'static str,
    pub count: usize,
    pub colour: &'static str,
    /// SVG path of the ring segment; empty when the slice is the whole ring.
    pub path: String,
    pub whole: bool,
}

#[derive(Template)]
#[template(path = "stakeholders/wheel.html")]
pub(crate) struct Wheel {
    pub id: &'static str,
    pub title: String,
    pub description: String,
    pub slices: Vec<Slice>,
    pub total: usize,
}

/// Okabe and Ito's colours, one per sector in `Sector::ALL` order; the legend carries names and counts, so the
/// wheel also reads in greyscale print.
const SECTOR_COLOURS: [&str; 5] = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9"];
const CX: f64 = 150.0;
const CY: f64 = 150.0;
const R_OUT: f64 = 130.0;
const R_IN: f64 = 70.0;

fn point(r: f64, angle: f64) -> (f64, f64) {
    // Angle 0 at the top, clockwise.
    (CX + r * angle.sin(), CY - r * angle.cos())
}

/// A ring segment from `a0` to `a1` (radians, clockwise from the top).
fn ring_segment(a0: f64, a1: f64) -> String {
    let large = i32::from(a1 - a0 > std::f64::consts::PI);
    let (x0, y0) = point(R_OUT, a0);
    let (x1, y1) = point(R_OUT, a1);
    let (x2, y2) = point(R_IN, a1);
    let (x3, y3) = point(R_IN, a0);
    format!(
        "M{x0:.2},{y0:.2} A{R_OUT},{R_OUT} 0 {large} 1 {x1:.2},{y1:.2} L{x2:.2},{y2:.2} \
         A{R_IN},{R_IN} 0 {large} 0 {x3:.2},{y3:.2} Z"
    )
}

/// Stakeholders per sector, in `Sector::ALL` order.
pub(crate) fn sector_counts(entries: &[Entry]) -> Vec<(Sector, usize)> {
    Sector::ALL
        .iter()
        .map(|s| {
            (
                *s,
                entries
                    .iter()
                    .filter(|e| e.stakeholder.sector == *s)
                    .count(),
            )
        })
        .collect()
}

pub(crate) fn wheel(entries: &[Entry], lang: Lang) -> String {
    let counts = sector_counts(entries);
    let total: usize = counts.iter().map(|(_, n)| n).sum();
    let mut angle = 0.0;
    let mut slices = Vec::new();
    for ((sector, n), colour) in counts.into_iter().zip(SECTOR_COLOURS) {
        if n == 0 {
            continue;
        }
        let sweep = std::f64::consts::TAU * n as f64 / total as f64;
        let whole = n == total;
        slices.push(Slice {
            label: sector.label(),
            count: n,
            colour,
            path: if whole {
                String::new()
            } else {
                ring_segment(angle, angle + sweep)
            },
            whole,
        });
        angle += sweep;
    }
    Wheel {
        id: "stakeholder-wheel",
        title: lang.t("stakeholders-wheel-title"),
        description: lang.t_args(
            "stakeholders-wheel-description",
            &[("count", total.to_string())],
        ),
        slices,
        total,
    }
    .render()
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_in_one_cell_do_not_overlap_and_stay_in_the_cell() {
        for n in 1..=6 {
            let spots: Vec<_> = (0..n).map(|k| offset(k, n)).collect();
            for (i, a) in spots.iter().enumerate() {
                assert!(
                    a.0.abs() < CELL_W / 2.0 && a.1.abs() < CELL_H / 2.0,
                    "{n} {a:?}"
                );
                for b in &spots[i + 1..] {
                    assert!((a.0 - b.0).abs() >= STEP - 0.01 || (a.1 - b.1).abs() >= STEP - 0.01);
                }
            }
        }
        // High power sits at the top, high interest at the right.
        assert!(cell_centre(5, 1).1 < cell_centre(1, 1).1);
        assert!(cell_centre(1, 5).0 > cell_centre(1, 1).0);
    }

    #[test]
    fn a_quarter_of_the_ring_ends_at_three_o_clock() {
        let path = ring_segment(0.0, std::f64::consts::FRAC_PI_2);
        assert!(
            path.starts_with("M150.00,20.00 A130,130 0 0 1 280.00,150.00"),
            "{path}"
        );
        assert!(
            ring_segment(0.0, 4.0).contains(" 0 1 1 "),
            "more than half: the large arc"
        );
    }
}
