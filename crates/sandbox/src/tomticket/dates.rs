//! TomTicket dates: answered as `YYYY-MM-DD HH:MM:SS` in Brasília time (UTC-03:00, no DST),
//! filters as `YYYY-MM-DD HH:MM:SS-0300` (offset optional, `T` accepted, date alone allowed).
//! The calendar maths is [`crate::time`]'s.

pub(crate) use crate::time::now_unix;
use crate::time::{SECS_PER_DAY, civil_from_days, clock_of, days_from_civil};

/// The provider's offset from UTC, in seconds (Brasília, UTC-03:00).
const OFFSET_SECS: i64 = -3 * 3600;

/// `YYYY-MM-DD HH:MM:SS` in the provider's time zone.
pub(crate) fn format(unix: i64) -> String {
    let local = unix + OFFSET_SECS;
    let (year, month, day) = civil_from_days(local.div_euclid(SECS_PER_DAY));
    let (hour, minute, second) = clock_of(local.rem_euclid(SECS_PER_DAY));
    format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}")
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
    Some(days_from_civil(year, month, day) * SECS_PER_DAY + seconds - offset)
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
