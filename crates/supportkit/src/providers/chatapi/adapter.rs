//! ChatAPI behind the common traits: what its kit's operation table lists;
//! every other operation answers `Unsupported` (the traits' defaults).

use super::*;

impl Capable for ChatApi {
    fn capabilities(&self) -> &Capabilities {
        &self.capabilities
    }
}

/// ChatAPI has no tickets: every ticket operation is `Unsupported`.
impl Tickets for ChatApi {}

impl Conversations for ChatApi {
    fn list_conversations(&self, filter: ConversationFilter) -> Records<'_, Conversation> {
        let status = filter.status;
        Box::pin(
            self.client
                .list_contacts()
                .limit(PAGE_SIZE)
                .body(list_request(None))
                .stream()
                .map_ok(|c| conversation(&c))
                .try_filter(move |c| future::ready(status.is_none_or(|s| c.status.value == s))),
        )
    }

    fn get_conversation<'a>(&'a self, id: &'a str) -> Fut<'a, Conversation> {
        Box::pin(async move {
            let who = identifier(id, Capability::GetConversation)?;
            let c = self.client.get_contact().identifier(who).call().await?;
            Ok(conversation(&c))
        })
    }

    fn conversation_messages<'a>(&'a self, id: &'a str) -> Records<'a, Message> {
        or_failed(identifier(id, Capability::ListMessages).map(|who| {
            let conversation_id = RemoteId::new(PROVIDER, id);
            let records: Records<'a, Message> = Box::pin(
                self.client
                    .list_messages()
                    .identifier(who)
                    .limit(MESSAGE_PAGE_SIZE)
                    .stream()
                    .map_ok(move |m| message(&m, conversation_id.clone())),
            );
            records
        }))
    }

    fn send_text<'a>(&'a self, id: &'a str, text: &'a str) -> Fut<'a, ()> {
        Box::pin(async move {
            let who = identifier(id, Capability::SendText)?;
            let body = types::SendMessageRequest {
                // None: the channel the contact last interacted with.
                channel_id: None,
                message: types::TextMessage {
                    text: text.to_owned(),
                    message_tag: None,
                }
                .into(),
            };
            self.client
                .send_message()
                .identifier(who)
                .body(body)
                .call()
                .await?;
            Ok(())
        })
    }

    fn assign_conversation<'a>(&'a self, id: &'a str, agent: Option<&'a str>) -> Fut<'a, ()> {
        Box::pin(async move {
            let who = identifier(id, Capability::AssignConversation)?;
            // A user id is sent as a number, anything else as the user's email.
            let assignee = agent.map(|a| match a.parse::<i64>() {
                Ok(user_id) => types::AssignConversationRequestAssignee::Integer(user_id),
                Err(_) => types::AssignConversationRequestAssignee::String(a.to_owned()),
            });
            self.client
                .assign_conversation()
                .identifier(who)
                .body(types::AssignConversationRequest { assignee })
                .call()
                .await?;
            Ok(())
        })
    }

    fn set_conversation_status<'a>(
        &'a self,
        id: &'a str,
        status: ConversationStatus,
    ) -> Fut<'a, ()> {
        Box::pin(async move {
            let op = Capability::SetConversationStatus;
            let who = identifier(id, op)?;
            let status = match status {
                ConversationStatus::Open => types::ConversationStatus::Open,
                ConversationStatus::Closed => types::ConversationStatus::Close,
                ConversationStatus::Other => {
                    return Err(invalid_argument(
                        PROVIDER,
                        op,
                        "a ChatAPI conversation can only be opened or closed",
                    ));
                }
            };
            self.client
                .update_conversation_status()
                .identifier(who)
                .body(types::ConversationStatusRequest {
                    status,
                    category: None,
                    summary: None,
                })
                .call()
                .await?;
            Ok(())
        })
    }
}

impl Contacts for ChatApi {
    fn get_contact<'a>(&'a self, id: &'a str) -> Fut<'a, Contact> {
        Box::pin(async move {
            let who = identifier(id, Capability::GetContact)?;
            let c = self.client.get_contact().identifier(who).call().await?;
            Ok(contact(c))
        })
    }

    fn upsert_contact(&self, new: NewContact) -> Fut<'_, Contact> {
        Box::pin(async move {
            let op = Capability::UpsertContact;
            let email = new.email.filter(|e| !e.trim().is_empty());
            let phone = new.phone.filter(|p| !p.trim().is_empty());
            // create_or_update matches the contact by its identifier: email first.
            let key = match (&email, &phone) {
                (Some(email), _) => ContactIdentifier::email(email.clone()),
                (None, Some(phone)) => ContactIdentifier::phone(phone.clone()),
                (None, None) => {
                    return Err(invalid_argument(
                        PROVIDER,
                        op,
                        "a ChatAPI contact is matched by email or phone; give one",
                    ));
                }
            }
            .map_err(|e| invalid_argument(PROVIDER, op, e.to_string()))?;
            let fields = types::ContactFields {
                first_name: new.name,
                last_name: None,
                email,
                phone,
                language: None,
                profile_pic: None,
                country_code: None,
                custom_fields: None,
            };
            let done = self
                .client
                .create_or_update_contact()
                .identifier(key)
                .body(fields)
                .call()
                .await?;
            let c = self
                .client
                .get_contact()
                .identifier(ContactIdentifier::id(done.contact_id))
                .call()
                .await?;
            Ok(contact(c))
        })
    }

    fn list_contacts(&self, filter: ContactFilter) -> Records<'_, Contact> {
        // The search is native (the table says so): nothing is left to check here.
        let (server, _) = filter.split(&self.capabilities);
        Box::pin(
            self.client
                .list_contacts()
                .limit(PAGE_SIZE)
                .body(list_request(server.search))
                .stream()
                .map_ok(contact),
        )
    }

    fn tag_contact<'a>(&'a self, id: &'a str, tags: Vec<String>) -> Fut<'a, ()> {
        Box::pin(async move {
            let who = identifier(id, Capability::TagContact)?;
            self.client
                .add_tags()
                .identifier(who)
                .body(tags)
                .call()
                .await?;
            Ok(())
        })
    }
}

impl Agents for ChatApi {
    fn list_agents(&self) -> Records<'_, Agent> {
        Box::pin(
            self.client
                .list_users()
                .limit(PAGE_SIZE)
                .stream()
                .map_ok(|u| agent(&u)),
        )
    }
}
