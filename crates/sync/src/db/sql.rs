//! The statements both engines run, written once: only placeholders and
//! casts differ (SQLite `?N`; PostgreSQL `$N` with casts from text).

use crate::resource::{Kind, Resource};

/// Which dialect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// The `n`-th (1-based) parameter, of SQL type `kind`.
    pub(crate) fn param(self, n: usize, kind: Kind) -> String {
        match (self, kind) {
            (Dialect::Sqlite, _) => format!("?{n}"),
            (Dialect::Postgres, Kind::Text) => format!("${n}::text"),
            (Dialect::Postgres, Kind::Int) => format!("${n}::bigint"),
            (Dialect::Postgres, Kind::Bool) => format!("${n}::boolean"),
            (Dialect::Postgres, Kind::Time) => format!("${n}::text::timestamptz"),
            (Dialect::Postgres, Kind::Json) => format!("${n}::text::jsonb"),
        }
    }

    /// A stored time column read back as the mirror's text form.
    pub(crate) fn time_out(self, column: &str) -> String {
        match self {
            Dialect::Sqlite => column.to_owned(),
            Dialect::Postgres => {
                format!("to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')")
            }
        }
    }

    /// A JSON column read back as text.
    pub(crate) fn json_out(self, column: &str) -> String {
        match self {
            Dialect::Sqlite => column.to_owned(),
            Dialect::Postgres => format!("{column}::text"),
        }
    }
}

/// The upsert of one row of `resource`. Parameters: provider, account, id,
/// the normalized columns, raw, synced_at, listed_in.
///
/// A row is replaced unless the stored one is newer (both `updated_at`
/// known and the stored one later): a webhook's fresher record is never
/// overwritten by an older listing. `listed_in` is stamped either way (the
/// record was in that listing) and `deleted_at` cleared (it exists).
pub(crate) fn upsert(d: Dialect, resource: Resource) -> String {
    let table = resource.as_str();
    let columns = resource.columns();
    let mut names = vec!["provider", "account", "id"];
    names.extend(columns.iter().map(|(name, _)| *name));
    names.extend(["raw", "synced_at", "listed_in"]);
    let mut params = vec![
        d.param(1, Kind::Text),
        d.param(2, Kind::Text),
        d.param(3, Kind::Text),
    ];
    for (i, (_, kind)) in columns.iter().enumerate() {
        params.push(d.param(4 + i, *kind));
    }
    let n = 4 + columns.len();
    params.push(d.param(n, Kind::Json));
    params.push(d.param(n + 1, Kind::Time));
    params.push(d.param(n + 2, Kind::Text));
    let newer = format!(
        "({table}.updated_at IS NULL OR excluded.updated_at IS NULL \
         OR excluded.updated_at >= {table}.updated_at)"
    );
    let mut sets: Vec<String> = columns
        .iter()
        .map(|(c, _)| c.to_string())
        .chain(["raw".to_owned(), "synced_at".to_owned()])
        .map(|c| format!("{c} = CASE WHEN {newer} THEN excluded.{c} ELSE {table}.{c} END"))
        .collect();
    sets.push(format!(
        "listed_in = COALESCE(excluded.listed_in, {table}.listed_in)"
    ));
    sets.push("deleted_at = NULL".to_owned());
    format!(
        "INSERT INTO {table} ({}) VALUES ({}) ON CONFLICT (provider, account, id) DO UPDATE SET {}",
        names.join(", "),
        params.join(", "),
        sets.join(", ")
    )
}

/// The plain insert of one row (the benches' baseline): same columns, no conflict handling.
pub(crate) fn insert(d: Dialect, resource: Resource) -> String {
    let sql = upsert(d, resource);
    sql[..sql.find(" ON CONFLICT").expect("an upsert")].to_owned()
}

/// Records an event once: a key already stored is skipped.
pub(crate) fn insert_event(d: Dialect) -> String {
    use Kind::*;
    let kinds = [Text, Text, Text, Text, Text, Text, Time, Text, Json, Time];
    let params: Vec<String> = kinds
        .iter()
        .enumerate()
        .map(|(i, k)| d.param(i + 1, *k))
        .collect();
    format!(
        "INSERT INTO events (account, key, provider, kind, resource, resource_id, occurred_at, \
         source, raw, recorded_at) VALUES ({}) ON CONFLICT (account, key) DO NOTHING",
        params.join(", ")
    )
}

/// Records a deletion event once per record: a record is deleted once, so a
/// second report of it (TomTicket's delete webhooks carry no time, so each
/// copy has its own key) is the same change. Same parameters as [`insert_event`].
pub(crate) fn insert_deletion_event(d: Dialect) -> String {
    use Kind::*;
    let kinds = [Text, Text, Text, Text, Text, Text, Time, Text, Json, Time];
    let params: Vec<String> = kinds
        .iter()
        .enumerate()
        .map(|(i, k)| d.param(i + 1, *k))
        .collect();
    format!(
        "INSERT INTO events (account, key, provider, kind, resource, resource_id, occurred_at, \
         source, raw, recorded_at) SELECT {} WHERE NOT EXISTS (SELECT 1 FROM events \
         WHERE account = {} AND provider = {} AND kind = {} AND resource = {} AND resource_id = {}) \
         ON CONFLICT (account, key) DO NOTHING",
        params.join(", "),
        params[0],
        params[2],
        params[3],
        params[4],
        params[5],
    )
}

/// Marks one record deleted (parameters: at, provider, account, id).
pub(crate) fn delete(d: Dialect, resource: Resource) -> String {
    format!(
        "UPDATE {} SET deleted_at = {}, synced_at = {} \
         WHERE provider = {} AND account = {} AND id = {} AND deleted_at IS NULL",
        resource.as_str(),
        d.param(1, Kind::Time),
        d.param(1, Kind::Time),
        d.param(2, Kind::Text),
        d.param(3, Kind::Text),
        d.param(4, Kind::Text),
    )
}

/// Marks the children of one deleted parent deleted (parameters: at,
/// provider, account, parent id).
pub(crate) fn delete_children(d: Dialect, child: Resource) -> String {
    format!(
        "UPDATE {} SET deleted_at = {}, synced_at = {} \
         WHERE provider = {} AND account = {} AND {} = {} AND deleted_at IS NULL",
        child.as_str(),
        d.param(1, Kind::Time),
        d.param(1, Kind::Time),
        d.param(2, Kind::Text),
        d.param(3, Kind::Text),
        child.parent_column().expect("a child resource"),
        d.param(4, Kind::Text),
    )
}

/// After a complete listing: marks deleted every live row it did not see
/// (parameters: at, provider, account, listing id; children also the parent id).
pub(crate) fn reconcile(d: Dialect, resource: Resource, per_parent: bool) -> String {
    let mut sql = format!(
        "UPDATE {} SET deleted_at = {}, synced_at = {} \
         WHERE provider = {} AND account = {} AND deleted_at IS NULL \
         AND (listed_in IS NULL OR listed_in <> {})",
        resource.as_str(),
        d.param(1, Kind::Time),
        d.param(1, Kind::Time),
        d.param(2, Kind::Text),
        d.param(3, Kind::Text),
        d.param(4, Kind::Text),
    );
    if per_parent {
        sql.push_str(&format!(
            " AND {} = {}",
            resource.parent_column().expect("a child resource"),
            d.param(5, Kind::Text)
        ));
    }
    sql
}

/// The live rows a listing did not see (parameters: provider, account, listing id).
pub(crate) fn unlisted(d: Dialect, resource: Resource) -> String {
    format!(
        "SELECT id FROM {} WHERE provider = {} AND account = {} AND deleted_at IS NULL \
         AND (listed_in IS NULL OR listed_in <> {}) ORDER BY id",
        resource.as_str(),
        d.param(1, Kind::Text),
        d.param(2, Kind::Text),
        d.param(3, Kind::Text),
    )
}

/// Saves a cursor (parameters: provider, account, resource, parent id, cursor, now).
pub(crate) fn save_state(d: Dialect) -> String {
    format!(
        "INSERT INTO sync_state (provider, account, resource, parent_id, cursor, updated_at) \
         VALUES ({}, {}, {}, {}, {}, {}) ON CONFLICT (provider, account, resource, parent_id) \
         DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at",
        d.param(1, Kind::Text),
        d.param(2, Kind::Text),
        d.param(3, Kind::Text),
        d.param(4, Kind::Text),
        d.param(5, Kind::Json),
        d.param(6, Kind::Time),
    )
}

/// Reads a cursor (parameters: provider, account, resource, parent id).
pub(crate) fn load_state(d: Dialect) -> String {
    format!(
        "SELECT {} FROM sync_state WHERE provider = {} AND account = {} AND resource = {} \
         AND parent_id = {}",
        d.json_out("cursor"),
        d.param(1, Kind::Text),
        d.param(2, Kind::Text),
        d.param(3, Kind::Text),
        d.param(4, Kind::Text),
    )
}

/// Every live parent of `child` with its `updated_at` and the child
/// stream's cursor for it (parameters: provider, account).
pub(crate) fn parents(d: Dialect, child: Resource) -> String {
    let parent = child.parent().expect("a child resource").as_str();
    format!(
        "SELECT p.id, {}, {} FROM {parent} p LEFT JOIN sync_state s \
         ON s.provider = p.provider AND s.account = p.account AND s.resource = '{}' \
         AND s.parent_id = p.id \
         WHERE p.provider = {} AND p.account = {} AND p.deleted_at IS NULL ORDER BY p.id",
        d.time_out("p.updated_at"),
        d.json_out("s.cursor"),
        child.as_str(),
        d.param(1, Kind::Text),
        d.param(2, Kind::Text),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upserts_keep_the_newer_row_and_stamp_the_listing() {
        let sql = upsert(Dialect::Postgres, Resource::Agents);
        assert!(sql.starts_with(
            "INSERT INTO agents (provider, account, id, name, email, updated_at, raw, synced_at, listed_in) \
             VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, $6::text::timestamptz, $7::text::jsonb, $8::text::timestamptz, $9::text)"
        ), "{sql}");
        assert!(sql.contains("listed_in = COALESCE(excluded.listed_in, agents.listed_in)"));
        assert!(sql.contains("deleted_at = NULL"));
        let plain = insert(Dialect::Sqlite, Resource::Agents);
        assert!(plain.ends_with("?9)"), "{plain}");
    }
}
