//! Accessible charts drawn on the server as SVG: bars, stacked or grouped columns and lines, each a figure with a title, a description and its numbers as a table.
//!
//! Why our own module and not a plotting crate: the charts must carry `<title>`/`<desc>`,
//! real text (not paths) for screen readers and search, Dutch number formatting, the
//! "< 5" mark for cells kept back under the small-numbers rule, and patterns that keep
//! series apart in greyscale print. That is a few hundred lines of geometry; the output
//! goes through askama templates (`templates/charts/`), so every label is escaped.

pub mod map;

use crate::numbers;
use askama::Template;

/// One value of a chart; `None` is a cell kept back under the small-numbers rule, shown as "< 5".
pub type Value = Option<f64>;

/// Okabe and Ito's palette for colour-blind readers, ordered so that neighbours also differ in
/// lightness; each series also gets its own pattern (bars) or dash and marker (lines), so the
/// series stay apart in greyscale print.
const COLOURS: [&str; 7] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
];
const DASHES: [&str; 4] = ["", "6 4", "2 3", "10 3 2 3"];

/// The shown text of a value: Dutch number, or "< 5" when kept back.
pub fn value_text(value: Value, decimals: usize) -> String {
    match value {
        Some(v) if decimals == 0 => numbers::count(v.round() as i64),
        Some(v) => numbers::decimal(v, decimals),
        None => "< 5".into(),
    }
}

/// A named row of values, one per category.
#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    pub values: Vec<Value>,
}

impl Series {
    pub fn new(name: impl Into<String>, values: Vec<Value>) -> Self {
        Self {
            name: name.into(),
            values,
        }
    }

    /// A series of counts (never kept back).
    pub fn counts(name: impl Into<String>, values: impl IntoIterator<Item = i64>) -> Self {
        Self::new(name, values.into_iter().map(|v| Some(v as f64)).collect())
    }
}

/// How the values are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Horizontal bars, a row per category (labels read well: topics, agencies, help points).
    Bars,
    /// Vertical columns per category (time: weeks, months, weekdays), series side by side.
    Columns,
    /// Vertical columns with the series stacked.
    StackedColumns,
    /// A line per series over the categories (trends).
    Lines,
}

/// What a page asks for; [`Chart::render`] turns it into an accessible figure.
#[derive(Debug, Clone)]
pub struct Chart {
    pub kind: Kind,
    /// Unique on the page: ids inside the SVG derive from it.
    pub id: String,
    pub title: String,
    /// One or two sentences a screen reader hears instead of the picture.
    pub description: String,
    pub categories: Vec<String>,
    pub series: Vec<Series>,
    /// Heading of the table's first column ("Onderwerp", "Week").
    pub category_heading: String,
    /// Decimals shown for values (0 for counts).
    pub decimals: usize,
    /// Put the table in a closed "De cijfers" disclosure (long series such as 52 weeks).
    pub table_folded: bool,
}

impl Chart {
    pub fn new(kind: Kind, id: &str, title: &str, description: &str) -> Self {
        Self {
            kind,
            id: id.into(),
            title: title.into(),
            description: description.into(),
            categories: Vec::new(),
            series: Vec::new(),
            category_heading: String::new(),
            decimals: 0,
            table_folded: false,
        }
    }

    pub fn categories(
        mut self,
        heading: &str,
        categories: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.category_heading = heading.into();
        self.categories = categories.into_iter().map(Into::into).collect();
        self
    }

    pub fn series(mut self, series: Series) -> Self {
        self.series.push(series);
        self
    }

    pub fn decimals(mut self, decimals: usize) -> Self {
        self.decimals = decimals;
        self
    }

    /// Folds the table away under "De cijfers" (it stays in the page for screen readers that open it).
    pub fn fold_table(mut self) -> Self {
        self.table_folded = true;
        self
    }

    /// The figure as HTML (SVG and table), ready for `{{ chart|safe }}` in a page template.
    pub fn render(&self) -> String {
        let view = layout(self);
        // The templates only loop over prepared values; rendering cannot fail on them.
        view.render().unwrap_or_default()
    }
}

/// A step of 1, 2 or 5 times a power of ten that divides `max` into at most `ticks` steps.
pub fn nice_step(max: f64, ticks: usize) -> f64 {
    if max <= 0.0 || !max.is_finite() {
        return 1.0;
    }
    let rough = max / ticks.max(1) as f64;
    let power = 10f64.powf(rough.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|step| step * ticks as f64 >= max)
        .unwrap_or(10.0 * power)
}

/// The axis: its top and its ticks, from zero.
fn axis(max: f64, decimals: usize) -> (f64, Vec<(f64, String)>) {
    let mut step = nice_step(max, 4);
    if decimals == 0 {
        step = step.max(1.0);
    }
    let top = if max <= 0.0 {
        step
    } else {
        (max / step).ceil() * step
    };
    let ticks = (0..)
        .map(|i| i as f64 * step)
        .take_while(|t| *t <= top + step / 2.0)
        .map(|t| {
            let d = if step.fract() == 0.0 {
                0
            } else {
                decimals.max(1)
            };
            (t, value_text(Some(t), d))
        })
        .collect();
    (top, ticks)
}

/// Shortens a label for the picture; the table and the tooltip keep it whole.
fn short(label: &str, max_chars: usize) -> String {
    if label.chars().count() <= max_chars {
        label.to_string()
    } else {
        let mut s: String = label.chars().take(max_chars.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

pub(crate) struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    pub series: usize,
    pub title: String,
}

pub(crate) struct Text {
    pub x: f64,
    pub y: f64,
    pub anchor: &'static str,
    pub text: String,
    pub full: String,
}

pub(crate) struct Rule {
    pub x1: f64,
    pub y1: f64,
    pub x2: f64,
    pub y2: f64,
}

pub(crate) struct Polyline {
    pub points: String,
    pub series: usize,
}

pub(crate) struct Marker {
    pub x: f64,
    pub y: f64,
    pub series: usize,
    pub title: String,
}

pub(crate) struct LegendItem {
    pub x: f64,
    pub y: f64,
    pub name: String,
    pub series: usize,
}

pub(crate) struct SeriesStyle {
    pub colour: &'static str,
    pub dash: &'static str,
}

#[derive(Template)]
#[template(path = "charts/chart.html")]
pub(crate) struct ChartView<'a> {
    pub chart: &'a Chart,
    pub width: f64,
    pub height: f64,
    pub lines_kind: bool,
    pub styles: Vec<SeriesStyle>,
    pub grid: Vec<Rule>,
    pub axis_labels: Vec<Text>,
    pub category_labels: Vec<Text>,
    pub rects: Vec<Rect>,
    pub value_labels: Vec<Text>,
    pub polylines: Vec<Polyline>,
    pub markers: Vec<Marker>,
    pub legend: Vec<LegendItem>,
    /// Table rows: category, then one text per series.
    pub rows: Vec<(String, Vec<String>)>,
}

const WIDTH: f64 = 640.0;

fn layout(chart: &Chart) -> ChartView<'_> {
    let n = chart.categories.len();
    let styles: Vec<SeriesStyle> = (0..chart.series.len())
        .map(|i| SeriesStyle {
            colour: COLOURS[i % COLOURS.len()],
            dash: DASHES[i % DASHES.len()],
        })
        .collect();
    let value = |s: usize, c: usize| chart.series[s].values.get(c).copied().flatten();
    let stacked = chart.kind == Kind::StackedColumns;
    let max = (0..n)
        .map(|c| {
            let vals = (0..chart.series.len()).map(|s| value(s, c).unwrap_or(0.0));
            if stacked {
                vals.sum::<f64>()
            } else {
                vals.fold(0.0, f64::max)
            }
        })
        .fold(0.0, f64::max);
    let (top, ticks) = axis(max, chart.decimals);
    let legend_rows = if chart.series.len() > 1 {
        chart.series.len().div_ceil(3)
    } else {
        0
    };
    let legend_height = legend_rows as f64 * 20.0;
    let mut view = ChartView {
        chart,
        width: WIDTH,
        height: 0.0,
        lines_kind: chart.kind == Kind::Lines,
        styles,
        grid: Vec::new(),
        axis_labels: Vec::new(),
        category_labels: Vec::new(),
        rects: Vec::new(),
        value_labels: Vec::new(),
        polylines: Vec::new(),
        markers: Vec::new(),
        legend: Vec::new(),
        rows: (0..n)
            .map(|c| {
                (
                    chart.categories[c].clone(),
                    (0..chart.series.len())
                        .map(|s| value_text(value(s, c), chart.decimals))
                        .collect(),
                )
            })
            .collect(),
    };
    let text = |v: Value| value_text(v, chart.decimals);

    if chart.kind == Kind::Bars {
        // Rows: a band per category, a bar per series in it.
        let left = 180.0;
        let right = WIDTH - 56.0;
        let band = 12.0 * chart.series.len().max(1) as f64 + 10.0;
        let plot_top = 8.0;
        let plot_height = band * n as f64;
        let scale = |v: f64| left + (right - left) * v / top;
        for (t, label) in &ticks {
            let x = scale(*t);
            view.grid.push(Rule {
                x1: x,
                y1: plot_top,
                x2: x,
                y2: plot_top + plot_height,
            });
            view.axis_labels.push(Text {
                x,
                y: plot_top + plot_height + 16.0,
                anchor: "middle",
                text: label.clone(),
                full: label.clone(),
            });
        }
        for (c, category) in chart.categories.iter().enumerate() {
            let y0 = plot_top + band * c as f64 + 5.0;
            view.category_labels.push(Text {
                x: left - 6.0,
                y: y0 + band / 2.0,
                anchor: "end",
                text: short(category, 24),
                full: category.clone(),
            });
            for s in 0..chart.series.len() {
                let y = y0 + 12.0 * s as f64;
                let v = value(s, c);
                let w = v.map_or(0.0, |v| scale(v) - left);
                view.rects.push(Rect {
                    x: left,
                    y,
                    w,
                    h: 10.0,
                    series: s,
                    title: format!("{}, {}: {}", category, chart.series[s].name, text(v)),
                });
                view.value_labels.push(Text {
                    x: left + w + 4.0,
                    y: y + 9.0,
                    anchor: "start",
                    text: text(v),
                    full: text(v),
                });
            }
        }
        view.height = plot_top + plot_height + 24.0;
    } else {
        // Columns and lines: categories along the bottom.
        let left = 52.0;
        let right = WIDTH - 10.0;
        let plot_top = 10.0;
        let plot_height = 200.0;
        let bottom = plot_top + plot_height;
        let band = (right - left) / n.max(1) as f64;
        let scale = |v: f64| bottom - plot_height * v / top;
        for (t, label) in &ticks {
            let y = scale(*t);
            view.grid.push(Rule {
                x1: left,
                y1: y,
                x2: right,
                y2: y,
            });
            view.axis_labels.push(Text {
                x: left - 6.0,
                y: y + 4.0,
                anchor: "end",
                text: label.clone(),
                full: label.clone(),
            });
        }
        // Label every k-th category so that labels never overlap (about 6 px per character).
        let longest = chart
            .categories
            .iter()
            .map(|c| c.chars().count().min(12))
            .max()
            .unwrap_or(1) as f64;
        let every = ((longest * 6.5 + 6.0) / band).ceil().max(1.0) as usize;
        for (c, category) in chart.categories.iter().enumerate() {
            let x0 = left + band * c as f64;
            if c.is_multiple_of(every) {
                view.category_labels.push(Text {
                    x: x0 + band / 2.0,
                    y: bottom + 16.0,
                    anchor: "middle",
                    text: short(category, 12),
                    full: category.clone(),
                });
            }
            match chart.kind {
                Kind::Lines => {
                    for s in 0..chart.series.len() {
                        if let Some(v) = value(s, c) {
                            view.markers.push(Marker {
                                x: x0 + band / 2.0,
                                y: scale(v),
                                series: s,
                                title: format!(
                                    "{}, {}: {}",
                                    category,
                                    chart.series[s].name,
                                    text(Some(v))
                                ),
                            });
                        }
                    }
                }
                Kind::StackedColumns => {
                    let mut base = 0.0;
                    for s in 0..chart.series.len() {
                        let v = value(s, c);
                        let h = v.unwrap_or(0.0);
                        view.rects.push(Rect {
                            x: x0 + band * 0.15,
                            y: scale(base + h),
                            w: band * 0.7,
                            h: scale(base) - scale(base + h),
                            series: s,
                            title: format!("{}, {}: {}", category, chart.series[s].name, text(v)),
                        });
                        base += h;
                    }
                }
                _ => {
                    let k = chart.series.len().max(1) as f64;
                    let w = band * 0.8 / k;
                    for s in 0..chart.series.len() {
                        let v = value(s, c);
                        let y = scale(v.unwrap_or(0.0));
                        view.rects.push(Rect {
                            x: x0 + band * 0.1 + w * s as f64,
                            y,
                            w,
                            h: bottom - y,
                            series: s,
                            title: format!("{}, {}: {}", category, chart.series[s].name, text(v)),
                        });
                    }
                }
            }
        }
        if chart.kind == Kind::Lines {
            // A kept-back value breaks the line rather than pretending it is zero.
            for s in 0..chart.series.len() {
                let mut run: Vec<String> = Vec::new();
                for c in 0..n {
                    match value(s, c) {
                        Some(v) => run.push(format!(
                            "{:.1},{:.1}",
                            left + band * c as f64 + band / 2.0,
                            scale(v)
                        )),
                        None => {
                            if run.len() > 1 {
                                view.polylines.push(Polyline {
                                    points: run.join(" "),
                                    series: s,
                                });
                            }
                            run.clear();
                        }
                    }
                }
                if run.len() > 1 {
                    view.polylines.push(Polyline {
                        points: run.join(" "),
                        series: s,
                    });
                }
            }
        }
        view.height = bottom + 26.0;
    }
    for (s, series) in chart.series.iter().enumerate() {
        if legend_rows == 0 {
            break;
        }
        view.legend.push(LegendItem {
            x: 10.0 + (s % 3) as f64 * 210.0,
            y: view.height + 4.0 + (s / 3) as f64 * 20.0,
            name: short(&series.name, 28),
            series: s,
        });
    }
    view.height += legend_height + 4.0;
    view
}

#[cfg(test)]
mod tests {
    use super::*;

    fn topics() -> Chart {
        Chart::new(
            Kind::Bars,
            "onderwerpen",
            "Vragen per onderwerp",
            "De meeste vragen gingen over toeslagen.",
        )
        .categories("Onderwerp", ["Toeslagen", "DigiD", "Bankzaken & <geld>"])
        .series(Series::new("2026", vec![Some(1240.0), Some(300.0), None]))
        .series(Series::counts("2025", [1000, 280, 12]))
    }

    #[test]
    fn steps_are_one_two_or_five_times_a_power_of_ten() {
        assert_eq!(nice_step(1240.0, 4), 500.0);
        assert_eq!(nice_step(100.0, 4), 50.0);
        assert_eq!(nice_step(7.0, 4), 2.0);
        assert_eq!(nice_step(0.0, 4), 1.0);
        assert_eq!(nice_step(0.3, 4), 0.1);
    }

    #[test]
    fn the_axis_reaches_past_the_largest_value() {
        let (top, ticks) = axis(1240.0, 0);
        assert_eq!(top, 1500.0);
        assert_eq!(ticks.last().map(|t| t.1.as_str()), Some("1.500"));
        assert_eq!(ticks.len(), 4);
        // Counts never get half steps.
        let (top, ticks) = axis(2.0, 0);
        assert_eq!(top, 2.0);
        assert_eq!(ticks.len(), 3);
    }

    #[test]
    fn a_figure_has_a_title_description_and_every_number_in_a_table() {
        let html = topics().render();
        assert!(html.contains("<figure"));
        assert!(html.contains("role=\"img\""));
        assert!(html.contains("<title id=\"onderwerpen-title\">Vragen per onderwerp</title>"));
        assert!(html.contains("De meeste vragen gingen over toeslagen."));
        assert!(html.contains("<table"));
        for number in ["1.240", "300", "1.000", "280", "12"] {
            assert!(html.contains(&format!(">{number}<")), "{number} missing");
        }
    }

    #[test]
    fn kept_back_cells_read_less_than_five_in_picture_and_table() {
        let html = topics().render();
        assert!(html.matches("&#60; 5").count() >= 2, "{html}");
    }

    #[test]
    fn labels_are_escaped() {
        let html = topics().render();
        assert!(html.contains("Bankzaken &#38; &#60;geld&#62;"), "{html}");
        assert!(!html.contains("<geld>"));
    }

    #[test]
    fn bars_are_proportional_to_values() {
        let chart = topics();
        let view = layout(&chart);
        let toeslagen = &view.rects[0];
        let digid = &view.rects[2];
        assert!((toeslagen.w / digid.w - 1240.0 / 300.0).abs() < 1e-9);
        // A kept-back value draws no bar.
        assert_eq!(view.rects[4].w, 0.0);
    }

    #[test]
    fn stacked_columns_sum_to_the_total_height() {
        let chart = Chart::new(Kind::StackedColumns, "s", "t", "d")
            .categories("Maand", ["jan", "feb"])
            .series(Series::counts("Opgelost", [30, 10]))
            .series(Series::counts("Doorverwezen", [10, 30]));
        let view = layout(&chart);
        let jan: f64 = view
            .rects
            .iter()
            .step_by(2)
            .take(1)
            .map(|r| r.h)
            .sum::<f64>()
            + view.rects[1].h;
        let feb = view.rects[2].h + view.rects[3].h;
        assert!((jan - feb).abs() < 1e-9);
        // The top of the stack is at the top of the axis (40 of 40).
        assert!((view.rects[1].y - 10.0).abs() < 1e-9);
    }

    #[test]
    fn a_kept_back_value_breaks_the_line() {
        let chart = Chart::new(Kind::Lines, "l", "t", "d")
            .categories("Week", ["1", "2", "3", "4", "5"])
            .series(Series::new(
                "vragen",
                vec![Some(8.0), Some(9.0), None, Some(7.0), Some(6.0)],
            ));
        let view = layout(&chart);
        assert_eq!(view.polylines.len(), 2);
        assert_eq!(view.markers.len(), 4);
    }

    #[test]
    fn a_long_table_can_be_folded_away() {
        let html = topics().fold_table().render();
        assert!(html.contains("<details"));
        assert!(!topics().render().contains("<details"));
    }

    #[test]
    fn series_differ_in_colour_and_dash() {
        let chart = topics();
        let view = layout(&chart);
        assert_ne!(view.styles[0].colour, view.styles[1].colour);
        assert_ne!(view.styles[0].dash, view.styles[1].dash);
    }
}
