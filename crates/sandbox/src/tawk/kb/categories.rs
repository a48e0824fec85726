//! `knowledge-base.category.*`.

use super::*;

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
