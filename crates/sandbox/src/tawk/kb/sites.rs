//! `knowledge-base.create` and `knowledge-base.site.*`: the language versions.

use super::*;

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
