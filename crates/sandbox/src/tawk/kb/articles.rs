//! `knowledge-base.article.*`: writes, and the filters and sort of list and search.

use super::*;

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
