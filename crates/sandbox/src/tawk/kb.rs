//! The knowledge base: sites (one per language, `primary` first), categories and
//! articles, with cursor-token pagination (`limit`, `next` / `previous`).

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
const DEFAULT_LIMIT: i64 = 50;
const MAX_LIMIT: i64 = 100;

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

/// A category of one site.
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
}

/// An article of one site; `deleted` marks a soft delete.
#[derive(Debug, Clone)]
pub(crate) struct Article {
    pub(crate) seq: i64,
    pub(crate) id: String,
    pub(crate) site_id: String,
    pub(crate) title: String,
    pub(crate) subtitle: Option<String>,
    pub(crate) author: Value,
    pub(crate) slug: String,
    pub(crate) status: String,
    pub(crate) metadata: Value,
    pub(crate) contents: Vec<Value>,
    pub(crate) visibility: String,
    pub(crate) categories: Vec<Value>,
    pub(crate) related: Vec<Value>,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
    pub(crate) published_at: Option<i64>,
    pub(crate) deleted: bool,
}

impl Article {
    fn meta(&self) -> Value {
        json!({
            "visibility": self.visibility,
            "categories": self.categories,
            "relatedArticles": self.related,
            "sites": [self.site_id],
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
                "siteId": self.site_id,
                "title": self.title,
                "status": self.status,
                "subtitle": self.subtitle,
                "author": self.author,
                "slug": self.slug,
                "metadata": self.metadata,
                "contents": self.contents,
            },
        })
    }

    fn list_item(&self) -> Value {
        json!({
            "id": self.id,
            "siteId": self.site_id,
            "title": self.title,
            "subtitle": self.subtitle,
            "slug": self.slug,
            "status": self.status,
            "visibility": self.visibility,
            "author": self.author,
            "categories": self.categories,
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
            subdomain: self.subdomain.clone(),
            title: self.title.clone(),
            description: self.description.clone(),
            widget_id: self.widget_id.clone(),
            published: self.published,
            sites: self.sites.clone(),
            categories: self.categories.clone(),
            articles: self.articles.clone(),
            ids: IdGen::default(),
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
        Self {
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
            ids: IdGen::default(),
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

    fn category_index(&self, id: &str) -> Result<usize, TawkError> {
        self.categories
            .iter()
            .position(|c| c.id == id)
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
            "hasChildren": self.categories.iter().any(|c| c.parent.as_deref() == Some(&category.id)),
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
        });
        id
    }

    /// Adds a published article in a category of the primary site (demo data).
    pub(crate) fn seed_article(&mut self, title: &str, category_id: &str) -> String {
        let id = self.ids.next_id();
        let seq = self.next_seq();
        let now = now_ms();
        self.articles.push(Article {
            seq,
            id: id.clone(),
            site_id: PRIMARY_SITE.to_owned(),
            title: title.to_owned(),
            subtitle: None,
            author: Value::Null,
            slug: slugify(title),
            status: "published".to_owned(),
            metadata: json!({}),
            contents: vec![
                json!({ "type": "paragraph", "data": { "text": format!("<p>{title}.</p>") } }),
            ],
            visibility: "public".to_owned(),
            categories: vec![json!({ "id": category_id, "primary": true })],
            related: Vec::new(),
            created_at: now,
            updated_at: now,
            published_at: Some(now),
            deleted: false,
        });
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

/// One page of `items` cut by the `limit` / `next` / `previous` of `body`, answered as
/// `{total, hasNext, hasPrevious, next, previous, <key>: [...]}`.
fn token_page(
    body: &Obj<'_>,
    kind: &str,
    key: &str,
    items: Vec<Value>,
) -> Result<Reply, TawkError> {
    let limit = body
        .opt_int("limit", 1, MAX_LIMIT)?
        .unwrap_or(DEFAULT_LIMIT) as usize;
    let decode = |field: &str| -> Result<Option<i64>, TawkError> {
        let Some(token) = body.opt_str(field)?.filter(|t| !t.is_empty()) else {
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
            limit,
            cursor: next.or(previous),
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
    Ok(Reply::Data(Value::Object(data)))
}

// ---- knowledge-base.create ------------------------------------------------------------

pub(crate) fn create(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    let property_id = data.access(body)?;
    let subdomain = body.str("subdomain")?;
    if !is_slug(subdomain) {
        return Err(body.invalid(
            "subdomain",
            "must contain only lower-case letters, digits and hyphens",
        ));
    }
    let language = body.opt_str("language")?.unwrap_or("en");
    let title = body.opt_str("title")?.map(str::to_owned);
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
    let title = title.unwrap_or_else(|| property.name.clone());
    let mut kb = KnowledgeBase::new(subdomain, &title, language, description);
    kb.widget_id = widget_id;
    kb.published = published;
    property.kb = Some(kb);
    Ok(Reply::Done)
}

// ---- sites ------------------------------------------------------------------------------

fn apply_site_fields(site: &mut Site, body: &Obj<'_>) -> Result<(), TawkError> {
    if let Some(title) = body.opt_str("title")? {
        if title.trim().is_empty() {
            return Err(body.invalid("title", "is not allowed to be empty"));
        }
        site.title = title.to_owned();
    }
    if body.has("description") {
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
    if body.has("widgetId") {
        site.widget_id = body.opt_str("widgetId")?.map(str::to_owned);
    }
    Ok(())
}

pub(crate) fn site_create(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    data.access(body)?;
    let title = body.str("title")?;
    let language = body.opt_str("language")?.unwrap_or("en").to_owned();
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
    let site_id = body.str("siteId")?;
    let language = body.opt_str("language")?;
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
    let site = kb
        .sites
        .iter_mut()
        .find(|s| s.id == site_id)
        .expect("checked");
    apply_site_fields(site, body)?;
    if let Some(language) = language {
        site.language = language.to_owned();
    }
    Ok(Reply::Data(json!({ "site": site.to_json() })))
}

pub(crate) fn site_get(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    data.access(body)?;
    let site_id = body.str("siteId")?;
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

/// Applies `category.meta` / `category.content` (validated against the KB) to `category`.
fn apply_category(
    kb: &KnowledgeBase,
    category: &mut Category,
    input: &Obj<'_>,
    creating: bool,
) -> Result<(), TawkError> {
    if let Some(content) = input.opt_obj("content")? {
        if creating || content.has("name") {
            category.name = content.str("name")?.to_owned();
        }
        if content.has("description") {
            category.description = content.opt_str("description")?.map(str::to_owned);
        }
        match content.opt_str("slug")? {
            Some(slug) if !is_slug(slug) => {
                return Err(content.invalid(
                    "slug",
                    "must contain only lower-case letters, digits and hyphens",
                ));
            }
            Some(slug) => category.slug = slug.to_owned(),
            None if creating => category.slug = slugify(&category.name),
            None => {}
        }
    } else if creating {
        return Err(input.invalid("content", "is required"));
    }
    if let Some(meta) = input.opt_obj("meta")? {
        if let Some(icon) = meta.opt_obj("icon")? {
            icon.opt_enum("type", &["predefined", "custom"])?;
            category.icon = Value::Object(icon.map().clone());
        }
        if meta.map().contains_key("parent") {
            let parent = meta.opt_str("parent")?;
            if let Some(parent) = parent {
                let mut cursor = Some(parent.to_owned());
                while let Some(id) = cursor {
                    if id == category.id {
                        return Err(meta.invalid(
                            "parent",
                            "cannot be the category itself or one of its descendants",
                        ));
                    }
                    let found = kb
                        .categories
                        .iter()
                        .find(|c| c.id == id && c.site_id == category.site_id);
                    let Some(found) = found else {
                        return Err(
                            meta.invalid("parent", "must be the id of a category of the same site")
                        );
                    };
                    cursor = found.parent.clone();
                }
            }
            category.parent = parent.map(str::to_owned);
        }
        if let Some(position) = meta.opt_int("position", 0, i64::MAX)? {
            category.position = position;
        }
    }
    if kb
        .categories
        .iter()
        .any(|c| c.id != category.id && c.site_id == category.site_id && c.slug == category.slug)
    {
        return Err(TawkError::conflict(format!(
            "A category with slug {} already exists",
            category.slug
        )));
    }
    Ok(())
}

pub(crate) fn category_create(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    data.access(body)?;
    let input = body.obj("category")?;
    let site_id = match input.opt_obj("content")? {
        Some(content) => content
            .opt_str("siteId")?
            .unwrap_or(PRIMARY_SITE)
            .to_owned(),
        None => PRIMARY_SITE.to_owned(),
    };
    let kb = kb_mut(data, body)?;
    kb.site(&site_id)?;
    let now = now_ms();
    let mut category = Category {
        seq: 0,
        id: kb.ids.next_id(),
        position: kb
            .categories
            .iter()
            .filter(|c| c.site_id == site_id)
            .count() as i64,
        site_id,
        name: String::new(),
        description: None,
        slug: String::new(),
        parent: None,
        icon: Value::Null,
        created_at: now,
        updated_at: now,
    };
    apply_category(kb, &mut category, &input, true)?;
    category.seq = kb.next_seq();
    let out = kb.category_json(&category);
    kb.categories.push(category);
    Ok(Reply::Data(json!({ "category": out })))
}

pub(crate) fn category_update(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    data.access(body)?;
    let category_id = body.str("categoryId")?;
    let input = body.obj("category")?;
    let kb = kb_mut(data, body)?;
    let index = kb.category_index(category_id)?;
    let mut category = kb.categories[index].clone();
    apply_category(kb, &mut category, &input, false)?;
    category.updated_at = now_ms();
    let out = kb.category_json(&category);
    kb.categories[index] = category;
    Ok(Reply::Data(json!({ "category": out })))
}

pub(crate) fn category_get(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    data.access(body)?;
    let category_id = body.str("categoryId")?;
    let kb = kb_mut(data, body)?;
    let index = kb.category_index(category_id)?;
    Ok(Reply::Data(
        json!({ "category": kb.category_json(&kb.categories[index]) }),
    ))
}

pub(crate) fn category_list(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    data.access(body)?;
    let site_id = body.opt_str("siteId")?;
    let parent = body.opt_str("parent")?;
    let kb = kb_mut(data, body)?;
    if let Some(site_id) = site_id {
        kb.site(site_id)?;
    }
    let mut categories: Vec<&Category> = kb
        .categories
        .iter()
        .filter(|c| site_id.is_none_or(|s| c.site_id == s))
        .filter(|c| parent.is_none_or(|p| c.parent.as_deref() == Some(p)))
        .collect();
    categories.sort_by_key(|c| (c.position, c.seq));
    let items = categories.iter().map(|c| kb.category_item(c)).collect();
    token_page(body, "categories", "categories", items)
}

pub(crate) fn category_delete(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    data.access(body)?;
    let category_id = body.str("categoryId")?;
    let kb = kb_mut(data, body)?;
    kb.category_index(category_id)?;
    if kb
        .categories
        .iter()
        .any(|c| c.parent.as_deref() == Some(category_id))
    {
        return Err(TawkError::conflict("The category has subcategories"));
    }
    kb.categories.retain(|c| c.id != category_id);
    for article in &mut kb.articles {
        article.categories.retain(|c| c["id"] != category_id);
    }
    Ok(Reply::Done)
}

// ---- articles ---------------------------------------------------------------------------

fn apply_article(
    kb: &KnowledgeBase,
    article: &mut Article,
    input: &Obj<'_>,
    creating: bool,
) -> Result<(), TawkError> {
    let content = input.opt_obj("content")?;
    if creating && content.is_none() {
        return Err(input.invalid("content", "is required"));
    }
    if let Some(content) = content {
        if creating || content.has("title") {
            article.title = content.str("title")?.to_owned();
        }
        if let Some(status) = content.opt_enum("status", ARTICLE_STATUSES)? {
            article.status = status.to_owned();
        }
        if content.has("subtitle") {
            article.subtitle = content.opt_str("subtitle")?.map(str::to_owned);
        }
        if let Some(author) = content.value("author") {
            article.author = author.clone();
        }
        if let Some(metadata) = content.opt_obj("metadata")? {
            article.metadata = Value::Object(metadata.map().clone());
        }
        match content.opt_str("slug")? {
            Some(slug) if !is_slug(slug) => {
                return Err(content.invalid(
                    "slug",
                    "must contain only lower-case letters, digits and hyphens",
                ));
            }
            Some(slug) => article.slug = slug.to_owned(),
            None if creating => article.slug = slugify(&article.title),
            None => {}
        }
        if let Some(blocks) = content.opt_objects("contents")? {
            for block in &blocks {
                let kind = block.str("type")?;
                if !BLOCK_TYPES.contains(&kind) {
                    return Err(block.invalid(
                        "type",
                        &format!("must be one of [{}]", BLOCK_TYPES.join(", ")),
                    ));
                }
            }
            article.contents = blocks
                .iter()
                .map(|b| Value::Object(b.map().clone()))
                .collect();
        }
    }
    if let Some(meta) = input.opt_obj("meta")? {
        if let Some(visibility) = meta.opt_enum("visibility", VISIBILITIES)? {
            article.visibility = visibility.to_owned();
        }
        if let Some(categories) = meta.opt_objects("categories")? {
            let mut out = Vec::new();
            for category in &categories {
                let id = category.str("id")?;
                if !kb
                    .categories
                    .iter()
                    .any(|c| c.id == id && c.site_id == article.site_id)
                {
                    return Err(category
                        .invalid("id", "must be the id of a category of the article's site"));
                }
                let primary = category.opt_bool("primary")?.unwrap_or(false);
                out.push(json!({ "id": id, "primary": primary }));
            }
            let primaries = out.iter().filter(|c| c["primary"] == true).count();
            if primaries > 1 {
                return Err(meta.invalid("categories", "may have only one primary category"));
            }
            if primaries == 0
                && let Some(first) = out.first_mut()
            {
                first["primary"] = json!(true);
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

pub(crate) fn article_create(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    data.access(body)?;
    let input = body.obj("article")?;
    let site_id = match input.opt_obj("content")? {
        Some(content) => content
            .opt_str("siteId")?
            .unwrap_or(PRIMARY_SITE)
            .to_owned(),
        None => return Err(input.invalid("content", "is required")),
    };
    let kb = kb_mut(data, body)?;
    kb.site(&site_id)?;
    let now = now_ms();
    let mut article = Article {
        seq: 0,
        id: kb.ids.next_id(),
        site_id,
        title: String::new(),
        subtitle: None,
        author: Value::Null,
        slug: String::new(),
        status: "draft".to_owned(),
        metadata: json!({}),
        contents: Vec::new(),
        visibility: "public".to_owned(),
        categories: Vec::new(),
        related: Vec::new(),
        created_at: now,
        updated_at: now,
        published_at: None,
        deleted: false,
    };
    apply_article(kb, &mut article, &input, true)?;
    article.seq = kb.next_seq();
    let out = json!({ "article": { "id": article.id, "meta": article.meta() } });
    kb.articles.push(article);
    Ok(Reply::Data(out))
}

pub(crate) fn article_update(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    data.access(body)?;
    let article_id = body.str("articleId")?;
    let input = body.obj("article")?;
    let kb = kb_mut(data, body)?;
    let index = kb.article_index(article_id)?;
    let mut article = kb.articles[index].clone();
    apply_article(kb, &mut article, &input, false)?;
    article.updated_at = now_ms();
    let out = json!({ "article": { "id": article.id, "meta": article.meta() } });
    kb.articles[index] = article;
    Ok(Reply::Data(out))
}

pub(crate) fn article_get(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    data.access(body)?;
    let article_id = body.str("articleId")?;
    let site_id = body.opt_str("siteId")?.unwrap_or(PRIMARY_SITE);
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

fn article_filter<'k>(
    kb: &'k KnowledgeBase,
    body: &Obj<'_>,
) -> Result<impl Iterator<Item = &'k Article> + use<'k>, TawkError> {
    let site_id = body.opt_str("siteId")?.map(str::to_owned);
    if let Some(site_id) = &site_id {
        kb.site(site_id)?;
    }
    let category = body.opt_str("categoryId")?.map(str::to_owned);
    let status = body
        .opt_enum("status", ARTICLE_STATUSES)?
        .map(str::to_owned);
    Ok(kb.articles.iter().filter(move |a| {
        !a.deleted
            && site_id.as_ref().is_none_or(|s| &a.site_id == s)
            && category.as_ref().is_none_or(|c| a.has_category(c))
            && status.as_ref().is_none_or(|s| &a.status == s)
    }))
}

pub(crate) fn article_list(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    let kb = kb_mut(data, body)?;
    let items = article_filter(kb, body)?.map(Article::list_item).collect();
    token_page(body, "articles", "articles", items)
}

pub(crate) fn article_search(data: &mut Data, body: &Obj<'_>) -> Result<Reply, TawkError> {
    data.access(body)?;
    let query = body.str("query")?.trim().to_lowercase();
    let kb = kb_mut(data, body)?;
    let items = article_filter(kb, body)?
        .filter(|a| a.matches(&query))
        .map(Article::list_item)
        .collect();
    token_page(body, "search", "articles", items)
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
