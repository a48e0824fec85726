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

mod articles;
mod categories;
mod requests;
mod sites;

use requests::*;

pub(crate) use articles::{
    article_create, article_delete, article_get, article_list, article_search, article_update,
};
pub(crate) use categories::{
    category_create, category_delete, category_get, category_list, category_update,
};
pub(crate) use sites::{create, site_create, site_delete, site_get, site_list, site_update};

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
