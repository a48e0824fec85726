//! TomTicket behind the common traits: what its kit's operation table lists;
//! every other operation answers `Unsupported` (the traits' defaults).

use super::*;

impl Capable for TomTicket {
    fn capabilities(&self) -> &Capabilities {
        &self.capabilities
    }
}

impl Tickets for TomTicket {
    fn list_tickets(&self, filter: TicketFilter) -> Records<'_, Ticket> {
        let (request, residual, by_requester) = self.ticket_request(filter);
        Box::pin(
            request
                .stream()
                // TomTicket answers "Cliente não encontrado" for a requester it
                // does not know; for a filter that simply means no tickets.
                .filter(move |r| {
                    future::ready(!(by_requester && r.as_ref().is_err_and(|e| e.is_not_found())))
                })
                .and_then(|t| future::ready(ticket(t)))
                .try_filter(move |t| future::ready(residual.matches(t))),
        )
    }

    /// Pages are numbered: `next` is the next page's number.
    fn ticket_pages(&self, filter: TicketFilter, from: Option<String>) -> Pages<'_, Ticket> {
        let (request, residual, by_requester) = self.ticket_request(filter);
        Box::pin(
            resumable_pages(request, from, ticket, move |t| residual.matches(t)).filter(move |r| {
                future::ready(!(by_requester && r.as_ref().is_err_and(|e| e.is_not_found())))
            }),
        )
    }

    fn get_ticket<'a>(&'a self, id: &'a str) -> Fut<'a, Ticket> {
        Box::pin(async move {
            let answer = self.client.ticket_detail().ticket_id(id).call().await?;
            let detail = answer
                .data
                .ok_or_else(|| decode_error(PROVIDER, "ticket/detail answered without `data`"))?;
            ticket_detail(&detail)
        })
    }

    fn ticket_replies<'a>(&'a self, id: &'a str) -> Records<'a, Reply> {
        from_vec(async move {
            let answer = self.client.ticket_detail().ticket_id(id).call().await?;
            let detail = answer
                .data
                .ok_or_else(|| decode_error(PROVIDER, "ticket/detail answered without `data`"))?;
            Ok(replies(&detail, &RemoteId::new(PROVIDER, id)))
        })
    }

    fn create_ticket(&self, new: NewTicket) -> Fut<'_, Ticket> {
        Box::pin(async move {
            let department = match new.department.as_ref().or(self.department_id.as_ref()) {
                Some(d) => d.clone(),
                None => self.first_department().await?,
            };
            let mut request = self
                .client
                .ticket_new()
                .customer_id(new.requester.clone())
                .department_id(department)
                .subject(new.subject)
                .message(new.description);
            if let Some(kind) = key_type(&new.requester) {
                request = request.customer_id_type(kind);
            }
            if let Some(p) = new.priority {
                request = request.priority(priority_code(p));
            }
            if let Some(category) = new.category {
                request = request.category_id(category);
            }
            if let Some(operator) = new.assignee {
                request = request.operator_id(operator);
            }
            let created = request.call().await?;
            let id = created.ticket_id.ok_or_else(|| {
                decode_error(PROVIDER, "ticket/new answered without the new `ticket_id`")
            })?;
            self.get_ticket(id.as_str()).await
        })
    }

    fn reply_ticket<'a>(&'a self, id: &'a str, reply: NewReply) -> Fut<'a, ()> {
        Box::pin(async move {
            if reply.public {
                self.client
                    .ticket_reply_operator()
                    .ticket_id(id)
                    .message(reply.body)
                    .call()
                    .await?;
            } else {
                self.client
                    .ticket_comment()
                    .ticket_id(id)
                    .comment(reply.body)
                    .call()
                    .await?;
            }
            Ok(())
        })
    }

    fn close_ticket<'a>(&'a self, id: &'a str) -> Fut<'a, ()> {
        Box::pin(async move {
            self.client
                .ticket_finish()
                .ticket_id(id)
                .message(CLOSING_MESSAGE)
                .call()
                .await?;
            Ok(())
        })
    }
}

impl TomTicket {
    pub(super) async fn chat(&self, id: &str) -> Result<types::Chat, Error> {
        let answer = self.client.chat_detail().chat_id(id).call().await?;
        answer
            .data
            .ok_or_else(|| decode_error(PROVIDER, "chat/detail answered without `data`"))
    }
}

impl Conversations for TomTicket {
    fn list_conversations(&self, filter: ConversationFilter) -> Records<'_, Conversation> {
        let status = filter.status;
        Box::pin(
            self.client
                .chat_list()
                .stream()
                .and_then(|c| future::ready(conversation(&c)))
                .try_filter(move |c| future::ready(status.is_none_or(|s| c.status.value == s))),
        )
    }

    /// Pages are numbered: `next` is the next page's number.
    fn conversation_pages(
        &self,
        filter: ConversationFilter,
        from: Option<String>,
    ) -> Pages<'_, Conversation> {
        let status = filter.status;
        resumable_pages(
            self.client.chat_list(),
            from,
            |c| conversation(&c),
            move |c| status.is_none_or(|s| c.status.value == s),
        )
    }

    fn get_conversation<'a>(&'a self, id: &'a str) -> Fut<'a, Conversation> {
        Box::pin(async move { conversation(&self.chat(id).await?) })
    }

    fn conversation_messages<'a>(&'a self, id: &'a str) -> Records<'a, Message> {
        from_vec(async move {
            let chat = self.chat(id).await?;
            let conversation_id = RemoteId::new(PROVIDER, id);
            Ok(chat
                .messages
                .iter()
                .map(|m| chat_message(m, conversation_id.clone()))
                .collect())
        })
    }
}

impl TomTicket {
    pub(super) async fn customer(&self, key: &str) -> Result<Contact, Error> {
        let mut request = self.client.customer_details().customer_id(key);
        if let Some(kind) = key_type(key) {
            request = request.customer_type_id(kind);
        }
        let answer = request.call().await?;
        let customer = answer
            .data
            .ok_or_else(|| decode_error(PROVIDER, "customer/details answered without `data`"))?;
        contact(customer)
    }

    /// Whether a customer has this e-mail. The answer's shape is inferred in
    /// the spec: `exists`, else a truthy `data`; a "not found" error counts
    /// as no.
    pub(super) async fn customer_exists(&self, email: &str) -> Result<bool, Error> {
        let answer = self
            .client
            .customer_exists()
            .customer_id(email)
            .customer_type_id(CustomerIdType::E)
            .call()
            .await;
        match answer {
            Ok(a) => Ok(a.exists.unwrap_or(match a.data {
                None | Some(Value::Null) | Some(Value::Bool(false)) => false,
                Some(_) => true,
            })),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }
}

impl Contacts for TomTicket {
    fn get_contact<'a>(&'a self, id: &'a str) -> Fut<'a, Contact> {
        Box::pin(self.customer(id))
    }

    /// Matched by e-mail; a new customer gets the e-mail as its internal id.
    fn upsert_contact(&self, new: NewContact) -> Fut<'_, Contact> {
        Box::pin(async move {
            let Some(email) = new.email.filter(|e| !e.trim().is_empty()) else {
                return Err(invalid_argument(
                    PROVIDER,
                    Capability::UpsertContact,
                    "TomTicket matches customers by e-mail; give one",
                ));
            };
            let phone = new.phone.filter(|p| !p.trim().is_empty());
            if self.customer_exists(&email).await? {
                let mut request = self
                    .client
                    .customer_update()
                    .customer_id(email.clone())
                    .customer_type_id(CustomerIdType::E)
                    .name(new.name);
                if let Some(phone) = phone {
                    request = request.phone(phone);
                }
                request.call().await?;
            } else {
                let mut request = self
                    .client
                    .customer_new()
                    .customer_id(email.clone())
                    .name(new.name)
                    .email(email.clone());
                if let Some(phone) = phone {
                    request = request.phone(phone);
                }
                request.call().await?;
            }
            self.customer(&email).await
        })
    }

    fn list_contacts(&self, filter: ContactFilter) -> Records<'_, Contact> {
        let (_, residual) = filter.split(&self.capabilities);
        let search = residual
            .search
            .map(|s| s.trim().to_lowercase())
            .filter(|s| !s.is_empty());
        Box::pin(
            self.client
                .customer_list()
                .stream()
                .and_then(|c| future::ready(contact(c)))
                .try_filter(move |c| {
                    future::ready(search.as_deref().is_none_or(|s| {
                        contains_ignore_case(c.name.as_deref(), s)
                            || contains_ignore_case(c.email.as_deref(), s)
                            || contains_ignore_case(c.phone.as_deref(), s)
                    }))
                }),
        )
    }

    /// Pages are numbered: `next` is the next page's number.
    fn contact_pages(&self, filter: ContactFilter, from: Option<String>) -> Pages<'_, Contact> {
        let (_, residual) = filter.split(&self.capabilities);
        let search = residual
            .search
            .map(|s| s.trim().to_lowercase())
            .filter(|s| !s.is_empty());
        resumable_pages(self.client.customer_list(), from, contact, move |c| {
            search.as_deref().is_none_or(|s| {
                contains_ignore_case(c.name.as_deref(), s)
                    || contains_ignore_case(c.email.as_deref(), s)
                    || contains_ignore_case(c.phone.as_deref(), s)
            })
        })
    }
}

impl Agents for TomTicket {
    /// There is no global operator list: the operators nested in every
    /// department, once each.
    fn list_agents(&self) -> Records<'_, Agent> {
        from_vec(async move {
            let departments = self
                .client
                .department_list()
                .show_nested_items(1)
                .call()
                .await?;
            let mut seen = HashSet::new();
            departments
                .data
                .iter()
                .flat_map(|d| &d.operators)
                .filter(|o| o.id.as_ref().is_none_or(|id| seen.insert(id.clone())))
                .map(agent)
                .collect()
        })
    }
}
