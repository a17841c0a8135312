//! Dates as documenters know them: often only a year, or a year and month.
//!
//! A [`PartialDate`] is stored in documents as one string scalar (`"2022"`,
//! `"2022-03"`, `"2022-03-05"`), so two devices setting a date concurrently
//! produce one visible conflict, never a mix of one's year and the other's
//! day. [`Date`] is a full civil date, used for "today", which callers pass
//! in (the shared crate reads no clock).

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use autosurgeon::{Hydrate, HydrateError, Reconcile, Reconciler, reconcile::NoKey};
use serde::{Deserialize, Serialize};

/// A full calendar date (proleptic Gregorian).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("write dates as YYYY, YYYY-MM or YYYY-MM-DD (got {0:?})")]
    Format(String),
    #[error("{year} is outside the years a case can mention (1900–2100)")]
    YearOutOfRange { year: i32 },
    #[error("month {month} does not exist")]
    NoSuchMonth { month: u8 },
    #[error("{year}-{month:02} has no day {day}")]
    NoSuchDay { year: i32, month: u8, day: u8 },
}

const MIN_YEAR: i32 = 1900;
const MAX_YEAR: i32 = 2100;

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    pub fn new(year: i32, month: u8, day: u8) -> Result<Date, DateError> {
        PartialDate::full(year, month, day).map(|_| Date { year, month, day })
    }

    /// Days since 1970-01-01 (negative before), by Howard Hinnant's
    /// `days_from_civil`.
    pub fn days_since_epoch(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = if y >= 0 { y } else { y - 399 } / 400;
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let mp = if m > 2 { m - 3 } else { m + 9 };
        let doy = (153 * mp + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The civil date of a day count since 1970-01-01.
    pub fn from_days_since_epoch(days: i64) -> Date {
        let z = days + 719_468;
        let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// The UTC date of a Unix time in milliseconds.
    pub fn from_unix_ms(ms: i64) -> Date {
        Date::from_days_since_epoch(ms.div_euclid(86_400_000))
    }

    /// Whole years from `self` to `later` (an age).
    pub fn years_until(self, later: Date) -> i32 {
        let mut years = later.year - self.year;
        if (later.month, later.day) < (self.month, self.day) {
            years -= 1;
        }
        years
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// A year, a year and month, or a full date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PartialDate {
    year: i32,
    month: Option<u8>,
    day: Option<u8>,
}

impl PartialDate {
    pub fn year(year: i32) -> Result<PartialDate, DateError> {
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(DateError::YearOutOfRange { year });
        }
        Ok(PartialDate {
            year,
            month: None,
            day: None,
        })
    }

    pub fn month(year: i32, month: u8) -> Result<PartialDate, DateError> {
        let mut d = PartialDate::year(year)?;
        if !(1..=12).contains(&month) {
            return Err(DateError::NoSuchMonth { month });
        }
        d.month = Some(month);
        Ok(d)
    }

    pub fn full(year: i32, month: u8, day: u8) -> Result<PartialDate, DateError> {
        let mut d = PartialDate::month(year, month)?;
        if day == 0 || day > days_in_month(year, month) {
            return Err(DateError::NoSuchDay { year, month, day });
        }
        d.day = Some(day);
        Ok(d)
    }

    pub fn get_year(&self) -> i32 {
        self.year
    }

    pub fn get_month(&self) -> Option<u8> {
        self.month
    }

    pub fn get_day(&self) -> Option<u8> {
        self.day
    }

    pub fn is_full(&self) -> bool {
        self.day.is_some()
    }

    /// The first day the date may stand for.
    pub fn earliest(&self) -> Date {
        Date {
            year: self.year,
            month: self.month.unwrap_or(1),
            day: self.day.unwrap_or(1),
        }
    }

    /// The last day the date may stand for.
    pub fn latest(&self) -> Date {
        let month = self.month.unwrap_or(12);
        Date {
            year: self.year,
            month,
            day: self.day.unwrap_or(days_in_month(self.year, month)),
        }
    }

    /// Ordering that is certain whatever the missing parts are: `Less` only
    /// if every day `self` may mean is before every day `other` may mean.
    /// `None` when the two overlap (e.g. 2022 and 2022-03).
    pub fn certainly_cmp(&self, other: &PartialDate) -> Option<Ordering> {
        if self.latest() < other.earliest() {
            Some(Ordering::Less)
        } else if self.earliest() > other.latest() {
            Some(Ordering::Greater)
        } else if self == other && self.is_full() {
            Some(Ordering::Equal)
        } else {
            None
        }
    }

    /// Sorting key for timelines: by earliest possible day, coarser first.
    pub fn sort_key(&self) -> (Date, u8) {
        let precision = u8::from(self.month.is_some()) + u8::from(self.day.is_some());
        (self.earliest(), precision)
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
        }
        if let Some(d) = self.day {
            write!(f, "-{d:02}")?;
        }
        Ok(())
    }
}

impl FromStr for PartialDate {
    type Err = DateError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || DateError::Format(s.chars().take(40).collect());
        let parts: Vec<&str> = s.trim().split('-').collect();
        let num = |p: &str, len: usize| -> Result<u32, DateError> {
            if p.len() != len || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            p.parse().map_err(|_| bad())
        };
        match parts[..] {
            [y] => PartialDate::year(num(y, 4)? as i32),
            [y, m] => PartialDate::month(num(y, 4)? as i32, num(m, 2)? as u8),
            [y, m, d] => PartialDate::full(num(y, 4)? as i32, num(m, 2)? as u8, num(d, 2)? as u8),
            _ => Err(bad()),
        }
    }
}

impl From<Date> for PartialDate {
    fn from(d: Date) -> PartialDate {
        PartialDate {
            year: d.year,
            month: Some(d.month),
            day: Some(d.day),
        }
    }
}

impl Reconcile for PartialDate {
    type Key<'a> = NoKey;

    fn reconcile<R: Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
        r.str(self.to_string())
    }
}

impl Hydrate for PartialDate {
    fn hydrate_string(s: &'_ str) -> Result<Self, HydrateError> {
        s.parse().map_err(|e: DateError| {
            HydrateError::unexpected("a date YYYY[-MM[-DD]]", e.to_string())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_each_precision() {
        for s in ["1961", "2014-02", "2022-02-24", "2024-02-29"] {
            assert_eq!(s.parse::<PartialDate>().unwrap().to_string(), s);
        }
    }

    #[test]
    fn impossible_dates_are_refused_with_a_reason() {
        let cases = [
            (
                "2023-02-29",
                DateError::NoSuchDay {
                    year: 2023,
                    month: 2,
                    day: 29,
                },
            ),
            ("2022-13", DateError::NoSuchMonth { month: 13 }),
            ("1812", DateError::YearOutOfRange { year: 1812 }),
            ("22-02-24", DateError::Format("22-02-24".into())),
            ("2022/02/24", DateError::Format("2022/02/24".into())),
            ("", DateError::Format("".into())),
        ];
        for (s, err) in cases {
            assert_eq!(s.parse::<PartialDate>(), Err(err), "{s}");
        }
    }

    #[test]
    fn day_counts_round_trip() {
        for days in [-800_000, -1, 0, 1, 19_000, 20_000, 60_000] {
            let d = Date::from_days_since_epoch(days);
            assert_eq!(d.days_since_epoch(), days, "{d}");
        }
        assert_eq!(Date::new(2022, 2, 24).unwrap().days_since_epoch(), 19_047);
        assert_eq!(
            Date::from_unix_ms(1_645_660_800_000),
            Date::new(2022, 2, 24).unwrap()
        );
    }

    #[test]
    fn ages_count_whole_years() {
        let born = Date::new(1960, 6, 15).unwrap();
        assert_eq!(born.years_until(Date::new(2020, 6, 14).unwrap()), 59);
        assert_eq!(born.years_until(Date::new(2020, 6, 15).unwrap()), 60);
    }

    #[test]
    fn certain_order_needs_no_overlap() {
        let y2022: PartialDate = "2022".parse().unwrap();
        let m2022_03: PartialDate = "2022-03".parse().unwrap();
        let d2021: PartialDate = "2021-12-31".parse().unwrap();
        assert_eq!(y2022.certainly_cmp(&m2022_03), None);
        assert_eq!(d2021.certainly_cmp(&y2022), Some(Ordering::Less));
        assert_eq!(m2022_03.certainly_cmp(&d2021), Some(Ordering::Greater));
    }
}
