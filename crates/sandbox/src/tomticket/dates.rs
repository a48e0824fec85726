//! TomTicket dates: answered as `YYYY-MM-DD HH:MM:SS` in Brasília time (UTC-03:00, no DST),
//! filters as `YYYY-MM-DD HH:MM:SS-0300` (offset optional, `T` accepted, date alone allowed).

use std::time::{SystemTime, UNIX_EPOCH};

/// The provider's offset from UTC, in seconds (Brasília, UTC-03:00).
const OFFSET_SECS: i64 = -3 * 3600;

/// Seconds since the Unix epoch, now.
pub(crate) fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The (year, month, day) of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if month <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        month,
        day,
    )
}

/// `YYYY-MM-DD HH:MM:SS` in the provider's time zone.
pub(crate) fn format(unix: i64) -> String {
    let local = unix + OFFSET_SECS;
    let (year, month, day) = civil_from_days(local.div_euclid(86_400));
    let secs = local.rem_euclid(86_400);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

fn number(text: &str, digits: usize) -> Option<i64> {
    (text.len() == digits && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

/// Parses a date filter. `end_of_day` picks 23:59:59 when only a date is given (for `_le`
/// filters). Without an offset the time is Brasília time.
pub(crate) fn parse(text: &str, end_of_day: bool) -> Option<i64> {
    let text = text.trim();
    let (date, rest) = match text.split_once([' ', 'T']) {
        Some((date, rest)) => (date, Some(rest.trim())),
        None => (text.get(..10)?, text.get(10..).filter(|r| !r.is_empty())),
    };
    let mut parts = date.split('-');
    let year = number(parts.next()?, 4)?;
    let month = number(parts.next()?, 2)?;
    let day = number(parts.next()?, 2)?;
    if parts.next().is_some() || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let (mut seconds, mut offset) = (if end_of_day { 86_399 } else { 0 }, OFFSET_SECS);
    if let Some(rest) = rest {
        let split = rest.find(['+', '-', 'Z']).unwrap_or(rest.len());
        let (time, zone) = rest.split_at(split);
        let mut hms = time.split(':');
        let hour = number(hms.next()?, 2)?;
        let minute = number(hms.next()?, 2)?;
        let second = hms.next().map_or(Some(0), |s| number(s, 2))?;
        if hms.next().is_some() || hour > 23 || minute > 59 || second > 60 {
            return None;
        }
        seconds = hour * 3600 + minute * 60 + second;
        offset = parse_offset(zone)?;
    }
    Some(days_from_civil(year, month, day) * 86_400 + seconds - offset)
}

/// `""` (Brasília), `Z`, `-0300`, `-03:00`, `-03`.
fn parse_offset(zone: &str) -> Option<i64> {
    match zone {
        "" => Some(OFFSET_SECS),
        "Z" => Some(0),
        _ => {
            let sign = match zone.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let digits: String = zone[1..].chars().filter(|c| *c != ':').collect();
            let hours = number(digits.get(..2)?, 2)?;
            let minutes = match digits.len() {
                2 => 0,
                4 => number(&digits[2..], 2)?,
                _ => return None,
            };
            Some(sign * (hours * 3600 + minutes * 60))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses_brasilia_time() {
        // 2024-03-01 12:00:00 UTC is 09:00:00 in Brasília.
        let unix = 1_709_294_400;
        assert_eq!(format(unix), "2024-03-01 09:00:00");
        assert_eq!(parse("2024-03-01 09:00:00", false), Some(unix));
        assert_eq!(parse("2024-03-01 09:00:00-0300", false), Some(unix));
        assert_eq!(parse("2024-03-01T12:00:00Z", false), Some(unix));
        assert_eq!(parse("2024-03-01 12:00:00+00:00", false), Some(unix));
        assert_eq!(parse("2024-03-01", false), Some(unix - 9 * 3600));
        assert_eq!(parse("2024-03-01", true), Some(unix - 9 * 3600 + 86_399));
        assert_eq!(parse("2024-13-01", false), None);
        assert_eq!(parse("yesterday", false), None);
        assert_eq!(format(0), "1969-12-31 21:00:00");
    }
}
