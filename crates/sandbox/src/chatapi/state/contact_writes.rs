//! [`Data`]: the writes of contacts (patches checked against the custom fields,
//! creation, status, deletion, merge).

use super::*;

impl Data {
    fn custom_field_def(&self, name: &str) -> Option<&CustomField> {
        self.custom_fields
            .values()
            .find(|f| f.name.eq_ignore_ascii_case(name) || f.slug.eq_ignore_ascii_case(name))
    }

    /// Checks a patch against the workspace (unique e-mail and phone, custom field values)
    /// and returns the custom field values with their canonical names.
    pub(super) fn check_patch(
        &self,
        id: Option<i64>,
        patch: &ContactPatch,
    ) -> Result<Option<Vec<FieldValue>>, ApiError> {
        let others = || self.contacts.values().filter(move |c| Some(c.id) != id);
        if let Some(Some(email)) = &patch.email
            && others().any(|c| {
                c.email
                    .as_deref()
                    .is_some_and(|e| e.eq_ignore_ascii_case(email))
            })
        {
            return Err(ApiError::conflict(
                "email is already used by another contact",
            ));
        }
        if let Some(Some(phone)) = &patch.phone
            && others().any(|c| c.phone.as_deref() == Some(phone.as_str()))
        {
            return Err(ApiError::conflict(
                "phone is already used by another contact",
            ));
        }
        let Some(values) = &patch.custom_fields else {
            return Ok(None);
        };
        let mut checked = Vec::with_capacity(values.len());
        for (name, value) in values {
            match self.custom_field_def(name) {
                Some(def) => {
                    check_custom_value(def, value)?;
                    checked.push(FieldValue {
                        name: def.name.clone(),
                        value: value.clone(),
                    });
                }
                // Fields the workspace does not define are kept as sent.
                None => checked.push(FieldValue {
                    name: name.clone(),
                    value: value.clone(),
                }),
            }
        }
        Ok(Some(checked))
    }

    /// Validates and applies a patch to an existing contact.
    pub(crate) fn apply_patch(&mut self, id: i64, patch: &ContactPatch) -> Result<(), ApiError> {
        let custom_fields = self.check_patch(Some(id), patch)?;
        let contact = self.contact_mut(id)?;
        if let Some(first_name) = &patch.first_name {
            contact.first_name.clone_from(first_name);
        }
        let set = |slot: &mut Option<String>, value: &Option<Option<String>>| {
            if let Some(value) = value {
                slot.clone_from(value);
            }
        };
        set(&mut contact.last_name, &patch.last_name);
        set(&mut contact.phone, &patch.phone);
        set(&mut contact.email, &patch.email);
        set(&mut contact.language, &patch.language);
        set(&mut contact.profile_pic, &patch.profile_pic);
        set(&mut contact.country_code, &patch.country_code);
        for field in custom_fields.into_iter().flatten() {
            match contact
                .custom_fields
                .iter_mut()
                .find(|f| f.name == field.name)
            {
                Some(existing) => existing.value = field.value,
                None => contact.custom_fields.push(field),
            }
        }
        Ok(())
    }

    /// Creates a contact from an `email:` / `phone:` identifier and its fields.
    pub(crate) fn create_contact(
        &mut self,
        identifier: &Identifier,
        patch: &ContactPatch,
    ) -> Result<i64, ApiError> {
        let first_name = patch.require_first_name()?.to_owned();
        let mut patch = patch.clone();
        match identifier {
            Identifier::Email(email) => patch.email = Some(Some(email.clone())),
            Identifier::Phone(phone) => patch.phone = Some(Some(phone.clone())),
            Identifier::Id(_) => identifier.require_creatable()?,
        }
        self.check_patch(None, &patch)?;
        let id = self.insert_contact(first_name);
        self.apply_patch(id, &patch)?;
        Ok(id)
    }

    pub(super) fn insert_contact(&mut self, first_name: String) -> i64 {
        let id = next(&mut self.counters.contact, 0);
        let now = now_unix();
        self.contacts.insert(
            id,
            Contact {
                id,
                first_name,
                last_name: None,
                phone: None,
                email: None,
                language: None,
                profile_pic: None,
                country_code: None,
                status: "open".to_owned(),
                tags: Vec::new(),
                assignee: None,
                lifecycle: None,
                created_at: now,
                custom_fields: Vec::new(),
                is_blocked: false,
                updated_at: now,
                assigned_at: None,
            },
        );
        id
    }

    /// Records that the contact changed now; returns that time (the `timestamp` of the
    /// webhook event telling so).
    pub(crate) fn touch(&mut self, id: i64) -> i64 {
        let now = now_unix();
        if let Some(contact) = self.contacts.get_mut(&id) {
            contact.updated_at = now;
        }
        now
    }

    /// Opens (`open`) or closes (`closed`) a contact's conversation at `time`, recorded
    /// as a conversation event; the closing note is kept only when closing with a
    /// category.
    pub(crate) fn set_status(
        &mut self,
        id: i64,
        status: &str,
        category: Option<&str>,
        summary: Option<&str>,
        source: &'static str,
        time: i64,
    ) {
        let Some(contact) = self.contacts.get_mut(&id) else {
            return;
        };
        contact.status = status.to_owned();
        contact.updated_at = time;
        let closing = status == "closed";
        self.conversation_events.push(ConversationEvent {
            contact_id: id,
            status: status.to_owned(),
            category: category.filter(|_| closing).map(str::to_owned),
            summary: summary
                .filter(|_| closing && category.is_some())
                .map(str::to_owned),
            timestamp: time,
            source,
        });
    }

    /// Removes a contact and everything attached to it.
    pub(crate) fn delete_contact(&mut self, id: i64) {
        self.contacts.remove(&id);
        self.messages.retain(|_, m| m.contact_id != id);
        self.comments.retain(|c| c.contact_id != id);
        self.links.retain(|(contact, _), _| *contact != id);
        self.conversation_events.retain(|e| e.contact_id != id);
        self.in_queue.remove(&id);
    }

    /// Merges two contacts: the older one (lower id) survives, fills its empty fields
    /// from the other, takes over its tags, messages, comments and channels, then
    /// `patch` is applied.
    pub(crate) fn merge_contacts(
        &mut self,
        a: i64,
        b: i64,
        patch: &ContactPatch,
    ) -> Result<i64, ApiError> {
        let (primary, secondary) = (a.min(b), a.max(b));
        let other = self
            .contacts
            .get(&secondary)
            .cloned()
            .ok_or_else(|| ApiError::not_found("Contact not found"))?;
        self.contact_mut(primary)?;
        self.contacts.remove(&secondary);
        let contact = self.contact_mut(primary)?;
        let fill = |slot: &mut Option<String>, value: &Option<String>| {
            if slot.is_none() {
                slot.clone_from(value);
            }
        };
        fill(&mut contact.last_name, &other.last_name);
        fill(&mut contact.phone, &other.phone);
        fill(&mut contact.email, &other.email);
        fill(&mut contact.language, &other.language);
        fill(&mut contact.profile_pic, &other.profile_pic);
        fill(&mut contact.country_code, &other.country_code);
        fill(&mut contact.lifecycle, &other.lifecycle);
        if contact.assignee.is_none() {
            contact.assignee = other.assignee.clone();
        }
        for tag in other.tags {
            if contact.tags.len() < 10 && !contact.tags.contains(&tag) {
                contact.tags.push(tag);
            }
        }
        for field in other.custom_fields {
            if !contact.custom_fields.iter().any(|f| f.name == field.name) {
                contact.custom_fields.push(field);
            }
        }
        for message in self.messages.values_mut() {
            if message.contact_id == secondary {
                message.contact_id = primary;
            }
        }
        for comment in &mut self.comments {
            if comment.contact_id == secondary {
                comment.contact_id = primary;
            }
        }
        for event in &mut self.conversation_events {
            if event.contact_id == secondary {
                event.contact_id = primary;
            }
        }
        let moved: Vec<_> = self
            .links
            .keys()
            .filter(|(contact, _)| *contact == secondary)
            .copied()
            .collect();
        for key in moved {
            if let Some(link) = self.links.remove(&key) {
                self.links.entry((primary, key.1)).or_insert(link);
            }
        }
        self.in_queue.remove(&secondary);
        self.apply_patch(primary, patch)?;
        Ok(primary)
    }
}
