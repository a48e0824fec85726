//! tawk.to's ISO-8601 timestamps (UTC, milliseconds); the calendar maths is
//! [`crate::time`]'s.

use crate::time::{MS_PER_DAY, civil_from_days, clock_of, days_from_civil, days_in_month};
pub(crate) use crate::time::{format_day, now_ms};

/// `2026-01-02T03:04:05.678Z`.
pub(crate) fn format_iso(ms: i64) -> String {
    let days = ms.div_euclid(MS_PER_DAY);
    let rest = ms.rem_euclid(MS_PER_DAY);
    let (y, m, d) = civil_from_days(days);
    let (h, min, s) = clock_of(rest / 1000);
    let milli = rest % 1000;
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}.{milli:03}Z")
}

/// Days since the epoch of a timestamp (UTC).
pub(crate) fn day_of(ms: i64) -> i64 {
    ms.div_euclid(MS_PER_DAY)
}

fn number(s: &str) -> Option<i64> {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// Parses `YYYY-MM-DD[THH:MM[:SS[.f{1,9}]][Z|±HH[:]MM]]` (no zone means UTC): the
/// `pattern` of every request date in `spec/tawk.yaml`, and nothing else.
pub(crate) fn parse_iso(raw: &str) -> Option<i64> {
    let (date, time) = match raw.split_once('T') {
        Some((date, time)) => (date, Some(time)),
        None => (raw, None),
    };
    let mut parts = date.split('-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || year.len() != 4 || month.len() != 2 || day.len() != 2 {
        return None;
    }
    let (year, month, day) = (number(year)?, number(month)?, number(day)?);
    let days_in_month = days_in_month(year, month)?;
    if !(1..=days_in_month).contains(&day) {
        return None;
    }
    let mut ms = days_from_civil(year, month, day) * MS_PER_DAY;
    let Some(time) = time else {
        return Some(ms);
    };
    let (clock, offset_ms) = if let Some(clock) = time.strip_suffix('Z') {
        (clock, 0)
    } else if let Some(at) = time.rfind(['+', '-']) {
        let (clock, zone) = time.split_at(at);
        let sign = if zone.starts_with('-') { -1 } else { 1 };
        let zone = match &zone.as_bytes()[1..] {
            [h1, h2, b':', m1, m2] | [h1, h2, m1, m2] => {
                String::from_utf8(vec![*h1, *h2, *m1, *m2]).ok()?
            }
            _ => return None,
        };
        let (h, m) = (number(&zone[..2])?, number(&zone[2..])?);
        if h > 23 || m > 59 {
            return None;
        }
        (clock, sign * (h * 60 + m) * 60_000)
    } else {
        (time, 0)
    };
    let (hms, fraction) = match clock.split_once('.') {
        // A fraction needs seconds (`HH:MM:SS.f`).
        Some((hms, fraction)) if hms.len() == 8 => (hms, Some(fraction)),
        Some(_) => return None,
        None => (clock, None),
    };
    let mut fields = hms.split(':');
    let two = |field: &str| number(field).filter(|_| field.len() == 2);
    let hour = two(fields.next()?).filter(|h| *h < 24)?;
    let minute = two(fields.next()?).filter(|m| *m < 60)?;
    let second = match fields.next() {
        Some(s) => two(s).filter(|s| *s < 60)?,
        None => 0,
    };
    if fields.next().is_some() {
        return None;
    }
    let millis = match fraction {
        Some(f) if !f.is_empty() && f.len() <= 9 && f.bytes().all(|b| b.is_ascii_digit()) => {
            let padded = format!("{f:0<3}");
            padded[..3].parse::<i64>().ok()?
        }
        Some(_) => return None,
        None => 0,
    };
    ms += ((hour * 60 + minute) * 60 + second) * 1000 + millis;
    Some(ms - offset_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_parses_variants() {
        let ms = parse_iso("2026-01-02T03:04:05.678Z").unwrap();
        assert_eq!(format_iso(ms), "2026-01-02T03:04:05.678Z");
        assert_eq!(parse_iso("1970-01-01"), Some(0));
        assert_eq!(parse_iso("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(parse_iso("1970-01-01T00:00-0030"), Some(1_800_000));
        assert_eq!(parse_iso("2024-02-29T00:00:00"), parse_iso("2024-02-29"));
        assert_eq!(parse_iso("2023-02-29"), None);
        assert_eq!(parse_iso("2023-13-01"), None);
        assert_eq!(parse_iso("yesterday"), None);
        // Exactly the spec's pattern: `T` and `Z` upper-case, two-digit fields, no spaces.
        assert_eq!(parse_iso("1970-01-01t00:00:00z"), None);
        assert_eq!(parse_iso(" 1970-01-01"), None);
        assert_eq!(parse_iso("1970-01-01T0:00"), None);
        assert_eq!(parse_iso("1970-01-01T00:00.5"), None);
        assert_eq!(parse_iso("1970-01-01T00:00+0:030"), None);
        assert_eq!(parse_iso("1970-01-01T00:00:00.5Z"), Some(500));
        assert_eq!(format_day(day_of(ms)), "2026-01-02");
        assert_eq!(format_iso(-1), "1969-12-31T23:59:59.999Z");
    }
}
