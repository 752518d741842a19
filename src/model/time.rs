//! Calendar arithmetic for year and date values: days since 1970-01-01 and back (Howard
//! Hinnant's civil-date algorithms), so line charts can sort and place points in time.

use crate::model::data::Value;

/// Days since 1970-01-01 of a year (1 July) or a date (`YYYY-MM-DD`, `YYYY-MM` → the 15th).
pub fn time_key(v: Option<&Value>) -> i64 {
    match v {
        Some(Value::Year(y)) => days_from_civil(*y as i64, 7, 1),
        Some(Value::Date(d)) => {
            let p: Vec<i64> = d.split('-').filter_map(|s| s.parse().ok()).collect();
            match p.as_slice() {
                [y] => days_from_civil(*y, 7, 1),
                [y, m] => days_from_civil(*y, *m, 15),
                [y, m, d, ..] => days_from_civil(*y, *m, *d),
                _ => 0,
            }
        }
        _ => 0,
    }
}

pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_round_trip() {
        for (y, m, d) in [(1970, 1, 1), (2024, 2, 29), (2024, 12, 31), (2023, 3, 1)] {
            assert_eq!(civil_from_days(days_from_civil(y, m, d)), (y, m, d));
        }
        assert_eq!(days_from_civil(1970, 1, 2), 1);
    }
}
