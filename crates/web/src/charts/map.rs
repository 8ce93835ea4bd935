//! A municipality's postcode areas as proportional circles at their centroids, drawn as SVG: no tile server, works offline and in print.
//!
//! Circles, not area shapes: the reference data has each PC4's centroid, not its outline, so
//! the map says "approximate areas" and a circle's area follows the value (the eye compares
//! areas, so the radius grows with the square root).

use super::{Value, value_text};
use askama::Template;

/// One postcode area on the map.
#[derive(Debug, Clone)]
pub struct Area {
    /// The label (a PC4: "3011").
    pub label: String,
    pub lat: f64,
    pub lon: f64,
    /// The figure drawn (questions per 1,000 residents, say); `None` is kept back ("< 5").
    pub value: Value,
    /// Marked as a blind spot: many older residents, no questions.
    pub blind_spot: bool,
}

/// What a page asks for; [`AreaMap::render`] gives the figure.
#[derive(Debug, Clone)]
pub struct AreaMap {
    pub id: String,
    pub title: String,
    pub description: String,
    /// What the value is, for the legend ("vragen per 1.000 inwoners").
    pub unit: String,
    pub decimals: usize,
    pub areas: Vec<Area>,
}

pub(crate) struct Circle {
    pub x: f64,
    pub y: f64,
    pub r: f64,
    pub label: String,
    /// Big enough to print its label inside.
    pub labelled: bool,
    pub title: String,
    pub kept_back: bool,
    pub blind_spot: bool,
}

/// One row of the legend, under the map: a circle and its words to the right of it.
pub(crate) struct LegendCircle {
    pub y: f64,
    pub r: f64,
    pub text: String,
}

#[derive(Template)]
#[template(path = "charts/map.html")]
pub(crate) struct MapView<'a> {
    pub map: &'a AreaMap,
    pub width: f64,
    pub height: f64,
    pub legend_y: f64,
    pub circles: Vec<Circle>,
    pub legend: Vec<LegendCircle>,
    /// Where the legend's circles and words stand across: one column, so no text runs into the next circle.
    pub legend_x: f64,
    pub legend_text_x: f64,
    /// The rows for blind spots and for areas kept back, when the map has any.
    pub blind_spot_y: Option<f64>,
    pub kept_back_y: Option<f64>,
}

const WIDTH: f64 = 600.0;
const MARGIN: f64 = 30.0;
const MAX_RADIUS: f64 = 26.0;
const MIN_LARGEST_RADIUS: f64 = 8.0;
/// Circles smaller than this carry no printed label (the tooltip and the table have it).
const LABEL_RADIUS: f64 = 9.0;
/// A label's room (four digits at font size 9), so that no two labels overlap.
const LABEL_WIDTH: f64 = 26.0;
const LABEL_HEIGHT: f64 = 11.0;
/// Space between the legend's rows, and half the height of a row whose circle is smaller than a line of text.
const LEGEND_GAP: f64 = 8.0;
const LEGEND_MIN_HALF: f64 = 8.0;

impl AreaMap {
    pub fn render(&self) -> String {
        // The template only loops over prepared values; rendering cannot fail on them.
        layout(self).render().unwrap_or_default()
    }
}

fn radius(value: f64, max: f64, largest: f64) -> f64 {
    if max <= 0.0 || value <= 0.0 {
        return 0.0;
    }
    (largest * (value / max).sqrt()).max(2.0)
}

/// The largest circle: about the median distance between neighbouring areas, so that a dense
/// city centre stays readable and a rural municipality's circles do not look lost.
fn largest_radius(points: &[(f64, f64)]) -> f64 {
    let mut nearest: Vec<f64> = points
        .iter()
        .enumerate()
        .map(|(i, (x, y))| {
            points
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, (u, v))| ((x - u).powi(2) + (y - v).powi(2)).sqrt())
                .fold(f64::MAX, f64::min)
        })
        .filter(|d| *d < f64::MAX)
        .collect();
    if nearest.is_empty() {
        return MAX_RADIUS;
    }
    nearest.sort_by(f64::total_cmp);
    (nearest[nearest.len() / 2] * 0.9).clamp(MIN_LARGEST_RADIUS, MAX_RADIUS)
}

fn layout(map: &AreaMap) -> MapView<'_> {
    let lats = map.areas.iter().map(|a| a.lat);
    let lons = map.areas.iter().map(|a| a.lon);
    let (lat_min, lat_max) = lats.fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(v), b.max(v)));
    let (lon_min, lon_max) = lons.fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(v), b.max(v)));
    // Equirectangular at the middle latitude: accurate to well under a percent across a municipality.
    let mid = ((lat_min + lat_max) / 2.0).to_radians().cos();
    let span_x = ((lon_max - lon_min) * mid).max(1e-3);
    let span_y = (lat_max - lat_min).max(1e-3);
    let inner = WIDTH - 2.0 * MARGIN;
    let scale = inner / span_x.max(span_y);
    let height = (span_y * scale + 2.0 * MARGIN).max(160.0);
    let max = map.areas.iter().filter_map(|a| a.value).fold(0.0, f64::max);
    let at = |a: &Area| {
        (
            MARGIN + (a.lon - lon_min) * mid * scale,
            MARGIN + (lat_max - a.lat) * scale,
        )
    };
    let largest = largest_radius(&map.areas.iter().map(at).collect::<Vec<_>>());
    let mut circles: Vec<Circle> = map
        .areas
        .iter()
        .map(|a| {
            let (x, y) = at(a);
            let kept_back = a.value.is_none();
            let r = match a.value {
                Some(v) => radius(v, max, largest),
                None => 4.0,
            };
            let mut title = format!(
                "{}: {} {}",
                a.label,
                value_text(a.value, map.decimals),
                map.unit
            );
            if a.blind_spot {
                title.push_str(" (blinde vlek)");
            }
            Circle {
                x,
                y,
                r,
                label: a.label.clone(),
                labelled: false,
                title,
                kept_back,
                blind_spot: a.blind_spot,
            }
        })
        .collect();
    // Big circles first, so small ones stay visible on top.
    circles.sort_by(|a, b| b.r.total_cmp(&a.r));
    // Labels of big circles first; one that would run into a label already placed is left to the tooltip and
    // the table (a city centre's areas lie close together).
    let mut placed: Vec<(f64, f64)> = Vec::new();
    for c in &mut circles {
        let free = placed
            .iter()
            .all(|(x, y)| (c.x - x).abs() >= LABEL_WIDTH || (c.y - y).abs() >= LABEL_HEIGHT);
        c.labelled = c.r >= LABEL_RADIUS && free;
        if c.labelled {
            placed.push((c.x, c.y));
        }
    }
    let legend_y = height + 10.0;
    let sizes: Vec<(f64, String)> = if max > 0.0 {
        let step = super::nice_step(max, 4);
        let top = ((max / step).floor() * step).max(step.min(max));
        [top, top / 4.0]
            .into_iter()
            .filter(|v| *v > 0.0)
            .map(|v| {
                (
                    radius(v, max, largest),
                    format!("{} {}", value_text(Some(v), map.decimals), map.unit),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    // Rows from the top down, each as high as its circle.
    let mut next = legend_y + LEGEND_GAP;
    let mut row = |r: f64| {
        let half = r.max(LEGEND_MIN_HALF);
        let y = next + half;
        next = y + half + LEGEND_GAP;
        y
    };
    let legend = sizes
        .into_iter()
        .map(|(r, text)| LegendCircle { y: row(r), r, text })
        .collect();
    let blind_spot_y = circles.iter().any(|c| c.blind_spot).then(|| row(7.0));
    let kept_back_y = circles.iter().any(|c| c.kept_back).then(|| row(4.0));
    MapView {
        map,
        width: WIDTH,
        height: next + LEGEND_GAP,
        legend_y,
        legend_x: MARGIN + MAX_RADIUS,
        legend_text_x: MARGIN + 2.0 * MAX_RADIUS + 12.0,
        blind_spot_y,
        kept_back_y,
        circles,
        legend,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rotterdam() -> AreaMap {
        AreaMap {
            id: "kaart".into(),
            title: "Vragen per 1.000 inwoners per postcodegebied".into(),
            description: "Het meest in 3011.".into(),
            unit: "per 1.000".into(),
            decimals: 1,
            areas: vec![
                Area {
                    label: "3011".into(),
                    lat: 51.9197,
                    lon: 4.4875,
                    value: Some(40.0),
                    blind_spot: false,
                },
                Area {
                    label: "3012".into(),
                    lat: 51.9225,
                    lon: 4.4722,
                    value: Some(10.0),
                    blind_spot: false,
                },
                Area {
                    label: "3013".into(),
                    lat: 51.9150,
                    lon: 4.4650,
                    value: None,
                    blind_spot: false,
                },
                Area {
                    label: "3014".into(),
                    lat: 51.9250,
                    lon: 4.4700,
                    value: Some(0.0),
                    blind_spot: true,
                },
            ],
        }
    }

    #[test]
    fn legend_rows_stand_one_under_the_other_inside_the_picture() {
        let map = rotterdam();
        let view = layout(&map);
        // Each row's extent: the circle, or a line of text where the circle is smaller.
        let mut rows: Vec<(f64, f64)> = view
            .legend
            .iter()
            .map(|l| (l.y, l.r))
            .chain(view.blind_spot_y.map(|y| (y, 7.0)))
            .chain(view.kept_back_y.map(|y| (y, 4.0)))
            .map(|(y, r)| (y - r.max(LEGEND_MIN_HALF), y + r.max(LEGEND_MIN_HALF)))
            .collect();
        assert_eq!(
            rows.len(),
            4,
            "two sizes, a blind spot and an area kept back"
        );
        rows.sort_by(|a, b| a.0.total_cmp(&b.0));
        assert!(rows[0].0 >= view.legend_y, "under the map");
        assert!(
            rows.windows(2).all(|w| w[0].1 < w[1].0),
            "no overlap: {rows:?}"
        );
        assert!(rows[3].1 < view.height, "inside the picture");
        assert!(
            view.legend_text_x > view.legend_x + MAX_RADIUS,
            "words right of the largest circle"
        );
    }

    #[test]
    fn labels_do_not_run_into_each_other() {
        let mut map = rotterdam();
        // A crowded centre: areas a few hundred metres apart, all with big values.
        map.areas = (0..12)
            .map(|i| Area {
                label: format!("30{i:02}"),
                lat: 51.92 + f64::from(i % 4) * 0.012,
                lon: 4.48 + f64::from(i / 4) * 0.02,
                value: Some(40.0),
                blind_spot: false,
            })
            .chain([(51.80, 4.00), (52.05, 4.60)].map(|(lat, lon)| Area {
                // Far corners, so that the centre is drawn small.
                label: "9999".into(),
                lat,
                lon,
                value: Some(1.0),
                blind_spot: false,
            }))
            .collect();
        let view = layout(&map);
        let labels: Vec<(f64, f64)> = view
            .circles
            .iter()
            .filter(|c| c.labelled)
            .map(|c| (c.x, c.y))
            .collect();
        assert!(!labels.is_empty());
        for (i, a) in labels.iter().enumerate() {
            for b in &labels[i + 1..] {
                assert!(
                    (a.0 - b.0).abs() >= LABEL_WIDTH || (a.1 - b.1).abs() >= LABEL_HEIGHT,
                    "{a:?} and {b:?}"
                );
            }
        }
    }

    #[test]
    fn circle_areas_follow_the_values() {
        let map = rotterdam();
        let view = layout(&map);
        let r = |label: &str| view.circles.iter().find(|c| c.label == label).map(|c| c.r);
        let (big, small) = (r("3011").unwrap_or(0.0), r("3012").unwrap_or(0.0));
        assert!((big * big / (small * small) - 4.0).abs() < 1e-9);
    }

    #[test]
    fn north_is_up_and_east_is_right() {
        let map = rotterdam();
        let view = layout(&map);
        let at = |label: &str| {
            let c = view
                .circles
                .iter()
                .find(|c| c.label == label)
                .map(|c| (c.x, c.y));
            c.unwrap_or_default()
        };
        assert!(at("3011").0 > at("3012").0, "3011 lies east of 3012");
        assert!(at("3014").1 < at("3013").1, "3014 lies north of 3013");
        for c in &view.circles {
            assert!(c.x >= MARGIN - 1e-9 && c.x <= WIDTH - MARGIN + 1e-9);
        }
    }

    #[test]
    fn kept_back_and_blind_spots_are_said_in_words() {
        let html = rotterdam().render();
        assert!(html.contains("3013: &#60; 5 per 1.000"), "{html}");
        assert!(html.contains("3014: 0,0 per 1.000 (blinde vlek)"));
        assert!(html.contains("Blinde vlek"));
        assert!(html.contains("role=\"img\""));
    }
}
