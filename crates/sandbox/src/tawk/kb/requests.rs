//! What every knowledge-base handler shares: finding the property's knowledge base,
//! cursor-token pages, and the checks of keys and slugs.

use super::*;

pub(super) fn kb_mut<'d>(
    data: &'d mut Data,
    body: &Obj<'_>,
) -> Result<&'d mut KnowledgeBase, TawkError> {
    let property_id = data.access(body)?;
    data.prop_mut(&property_id).kb.as_mut().ok_or_else(|| {
        TawkError::not_found("Knowledge base not found: call knowledge-base.create first")
    })
}

/// The `limit` / `next` / `previous` of a cursor-paged list, read (and judged) before
/// anything is looked up.
pub(super) struct TokenPage {
    kind: &'static str,
    limit: usize,
    cursor: Option<i64>,
}

impl TokenPage {
    /// Tokens are opaque (base64 of the list kind and a position): one this list did not
    /// issue is a `validation_error`.
    pub(super) fn parse(body: &Obj<'_>, kind: &'static str) -> Result<Self, TawkError> {
        let limit = body.opt_int("limit", 1, i64::MAX)?.unwrap_or(DEFAULT_LIMIT) as usize;
        let decode = |field: &str| -> Result<Option<i64>, TawkError> {
            let Some(token) = body.opt_str_or_null(field)?.filter(|t| !t.is_empty()) else {
                return Ok(None);
            };
            URL_SAFE_NO_PAD
                .decode(token)
                .ok()
                .and_then(|raw| String::from_utf8(raw).ok())
                .and_then(|raw| {
                    raw.strip_prefix(kind)
                        .and_then(|rest| rest.strip_prefix(':'))
                        .and_then(|cursor| cursor.parse::<i64>().ok())
                })
                .map(Some)
                .ok_or_else(|| body.invalid(field, "is not a valid page token"))
        };
        let (next, previous) = (decode("next")?, decode("previous")?);
        if next.is_some() && previous.is_some() {
            return Err(body.invalid("previous", "cannot be combined with \"next\""));
        }
        Ok(Self {
            kind,
            limit,
            cursor: next.or(previous),
        })
    }
}

/// One page of `items` cut by `page`, answered as
/// `{total, hasNext, hasPrevious, next, previous, <key>: [...]}`.
pub(super) fn token_page(page: &TokenPage, key: &str, items: Vec<Value>) -> Reply {
    let kind = page.kind;
    let total = items.len();
    let indexed: Vec<(i64, Value)> = items
        .into_iter()
        .enumerate()
        .map(|(i, item)| (i as i64 + 1, item))
        .collect();
    let page = paginate(
        &indexed,
        |(i, _)| *i,
        PageRequest {
            limit: page.limit,
            cursor: page.cursor,
        },
    );
    let token = |cursor: i64| URL_SAFE_NO_PAD.encode(format!("{kind}:{cursor}"));
    let mut data = Map::new();
    data.insert("total".to_owned(), json!(total));
    data.insert("hasNext".to_owned(), json!(page.next.is_some()));
    data.insert("hasPrevious".to_owned(), json!(page.previous.is_some()));
    data.insert("next".to_owned(), json!(page.next.map(token)));
    data.insert("previous".to_owned(), json!(page.previous.map(token)));
    data.insert(
        key.to_owned(),
        Value::Array(page.items.into_iter().map(|(_, item)| item).collect()),
    );
    Reply::Data(Value::Object(data))
}

/// Rejects every key of `obj` outside `allowed` (`"<path>.<key>" is not allowed`).
pub(super) fn only_keys(obj: &Obj<'_>, allowed: &[&str]) -> Result<(), TawkError> {
    match obj.map().keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(key) => Err(obj.invalid(key, "is not allowed")),
        None => Ok(()),
    }
}

pub(super) fn slug_of(obj: &Obj<'_>) -> Result<Option<String>, TawkError> {
    match obj.opt_str("slug")? {
        Some(slug) if !is_slug(slug) => Err(obj.invalid("slug", SLUG_RULE)),
        slug => Ok(slug.map(str::to_owned)),
    }
}
