//! Medians and spreads over repeated runs, as the report prints them.

use serde::{Deserialize, Serialize};

/// Repeated measurements of one figure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    pub median: f64,
    pub min: f64,
    pub max: f64,
    pub runs: usize,
}

impl Spread {
    /// `None` for no samples. The median of an even count is the mean of
    /// the middle two.
    pub fn of(samples: &[f64]) -> Option<Spread> {
        if samples.is_empty() {
            return None;
        }
        let mut s = samples.to_vec();
        s.sort_by(f64::total_cmp);
        let n = s.len();
        let median = if n % 2 == 1 {
            s[n / 2]
        } else {
            (s[n / 2 - 1] + s[n / 2]) / 2.0
        };
        Some(Spread {
            median,
            min: s[0],
            max: s[n - 1],
            runs: n,
        })
    }

    /// `845 ms (829–972)`; the range is left out when every run agreed.
    pub fn show(&self, unit: &str, decimals: usize) -> String {
        let m = number(self.median, decimals);
        let sep = if unit.is_empty() { "" } else { " " };
        if self.runs <= 1 || self.min == self.max {
            format!("{m}{sep}{unit}")
        } else {
            format!(
                "{m}{sep}{unit} ({}–{})",
                number(self.min, decimals),
                number(self.max, decimals)
            )
        }
    }
}

/// The `q`-quantile (0..=1) by nearest rank, of unsorted samples.
pub fn quantile(samples: &[f64], q: f64) -> Option<f64> {
    if samples.is_empty() {
        return None;
    }
    let mut s = samples.to_vec();
    s.sort_by(f64::total_cmp);
    let rank = (q * s.len() as f64).ceil() as usize;
    Some(s[rank.clamp(1, s.len()) - 1])
}

/// A number with thousands separators (`1,298,397`, `12.5`).
pub fn number(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (text.as_str(), None),
    };
    let (sign, digits) = match int.strip_prefix('-') {
        Some(d) => ("-", d),
        None => ("", int),
    };
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// Bytes as `812 B`, `13.8 KB`, `6.31 MB` (powers of 1000, as wire sizes
/// are usually quoted).
pub fn bytes(value: f64) -> String {
    if value < 1000.0 {
        format!("{} B", number(value, 0))
    } else if value < 1e6 {
        format!("{} KB", number(value / 1e3, 1))
    } else if value < 1e9 {
        format!("{} MB", number(value / 1e6, 2))
    } else {
        format!("{} GB", number(value / 1e9, 2))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_range() {
        let s = Spread::of(&[5.0, 1.0, 3.0]).unwrap();
        assert_eq!((s.median, s.min, s.max, s.runs), (3.0, 1.0, 5.0, 3));
        assert_eq!(Spread::of(&[1.0, 2.0, 4.0, 10.0]).unwrap().median, 3.0);
        assert!(Spread::of(&[]).is_none());
        assert_eq!(s.show("ms", 0), "3 ms (1–5)");
        assert_eq!(Spread::of(&[7.0, 7.0]).unwrap().show("B", 0), "7 B");
    }

    #[test]
    fn quantiles_by_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(quantile(&v, 0.5), Some(50.0));
        assert_eq!(quantile(&v, 0.99), Some(99.0));
        assert_eq!(quantile(&v, 1.0), Some(100.0));
        assert_eq!(quantile(&[3.0], 0.99), Some(3.0));
    }

    #[test]
    fn numbers_are_grouped() {
        assert_eq!(number(1_298_397.0, 0), "1,298,397");
        assert_eq!(number(999.0, 0), "999");
        assert_eq!(number(-12_345.678, 1), "-12,345.7");
        assert_eq!(bytes(812.0), "812 B");
        assert_eq!(bytes(6_310_000.0), "6.31 MB");
    }
}
