//! The knowledge base: sites (one per language, `primary` first), categories and
//! articles, with cursor-token pagination (`limit`, `next` / `previous`).
//!
//! Writes follow the [SECONDARY] "verified live" notes the spec quotes: an article's
//! category refs are exactly `{id, primary}` (any other key is a `validation_error`),
//! `content.metadata` is refused on create, updates replace the whole translation
//! (`siteId`, `title`, `status`, `subtitle`, `author` required), body blocks are
//! `{type, content}`, and deletes are soft.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};

use super::Reply;
use super::args::Obj;
use super::error::TawkError;
use super::ids::IdGen;
use super::state::Data;
use super::time::{format_iso, now_ms};
use crate::pagination::{PageRequest, paginate};

/// The id of the site `knowledge-base.create` makes.
pub(crate) const PRIMARY_SITE: &str = "primary";
const ARTICLE_STATUSES: &[&str] = &["draft", "published", "archived"];
const VISIBILITIES: &[&str] = &["public", "private"];
const BLOCK_TYPES: &[&str] = &[
    "header",
    "paragraph",
    "image",
    "code",
    "video",
    "divider",
    "table",
];
const SORT_FIELDS: &[&str] = &["title", "createdAt", "updatedAt"];
/// Page size of the knowledge-base lists when `limit` is absent (the reference's example;
/// no maximum is documented, so none is enforced).
const DEFAULT_LIMIT: i64 = 50;
const SLUG_RULE: &str = "must contain only lower-case letters, digits and hyphens";

/// A language version of the knowledge base.
#[derive(Debug, Clone)]
pub(crate) struct Site {
    pub(crate) id: String,
    pub(crate) language: String,
    pub(crate) title: String,
    pub(crate) description: Option<String>,
    pub(crate) primary: bool,
    pub(crate) enabled: bool,
    pub(crate) banner: Value,
    pub(crate) ticket_form: Value,
    pub(crate) links: Value,
    pub(crate) header: Value,
    pub(crate) widget_id: Option<String>,
}

impl Site {
    fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "banner": self.banner,
            "ticketForm": self.ticket_form,
            "links": self.links,
            "language": self.language,
            "primary": self.primary,
            "title": self.title,
            "description": self.description,
            "header": self.header,
            "enabled": self.enabled,
            "widgetId": self.widget_id,
        })
    }
}

/// A category of one site; `deleted` marks a soft delete.
#[derive(Debug, Clone)]
pub(crate) struct Category {
    pub(crate) seq: i64,
    pub(crate) id: String,
    pub(crate) site_id: String,
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) slug: String,
    pub(crate) parent: Option<String>,
    pub(crate) position: i64,
    pub(crate) icon: Value,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
    pub(crate) deleted: bool,
}

/// An article (one translation, on one site); `deleted` marks a soft delete.
#[derive(Debug, Clone)]
pub(crate) struct Article {
    pub(crate) seq: i64,
    pub(crate) id: String,
    pub(crate) kb_id: String,
    pub(crate) translation_id: String,
    pub(crate) site_id: String,
    pub(crate) title: String,
    pub(crate) subtitle: Option<String>,
    pub(crate) author: Option<String>,
    pub(crate) slug: String,
    pub(crate) status: String,
    pub(crate) metadata: Map<String, Value>,
    pub(crate) contents: Vec<Value>,
    pub(crate) visibility: String,
    pub(crate) categories: Vec<Value>,
    pub(crate) related: Vec<Value>,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
    pub(crate) published_at: Option<i64>,
    pub(crate) deleted: bool,
}

fn feedback() -> Value {
    json!({ "upvotes": 0, "downvotes": 0, "total": 0 })
}

impl Article {
    fn sites(&self) -> Value {
        json!([{ "id": self.site_id, "author": self.author, "status": self.status }])
    }

    fn meta(&self) -> Value {
        json!({
            "visibility": self.visibility,
            "categories": self.categories,
            "relatedArticles": self.related,
            "sites": self.sites(),
            "feedback": feedback(),
            "createdAt": format_iso(self.created_at),
            "updatedAt": format_iso(self.updated_at),
            "publishedAt": self.published_at.map(format_iso),
            "deleted": self.deleted,
        })
    }

    /// The `knowledge-base.article.get` body.
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "meta": self.meta(),
            "content": {
                "translationId": self.translation_id,
                "siteId": self.site_id,
                "title": self.title,
                "status": self.status,
                "subtitle": self.subtitle,
                "author": self.author,
                "slug": self.slug,
                "metadata": self.metadata,
                "contents": self.contents,
                "createdAt": format_iso(self.created_at),
                "updatedAt": format_iso(self.updated_at),
            },
        })
    }

    /// The list/search item: no body blocks.
    fn list_item(&self) -> Value {
        json!({
            "id": self.id,
            "kbId": self.kb_id,
            "siteId": self.site_id,
            "title": self.title,
            "subtitle": self.subtitle,
            "slug": self.slug,
            "status": self.status,
            "author": self.author,
            "sites": self.sites(),
            "categories": self.categories,
            "feedback": feedback(),
            "visibility": self.visibility,
            "createdAt": format_iso(self.created_at),
            "updatedAt": format_iso(self.updated_at),
            "publishedAt": self.published_at.map(format_iso),
        })
    }

    fn has_category(&self, id: &str) -> bool {
        self.categories.iter().any(|c| c["id"] == id)
    }

    /// Whether `needle` (lower case) occurs in the title, subtitle or any text of the
    /// content blocks.
    fn matches(&self, needle: &str) -> bool {
        fn any_text(value: &Value, needle: &str) -> bool {
            match value {
                Value::String(s) => s.to_lowercase().contains(needle),
                Value::Array(items) => items.iter().any(|v| any_text(v, needle)),
                Value::Object(map) => map.values().any(|v| any_text(v, needle)),
                _ => false,
            }
        }
        self.title.to_lowercase().contains(needle)
            || self
                .subtitle
                .as_deref()
                .is_some_and(|s| s.to_lowercase().contains(needle))
            || self.contents.iter().any(|b| any_text(b, needle))
    }
}

/// The knowledge base of one property.
#[derive(Debug)]
pub(crate) struct KnowledgeBase {
    pub(crate) id: String,
    pub(crate) subdomain: String,
    pub(crate) title: String,
    pub(crate) description: Option<String>,
    pub(crate) widget_id: Option<String>,
    pub(crate) published: bool,
    pub(crate) sites: Vec<Site>,
    pub(crate) categories: Vec<Category>,
    pub(crate) articles: Vec<Article>,
    ids: IdGen,
    seq: i64,
}

impl Clone for KnowledgeBase {
    fn clone(&self) -> Self {
        Self {
            id: self.id.clone(),
            subdomain: self.subdomain.clone(),
            title: self.title.clone(),
            description: self.description.clone(),
            widget_id: self.widget_id.clone(),
            published: self.published,
            sites: self.sites.clone(),
            categories: self.categories.clone(),
            articles: self.articles.clone(),
            ids: self.ids.clone(),
            seq: self.seq,
        }
    }
}

fn slugify(text: &str) -> String {
    let mut slug = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-').to_owned();
    if slug.is_empty() {
        "untitled".to_owned()
    } else {
        slug
    }
}

fn is_slug(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl KnowledgeBase {
    pub(crate) fn new(
        subdomain: &str,
        title: &str,
        language: &str,
        description: Option<String>,
    ) -> Self {
        let mut ids = IdGen::new(&format!("kb/{subdomain}"));
        Self {
            id: ids.next_id(),
            subdomain: subdomain.to_owned(),
            title: title.to_owned(),
            description: description.clone(),
            widget_id: None,
            published: false,
            sites: vec![Site {
                id: PRIMARY_SITE.to_owned(),
                language: language.to_owned(),
                title: title.to_owned(),
                description,
                primary: true,
                enabled: true,
                banner: Value::Null,
                ticket_form: json!({ "enabled": false }),
                links: json!([]),
                header: json!({}),
                widget_id: None,
            }],
            categories: Vec::new(),
            articles: Vec::new(),
            ids,
            seq: 0,
        }
    }

    fn next_seq(&mut self) -> i64 {
        self.seq += 1;
        self.seq
    }

    fn site(&self, id: &str) -> Result<&Site, TawkError> {
        self.sites
            .iter()
            .find(|s| s.id == id)
            .ok_or_else(|| TawkError::not_found(format!("Site {id} not found")))
    }

    fn live_category(&self, id: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.id == id && !c.deleted)
    }

    fn category_index(&self, id: &str) -> Result<usize, TawkError> {
        self.categories
            .iter()
            .position(|c| c.id == id && !c.deleted)
            .ok_or_else(|| TawkError::not_found(format!("Category {id} not found")))
    }

    fn article_index(&self, id: &str) -> Result<usize, TawkError> {
        self.articles
            .iter()
            .position(|a| a.id == id && !a.deleted)
            .ok_or_else(|| TawkError::not_found(format!("Article {id} not found")))
    }

    fn articles_count(&self, category_id: &str) -> usize {
        self.articles
            .iter()
            .filter(|a| !a.deleted && a.has_category(category_id))
            .count()
    }

    fn has_children(&self, category_id: &str) -> bool {
        self.categories
            .iter()
            .any(|c| !c.deleted && c.parent.as_deref() == Some(category_id))
    }

    fn category_json(&self, category: &Category) -> Value {
        json!({
            "id": category.id,
            "meta": {
                "sites": [category.site_id],
                "icon": category.icon,
                "parent": category.parent,
                "position": category.position,
                "articlesCount": self.articles_count(&category.id),
                "createdAt": format_iso(category.created_at),
                "updatedAt": format_iso(category.updated_at),
            },
            "content": {
                "siteId": category.site_id,
                "name": category.name,
                "description": category.description,
                "slug": category.slug,
                "createdAt": format_iso(category.created_at),
                "updatedAt": format_iso(category.updated_at),
            },
        })
    }

    fn category_item(&self, category: &Category) -> Value {
        json!({
            "id": category.id,
            "name": category.name,
            "slug": category.slug,
            "description": category.description,
            "parent": category.parent,
            "position": category.position,
            "icon": category.icon,
            "sites": [category.site_id],
            "articlesCount": self.articles_count(&category.id),
            "hasChildren": self.has_children(&category.id),
            "createdAt": format_iso(category.created_at),
            "updatedAt": format_iso(category.updated_at),
        })
    }

    /// Adds a top-level category to the primary site (demo data); returns its id.
    pub(crate) fn seed_category(&mut self, name: &str) -> String {
        let id = self.ids.next_id();
        let seq = self.next_seq();
        let now = now_ms();
        self.categories.push(Category {
            seq,
            id: id.clone(),
            site_id: PRIMARY_SITE.to_owned(),
            name: name.to_owned(),
            description: None,
            slug: slugify(name),
            parent: None,
            position: self.categories.len() as i64,
            icon: Value::Null,
            created_at: now,
            updated_at: now,
            deleted: false,
        });
        id
    }

    fn new_article(&mut self, site_id: &str) -> Article {
        let now = now_ms();
        Article {
            seq: 0,
            id: self.ids.next_id(),
            kb_id: self.id.clone(),
            translation_id: self.ids.next_id(),
            site_id: site_id.to_owned(),
            title: String::new(),
            subtitle: None,
            author: None,
            slug: String::new(),
            status: "draft".to_owned(),
            metadata: Map::new(),
            contents: Vec::new(),
            visibility: "public".to_owned(),
            categories: Vec::new(),
            related: Vec::new(),
            created_at: now,
            updated_at: now,
            published_at: None,
            deleted: false,
        }
    }

    /// Adds a published article in a category of the primary site (demo data).
    pub(crate) fn seed_article(&mut self, title: &str, category_id: &str) -> String {
        let mut article = self.new_article(PRIMARY_SITE);
        article.seq = self.next_seq();
        article.title = title.to_owned();
        article.slug = slugify(title);
        article.status = "published".to_owned();
        article.published_at = Some(article.created_at);
        article.contents =
            vec![json!({ "type": "paragraph", "content": { "text": format!("<p>{title}.</p>") } })];
        article.categories = vec![json!({ "id": category_id, "primary": true })];
        let id = article.id.clone();
        self.articles.push(article);
        id
    }
}

// ---- helpers shared by the handlers -------------------------------------------------

fn kb_mut<'d>(data: &'d mut Data, body: &Obj<'_>) -> Result<&'d mut KnowledgeBase, TawkError> {
    let property_id = data.access(body)?;
    data.prop_mut(&property_id).kb.as_mut().ok_or_else(|| {
        TawkError::not_found("Knowledge base not found: call knowledge-base.create first")
    })
}

/// The `limit` / `next` / `previous` of a cursor-paged list, read (and judged) before
/// anything is looked up.
struct TokenPage {
    kind: &'static str,
    limit: usize,
    cursor: Option<i64>,
}

impl TokenPage {
    /// Tokens are opaque (base64 of the list kind and a position): one this list did not
    /// issue is a `validation_error`.
    fn parse(body: &Obj<'_>, kind: &'static str) -> Result<Self, TawkError> {
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
fn token_page(page: &TokenPage, key: &str, items: Vec<Value>) -> Reply {
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
fn only_keys(obj: &Obj<'_>, allowed: &[&str]) -> Result<(), TawkError> {
    match obj.map().keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(key) => Err(obj.invalid(key, "is not allowed")),
        None => Ok(()),
    }
}

fn slug_of(obj: &Obj<'_>) -> Result<Option<String>, TawkError> {
    match obj.opt_str("slug")? {
        Some(slug) if !is_slug(slug) => Err(obj.invalid("slug", SLUG_RULE)),
        slug => Ok(slug.map(str::to_owned)),
    }
}

// ---- knowledge-base.create ------------------------------------------------------------

pub(crate) fn create(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    let property_id = data.access(body)?;
    let language = body.str("language")?;
    let title = body.str("title")?;
    let subdomain = body.str("subdomain")?;
    if !is_slug(subdomain) {
        return Err(body.invalid("subdomain", SLUG_RULE));
    }
    let description = body.opt_str("description")?.map(str::to_owned);
    let widget_id = body.opt_str("widgetId")?.map(str::to_owned);
    let published = body.opt_bool("published")?.unwrap_or(false);
    if data.prop(&property_id).kb.is_some() {
        return Err(TawkError::conflict(
            "This property already has a knowledge base",
        ));
    }
    if data
        .properties
        .iter()
        .any(|p| p.kb.as_ref().is_some_and(|kb| kb.subdomain == subdomain))
    {
        return Err(TawkError::conflict(format!(
            "The subdomain {subdomain} is taken"
        )));
    }
    let property = data.prop_mut(&property_id);
    if let Some(widget) = &widget_id
        && !property.widgets.iter().any(|w| &w.id == widget)
    {
        return Err(TawkError::not_found(format!("Widget {widget} not found")));
    }
    let mut kb = KnowledgeBase::new(subdomain, title, language, description);
    kb.widget_id = widget_id;
    kb.published = published;
    property.kb = Some(kb);
    Ok(Reply::Done)
}

// ---- sites ------------------------------------------------------------------------------

fn apply_site_fields(site: &mut Site, body: &Obj<'_>) -> Result<(), TawkError> {
    if let Some(title) = body.opt_str("title")? {
        if title.is_empty() {
            return Err(body.invalid("title", "is not allowed to be empty"));
        }
        site.title = title.to_owned();
    }
    if body.map().contains_key("description") {
        site.description = body.opt_str("description")?.map(str::to_owned);
    }
    if let Some(enabled) = body.opt_bool("enabled")? {
        site.enabled = enabled;
    }
    for (key, slot) in [
        ("banner", &mut site.banner),
        ("ticketForm", &mut site.ticket_form),
        ("header", &mut site.header),
    ] {
        if let Some(value) = body.value(key) {
            *slot = value.clone();
        }
    }
    if let Some(links) = body.opt_objects("links")? {
        for link in &links {
            link.str("url")?;
        }
        site.links = Value::Array(
            links
                .iter()
                .map(|l| Value::Object(l.map().clone()))
                .collect(),
        );
    }
    if body.map().contains_key("widgetId") {
        site.widget_id = body.opt_str("widgetId")?.map(str::to_owned);
    }
    Ok(())
}

/// A site to check a request's fields on before anything is looked up.
fn scratch_site() -> Site {
    Site {
        id: PRIMARY_SITE.to_owned(),
        language: String::new(),
        title: String::new(),
        description: None,
        primary: false,
        enabled: true,
        banner: Value::Null,
        ticket_form: Value::Null,
        links: json!([]),
        header: json!({}),
        widget_id: None,
    }
}

pub(crate) fn site_create(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    data.access(body)?;
    let language = body.str("language")?.to_owned();
    let title = body.str("title")?;
    apply_site_fields(&mut scratch_site(), body)?;
    let kb = kb_mut(data, body)?;
    if kb.sites.iter().any(|s| s.language == language) {
        return Err(TawkError::conflict(format!(
            "A site in language {language} already exists"
        )));
    }
    let mut site = Site {
        id: kb.ids.next_id(),
        language,
        title: title.to_owned(),
        description: None,
        primary: false,
        enabled: true,
        banner: Value::Null,
        ticket_form: json!({ "enabled": false }),
        links: json!([]),
        header: json!({}),
        widget_id: None,
    };
    apply_site_fields(&mut site, body)?;
    let out = site.to_json();
    kb.sites.push(site);
    Ok(Reply::Data(json!({ "site": out })))
}

pub(crate) fn site_update(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    data.access(body)?;
    let site_id = body.opt_str("siteId")?.unwrap_or(PRIMARY_SITE);
    let language = body.opt_str("language")?;
    // The fields are checked before anything is looked up: a malformed request is a
    // validation error whatever it names.
    apply_site_fields(&mut scratch_site(), body)?;
    let kb = kb_mut(data, body)?;
    kb.site(site_id)?;
    if let Some(language) = language
        && kb
            .sites
            .iter()
            .any(|s| s.language == language && s.id != site_id)
    {
        return Err(TawkError::conflict(format!(
            "A site in language {language} already exists"
        )));
    }
    let mut site = kb.site(site_id)?.clone();
    apply_site_fields(&mut site, body)?;
    if let Some(language) = language {
        site.language = language.to_owned();
    }
    let out = site.to_json();
    if let Some(slot) = kb.sites.iter_mut().find(|s| s.id == site_id) {
        *slot = site;
    }
    Ok(Reply::Data(json!({ "site": out })))
}

pub(crate) fn site_get(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    data.access(body)?;
    let site_id = body.opt_str("siteId")?.unwrap_or(PRIMARY_SITE);
    let kb = kb_mut(data, body)?;
    Ok(Reply::Data(json!({ "site": kb.site(site_id)?.to_json() })))
}

pub(crate) fn site_list(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    let kb = kb_mut(data, body)?;
    let sites: Vec<Value> = kb.sites.iter().map(Site::to_json).collect();
    Ok(Reply::Data(json!({ "sites": sites })))
}

pub(crate) fn site_delete(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    data.access(body)?;
    let site_id = body.str("siteId")?;
    let kb = kb_mut(data, body)?;
    if kb.site(site_id)?.primary {
        return Err(TawkError::conflict("The primary site cannot be deleted"));
    }
    kb.sites.retain(|s| s.id != site_id);
    kb.categories.retain(|c| c.site_id != site_id);
    kb.articles.retain(|a| a.site_id != site_id);
    Ok(Reply::Done)
}

// ---- categories -------------------------------------------------------------------------

/// Applies `category.content` (required: `siteId`, `name`) and `category.meta` to
/// `category`, validated against the knowledge base (`None`: a check of the request's
/// shape only, made before anything is looked up).
fn apply_category(
    kb: Option<&KnowledgeBase>,
    category: &mut Category,
    input: &Obj<'_>,
    creating: bool,
) -> Result<(), TawkError> {
    let content = input.obj("content")?;
    let site_id = content.str("siteId")?;
    if creating || kb.is_none() {
        category.site_id = site_id.to_owned();
    } else if site_id != category.site_id {
        return Err(content.invalid("siteId", "must be the category's site"));
    }
    category.name = content.str("name")?.to_owned();
    if content.map().contains_key("description") {
        category.description = content.opt_str("description")?.map(str::to_owned);
    }
    match slug_of(&content)? {
        Some(slug) => category.slug = slug,
        None if creating => category.slug = slugify(&category.name),
        None => {}
    }
    let meta = input.opt_obj("meta")?;
    if let Some(meta) = &meta {
        if let Some(icon) = meta.opt_obj_or_null("icon")? {
            icon.opt_enum("type", &["predefined"])?;
            icon.opt_str("content")?;
        }
        meta.opt_str_or_null("parent")?;
        meta.opt_int("position", 0, i64::MAX)?;
    }
    let Some(kb) = kb else {
        return Ok(());
    };
    if creating {
        // Looked up after the request's shape is checked.
        kb.site(site_id)?;
    }
    if let Some(meta) = meta {
        if let Some(icon) = meta.opt_obj_or_null("icon")? {
            icon.opt_enum("type", &["predefined"])?;
            icon.opt_str("content")?;
            category.icon = Value::Object(icon.map().clone());
        } else if meta.map().contains_key("icon") {
            category.icon = Value::Null;
        }
        if meta.map().contains_key("parent") {
            let parent = meta.opt_str_or_null("parent")?;
            let mut cursor = parent.map(str::to_owned);
            while let Some(id) = cursor {
                if id == category.id {
                    return Err(meta.invalid(
                        "parent",
                        "cannot be the category itself or one of its descendants",
                    ));
                }
                let Some(found) = kb
                    .live_category(&id)
                    .filter(|c| c.site_id == category.site_id)
                else {
                    return Err(
                        meta.invalid("parent", "must be the id of a category of the same site")
                    );
                };
                cursor = found.parent.clone();
            }
            category.parent = parent.map(str::to_owned);
        }
        if let Some(position) = meta.opt_int("position", 0, i64::MAX)? {
            category.position = position;
        }
    }
    if kb.categories.iter().any(|c| {
        !c.deleted
            && c.id != category.id
            && c.site_id == category.site_id
            && c.slug == category.slug
    }) {
        return Err(TawkError::conflict(format!(
            "A category with slug {} already exists",
            category.slug
        )));
    }
    Ok(())
}

/// A category with no content yet, `id` given.
fn blank_category(id: String) -> Category {
    let now = now_ms();
    Category {
        seq: 0,
        id,
        site_id: String::new(),
        name: String::new(),
        description: None,
        slug: String::new(),
        parent: None,
        position: 0,
        icon: Value::Null,
        created_at: now,
        updated_at: now,
        deleted: false,
    }
}

/// Checks the shape of a category input before anything is looked up.
fn check_category(input: &Obj<'_>, creating: bool) -> Result<(), TawkError> {
    apply_category(None, &mut blank_category(String::new()), input, creating)
}

pub(crate) fn category_create(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    data.access(body)?;
    let input = body.obj("category")?;
    check_category(&input, true)?;
    let kb = kb_mut(data, body)?;
    let mut category = blank_category(kb.ids.next_id());
    apply_category(Some(kb), &mut category, &input, true)?;
    if !input.opt_obj("meta")?.is_some_and(|m| m.has("position")) {
        category.position = kb
            .categories
            .iter()
            .filter(|c| !c.deleted && c.site_id == category.site_id && c.parent == category.parent)
            .count() as i64;
    }
    category.seq = kb.next_seq();
    let out = kb.category_json(&category);
    kb.categories.push(category);
    Ok(Reply::Data(json!({ "category": out })))
}

pub(crate) fn category_update(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    data.access(body)?;
    let category_id = body.str("categoryId")?;
    let input = body.obj("category")?;
    check_category(&input, false)?;
    let kb = kb_mut(data, body)?;
    let index = kb.category_index(category_id)?;
    let mut category = kb.categories[index].clone();
    apply_category(Some(kb), &mut category, &input, false)?;
    category.updated_at = now_ms();
    let out = kb.category_json(&category);
    kb.categories[index] = category;
    Ok(Reply::Data(json!({ "category": out })))
}

pub(crate) fn category_get(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    data.access(body)?;
    let category_id = body.str("categoryId")?;
    let site_id = body.opt_str("siteId")?;
    let kb = kb_mut(data, body)?;
    let index = kb.category_index(category_id)?;
    let category = &kb.categories[index];
    if site_id.is_some_and(|s| s != category.site_id) {
        return Err(TawkError::not_found(format!(
            "Category {category_id} not found in site {}",
            site_id.unwrap_or_default()
        )));
    }
    Ok(Reply::Data(
        json!({ "category": kb.category_json(category) }),
    ))
}

pub(crate) fn category_list(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    data.access(body)?;
    let page = TokenPage::parse(body, "categories")?;
    let site_id = body.opt_str("siteId")?;
    let parent = body.opt_str("parent")?;
    let kb = kb_mut(data, body)?;
    if let Some(site_id) = site_id {
        kb.site(site_id)?;
    }
    let mut categories: Vec<&Category> = kb
        .categories
        .iter()
        .filter(|c| !c.deleted)
        .filter(|c| site_id.is_none_or(|s| c.site_id == s))
        .filter(|c| parent.is_none_or(|p| c.parent.as_deref() == Some(p)))
        .collect();
    categories.sort_by_key(|c| (c.position, c.seq));
    let items = categories.iter().map(|c| kb.category_item(c)).collect();
    Ok(token_page(&page, "categories", items))
}

pub(crate) fn category_delete(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    data.access(body)?;
    let category_id = body.str("categoryId")?;
    let kb = kb_mut(data, body)?;
    let index = kb.category_index(category_id)?;
    if kb.has_children(category_id) {
        return Err(TawkError::conflict("The category has subcategories"));
    }
    let category = &mut kb.categories[index];
    category.deleted = true;
    category.updated_at = now_ms();
    Ok(Reply::Done)
}

// ---- articles ---------------------------------------------------------------------------

/// Applies `article.content` and `article.meta` to `article`. On create, `content`
/// needs `siteId` and `title` and must not carry `metadata`; on update it replaces the
/// translation and needs `siteId`, `title`, `status`, `subtitle` and `author`. With no
/// `kb`, only the request's shape is checked (before anything is looked up).
fn apply_article(
    kb: Option<&KnowledgeBase>,
    article: &mut Article,
    input: &Obj<'_>,
    creating: bool,
) -> Result<(), TawkError> {
    let content = input.obj("content")?;
    let site_id = content.str("siteId")?;
    if creating || kb.is_none() {
        article.site_id = site_id.to_owned();
    } else if site_id != article.site_id {
        return Err(content.invalid("siteId", "must be the article's site"));
    }
    article.title = content.str("title")?.to_owned();
    if creating && content.has("metadata") {
        return Err(content.invalid("metadata", "is not allowed"));
    }
    if !creating {
        for key in ["status", "subtitle"] {
            if !content.has(key) {
                return Err(content.invalid(key, "is required"));
            }
        }
        if !content.map().contains_key("author") {
            return Err(content.invalid("author", "is required"));
        }
    }
    if let Some(status) = content.opt_enum("status", ARTICLE_STATUSES)? {
        article.status = status.to_owned();
    }
    if content.map().contains_key("subtitle") {
        article.subtitle = content.opt_str("subtitle")?.map(str::to_owned);
    }
    if content.map().contains_key("author") {
        article.author = content.opt_str_or_null("author")?.map(str::to_owned);
    }
    if let Some(metadata) = content.opt_obj("metadata")? {
        if let Some(banner) = metadata.opt_obj_or_null("banner")? {
            banner.opt_enum("type", &["url"])?;
            banner.opt_str("content")?;
        }
        metadata.opt_str("description")?;
        article.metadata = metadata.map().clone();
    }
    match slug_of(&content)? {
        Some(slug) => article.slug = slug,
        None if creating => article.slug = slugify(&article.title),
        None => {}
    }
    if let Some(blocks) = content.opt_objects("contents")? {
        for block in &blocks {
            only_keys(block, &["type", "content"])?;
            let Some(_) = block.opt_enum("type", BLOCK_TYPES)? else {
                return Err(block.invalid("type", "is required"));
            };
            block.opt_obj("content")?;
        }
        article.contents = blocks
            .iter()
            .map(|b| Value::Object(b.map().clone()))
            .collect();
    }
    let meta = input.opt_obj("meta")?;
    if let Some(meta) = &meta {
        meta.opt_enum("visibility", VISIBILITIES)?;
        for category in meta.opt_objects("categories")?.unwrap_or_default() {
            only_keys(&category, &["id", "primary"])?;
            category.str("id")?;
            if category.opt_bool("primary")?.is_none() {
                return Err(category.invalid("primary", "is required"));
            }
        }
        for item in meta.opt_objects("relatedArticles")?.unwrap_or_default() {
            item.str("id")?;
            if item.opt_str("title")?.is_none() {
                return Err(item.invalid("title", "is required"));
            }
        }
    }
    let Some(kb) = kb else {
        return Ok(());
    };
    if creating {
        // Looked up after the request's shape is checked.
        kb.site(site_id)?;
    }
    if let Some(meta) = meta {
        if let Some(visibility) = meta.opt_enum("visibility", VISIBILITIES)? {
            article.visibility = visibility.to_owned();
        }
        if let Some(categories) = meta.opt_objects("categories")? {
            let mut out = Vec::new();
            for category in &categories {
                let id = category.str("id")?;
                if kb
                    .live_category(id)
                    .is_none_or(|c| c.site_id != article.site_id)
                {
                    return Err(category
                        .invalid("id", "must be the id of a category of the article's site"));
                }
                let primary = category.opt_bool("primary")?.unwrap_or(false);
                out.push(json!({ "id": id, "primary": primary }));
            }
            let primaries = out.iter().filter(|c| c["primary"] == true).count();
            if !out.is_empty() && primaries != 1 {
                return Err(meta.invalid("categories", "must have exactly one primary category"));
            }
            article.categories = out;
        }
        if let Some(related) = meta.opt_objects("relatedArticles")? {
            let mut out = Vec::new();
            for item in &related {
                let id = item.str("id")?;
                let Some(found) = kb.articles.iter().find(|a| a.id == id && !a.deleted) else {
                    return Err(item.invalid("id", "must be the id of an article"));
                };
                out.push(json!({ "id": id, "title": found.title }));
            }
            article.related = out;
        }
    }
    if kb.articles.iter().any(|a| {
        a.id != article.id && !a.deleted && a.site_id == article.site_id && a.slug == article.slug
    }) {
        return Err(TawkError::conflict(format!(
            "An article with slug {} already exists",
            article.slug
        )));
    }
    if article.status == "published" && article.published_at.is_none() {
        article.published_at = Some(now_ms());
    }
    Ok(())
}

/// Checks the shape of an article input before anything is looked up.
fn check_article(input: &Obj<'_>, creating: bool) -> Result<(), TawkError> {
    let mut scratch = KnowledgeBase::new("scratch", "scratch", "en", None);
    let mut article = scratch.new_article(PRIMARY_SITE);
    apply_article(None, &mut article, input, creating)
}

pub(crate) fn article_create(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    data.access(body)?;
    let input = body.obj("article")?;
    check_article(&input, true)?;
    let kb = kb_mut(data, body)?;
    let mut article = kb.new_article(PRIMARY_SITE);
    apply_article(Some(kb), &mut article, &input, true)?;
    article.seq = kb.next_seq();
    let out = json!({ "article": { "id": article.id, "meta": article.meta() } });
    kb.articles.push(article);
    Ok(Reply::Data(out))
}

pub(crate) fn article_update(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    data.access(body)?;
    let article_id = body.str("articleId")?;
    let input = body.obj("article")?;
    check_article(&input, false)?;
    let kb = kb_mut(data, body)?;
    let index = kb.article_index(article_id)?;
    let mut article = kb.articles[index].clone();
    apply_article(Some(kb), &mut article, &input, false)?;
    article.updated_at = now_ms();
    let out = json!({ "article": { "id": article.id, "meta": article.meta() } });
    kb.articles[index] = article;
    Ok(Reply::Data(out))
}

pub(crate) fn article_get(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    data.access(body)?;
    let article_id = body.str("articleId")?;
    let site_id = body.str("siteId")?;
    let kb = kb_mut(data, body)?;
    kb.site(site_id)?;
    let index = kb.article_index(article_id)?;
    let article = &kb.articles[index];
    if article.site_id != site_id {
        return Err(TawkError::not_found(format!(
            "Article {article_id} not found in site {site_id}"
        )));
    }
    Ok(Reply::Data(json!({ "article": article.to_json() })))
}

/// The filters and sort of article list/search: `filters {site[], author[],
/// category[], status, visibility, createdAt {from, to}, updatedAt {from, to}}`,
/// `sort {field: title|createdAt|updatedAt, order: asc|desc}` (default: creation order),
/// plus the shorthands `siteId`, `categoryId` and `status` at the top level.
struct ArticleQuery {
    sites: Option<Vec<String>>,
    authors: Option<Vec<String>>,
    categories: Option<Vec<String>>,
    status: Option<String>,
    visibility: Option<String>,
    created: (Option<i64>, Option<i64>),
    updated: (Option<i64>, Option<i64>),
    field: String,
    descending: bool,
}

fn range(filters: &Obj<'_>, key: &str) -> Result<(Option<i64>, Option<i64>), TawkError> {
    match filters.opt_obj(key)? {
        Some(range) => Ok((range.opt_date("from")?, range.opt_date("to")?)),
        None => Ok((None, None)),
    }
}

impl ArticleQuery {
    /// The query of `body`; the `siteId` shorthand is looked up in `kb` (`None`: a check
    /// of the request's shape only).
    fn parse(kb: Option<&KnowledgeBase>, body: &Obj<'_>) -> Result<Self, TawkError> {
        let filters = body.opt_obj("filters")?;
        let strings = |key: &str| -> Result<Option<Vec<String>>, TawkError> {
            match &filters {
                Some(filters) => filters.opt_strings(key),
                None => Ok(None),
            }
        };
        let mut sites = strings("site")?;
        if let Some(site_id) = body.opt_str("siteId")? {
            if let Some(kb) = kb {
                kb.site(site_id)?;
            }
            sites.get_or_insert_with(Vec::new).push(site_id.to_owned());
        }
        let mut categories = strings("category")?;
        if let Some(category) = body.opt_str("categoryId")? {
            categories
                .get_or_insert_with(Vec::new)
                .push(category.to_owned());
        }
        let mut query = ArticleQuery {
            sites,
            authors: strings("author")?,
            categories,
            status: body
                .opt_enum("status", ARTICLE_STATUSES)?
                .map(str::to_owned),
            visibility: None,
            created: (None, None),
            updated: (None, None),
            field: "createdAt".to_owned(),
            descending: false,
        };
        if let Some(filters) = &filters {
            if let Some(status) = filters.opt_enum("status", ARTICLE_STATUSES)? {
                query.status = Some(status.to_owned());
            }
            query.visibility = filters
                .opt_enum("visibility", VISIBILITIES)?
                .map(str::to_owned);
            query.created = range(filters, "createdAt")?;
            query.updated = range(filters, "updatedAt")?;
        }
        if let Some(sort) = body.opt_obj("sort")? {
            if let Some(field) = sort.opt_enum("field", SORT_FIELDS)? {
                query.field = field.to_owned();
            }
            query.descending = sort.opt_enum("order", &["asc", "desc"])? == Some("desc");
        }
        Ok(query)
    }

    fn keeps(&self, a: &Article) -> bool {
        let within = |(from, to): (Option<i64>, Option<i64>), at: i64| {
            from.is_none_or(|f| at >= f) && to.is_none_or(|t| at <= t)
        };
        !a.deleted
            && self.sites.as_ref().is_none_or(|s| s.contains(&a.site_id))
            && self
                .authors
                .as_ref()
                .is_none_or(|s| a.author.as_ref().is_some_and(|author| s.contains(author)))
            && self
                .categories
                .as_ref()
                .is_none_or(|s| s.iter().any(|c| a.has_category(c)))
            && self.status.as_ref().is_none_or(|s| &a.status == s)
            && self.visibility.as_ref().is_none_or(|v| &a.visibility == v)
            && within(self.created, a.created_at)
            && within(self.updated, a.updated_at)
    }

    /// The matching articles in the requested order, as list items.
    fn run<'k>(&self, kb: &'k KnowledgeBase, also: impl Fn(&Article) -> bool) -> Vec<Value> {
        let mut articles: Vec<&'k Article> = kb
            .articles
            .iter()
            .filter(|a| self.keeps(a) && also(a))
            .collect();
        match self.field.as_str() {
            "title" => articles.sort_by_key(|a| (a.title.to_lowercase(), a.seq)),
            "updatedAt" => articles.sort_by_key(|a| (a.updated_at, a.seq)),
            _ => articles.sort_by_key(|a| (a.created_at, a.seq)),
        }
        if self.descending {
            articles.reverse();
        }
        articles.iter().map(|a| a.list_item()).collect()
    }
}

pub(crate) fn article_list(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    data.access(body)?;
    let page = TokenPage::parse(body, "articles")?;
    ArticleQuery::parse(None, body)?;
    let kb = kb_mut(data, body)?;
    let items = ArticleQuery::parse(Some(kb), body)?.run(kb, |_| true);
    Ok(token_page(&page, "articles", items))
}

pub(crate) fn article_search(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    data.access(body)?;
    let query = body.opt_str("query")?.unwrap_or("").trim().to_lowercase();
    body.opt_bool("highlight")?;
    let page = TokenPage::parse(body, "search")?;
    ArticleQuery::parse(None, body)?;
    let kb = kb_mut(data, body)?;
    let items =
        ArticleQuery::parse(Some(kb), body)?.run(kb, |a| query.is_empty() || a.matches(&query));
    Ok(token_page(&page, "articles", items))
}

pub(crate) fn article_delete(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    data.access(body)?;
    let article_id = body.str("articleId")?;
    let kb = kb_mut(data, body)?;
    let index = kb.article_index(article_id)?;
    let article = &mut kb.articles[index];
    article.deleted = true;
    article.updated_at = now_ms();
    Ok(Reply::Done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(
            slugify("How to: Reset your Password!"),
            "how-to-reset-your-password"
        );
        assert_eq!(slugify("   "), "untitled");
        assert!(is_slug("a-1") && !is_slug("A") && !is_slug(""));
    }
}
