//! Numbers written the Dutch way for pages, charts and reports: 1.240, 12,5 and 18%.

/// A count with a full stop between thousands: 100000 -> "100.000" (the one rule, kept in core because
/// core's figures print themselves the same way).
pub use keten_core::steering::thousands as count;

/// A decimal number with `places` decimals and a decimal comma: 12.345 -> "12,3".
pub fn decimal(x: f64, places: usize) -> String {
    if !x.is_finite() {
        return "-".into();
    }
    let text = format!("{:.*}", places, x.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let whole: i64 = whole.parse().unwrap_or(0);
    let sign = if x < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "-"
    } else {
        ""
    };
    if fraction.is_empty() {
        format!("{sign}{}", count(whole))
    } else {
        format!("{sign}{},{fraction}", count(whole))
    }
}

/// A share as a whole percentage: 0.183 -> "18%".
pub fn percent(share: f64) -> String {
    format!("{}%", decimal(share * 100.0, 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_group_thousands_with_a_full_stop() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1240), "1.240");
        assert_eq!(count(100_000), "100.000");
        assert_eq!(count(10_000_000), "10.000.000");
        assert_eq!(count(-1240), "-1.240");
    }

    #[test]
    fn decimals_use_a_comma() {
        assert_eq!(decimal(12.345, 1), "12,3");
        assert_eq!(decimal(1234.5, 1), "1.234,5");
        assert_eq!(decimal(0.04, 1), "0,0");
        assert_eq!(decimal(-0.04, 1), "0,0");
        assert_eq!(decimal(-2.5, 1), "-2,5");
        assert_eq!(decimal(7.0, 0), "7");
        assert_eq!(decimal(f64::NAN, 1), "-");
    }

    #[test]
    fn percentages_are_whole() {
        assert_eq!(percent(0.183), "18%");
        assert_eq!(percent(1.0), "100%");
    }
}
