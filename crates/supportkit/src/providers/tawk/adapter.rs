//! tawk.to behind the common traits: what its kit's operation table lists;
//! every other operation answers `Unsupported` (the traits' defaults).

use super::*;

impl Capable for Tawk {
    fn capabilities(&self) -> &Capabilities {
        &self.capabilities
    }
}

impl Tickets for Tawk {
    fn list_tickets(&self, filter: TicketFilter) -> Records<'_, Ticket> {
        let mut body = types::TicketListRequest::builder()
            .property_id(self.property_id.clone())
            .size(Some(TICKET_PAGE_SIZE));
        let (server, mut residual) = filter.split(&self.capabilities);
        match server.status.map(|s| (s, status_filter(s))) {
            Some((_, Some(status))) => body = body.status(Some(status)),
            // A status the API has no value for is checked here.
            Some((status, None)) => residual.status = Some(status),
            None => {}
        }
        Box::pin(
            self.client
                .ticket_list()
                .body(body)
                .stream()
                .and_then(|t| future::ready(ticket(t)))
                .try_filter(move |t| future::ready(residual.matches(t))),
        )
    }

    fn get_ticket<'a>(&'a self, id: &'a str) -> Fut<'a, Ticket> {
        Box::pin(async move {
            let answer = self
                .client
                .ticket_get()
                .body(
                    types::TicketGetRequest::builder()
                        .property_id(self.property_id.clone())
                        .ticket_id(id.to_owned()),
                )
                .call()
                .await?;
            let t = answer
                .data
                .ok_or_else(|| decode_error(PROVIDER, "ticket.get answered without `data`"))?;
            ticket(t)
        })
    }
}

impl Conversations for Tawk {
    fn list_conversations(&self, filter: ConversationFilter) -> Records<'_, Conversation> {
        let status = filter.status;
        let body = types::ChatListRequest::builder()
            .property_id(self.property_id.clone())
            .size(Some(CHAT_PAGE_SIZE));
        Box::pin(
            self.client
                .chat_list()
                .body(body)
                .stream()
                .and_then(|c| future::ready(conversation(c)))
                .try_filter(move |c| future::ready(status.is_none_or(|s| c.status.value == s))),
        )
    }

    fn get_conversation<'a>(&'a self, id: &'a str) -> Fut<'a, Conversation> {
        Box::pin(async move { conversation(self.chat(id).await?) })
    }

    fn conversation_messages<'a>(&'a self, id: &'a str) -> Records<'a, Message> {
        from_vec(async move {
            let chat = self.chat(id).await?;
            let conversation_id = RemoteId::new(PROVIDER, id);
            Ok(chat
                .messages
                .iter()
                .map(|m| message(m, conversation_id.clone()))
                .collect())
        })
    }
}

impl Contacts for Tawk {
    /// `id` is a person id (a chat's `personId`, the conversation's `contact_id`).
    fn get_contact<'a>(&'a self, id: &'a str) -> Fut<'a, Contact> {
        Box::pin(async move {
            let answer = self
                .client
                .contact_person_get()
                .body(
                    types::ContactPersonGetRequest::builder()
                        .property_id(self.property_id.clone())
                        .person_id(id.to_owned()),
                )
                .call()
                .await?;
            let person = answer.data.and_then(|d| d.person).ok_or_else(|| {
                decode_error(PROVIDER, "contact.person.get answered without `person`")
            })?;
            contact(&person)
        })
    }
}

impl Agents for Tawk {
    /// The members of the property (one request; `members.list` is not paged).
    fn list_agents(&self) -> Records<'_, Agent> {
        from_vec(async move {
            let answer = self
                .client
                .members_list()
                .body(types::MembersListRequest::builder().property_id(self.property_id.clone()))
                .call()
                .await?;
            answer.data.iter().map(member).collect()
        })
    }

    fn current_agent(&self) -> Fut<'_, Agent> {
        Box::pin(async move {
            let answer = self
                .client
                .agent_me()
                .body(types::EmptyRequest(Map::new()))
                .call()
                .await?;
            let me = answer
                .data
                .ok_or_else(|| decode_error(PROVIDER, "agent.me answered without `data`"))?;
            agent(&me)
        })
    }
}
