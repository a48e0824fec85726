//! [`TawkState`]: the knowledge base, and the demo account.

use super::*;

impl TawkState {
    /// Creates the knowledge base of a property (as `knowledge-base.create`), with its
    /// `primary` site in English.
    pub fn create_knowledge_base(&self, property_id: &str, subdomain: &str) {
        let mut data = self.lock();
        let name = data.prop(property_id).name.clone();
        data.prop_mut(property_id).kb = Some(KnowledgeBase::new(subdomain, &name, "en", None));
    }

    /// The articles of a property's knowledge base (`knowledge-base.article.get`
    /// bodies, soft-deleted ones included), oldest first.
    pub fn articles(&self, property_id: &str) -> Vec<Value> {
        self.lock()
            .prop(property_id)
            .kb
            .as_ref()
            .map(|kb| {
                kb.articles
                    .iter()
                    .map(crate::tawk::kb::Article::to_json)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Seeds a demo account: a website property (`Sandbox Demo`) with a second agent,
    /// contacts, chats, tickets, a custom attribute and a knowledge base, plus a
    /// personal (`profile`) property. Returns the website's `propertyId`.
    pub fn seed_demo(&self) -> String {
        let property =
            self.seed_property(json!({ "name": "Sandbox Demo", "domain": "example.com" }));
        self.seed_property(json!({ "name": "My Page", "type": "profile" }));
        let me = self.me();
        let ben = self.add_agent("Ben Ortiz", "ben@example.com");
        self.add_member(&property, &ben, "agent");
        self.add_custom_attribute(&property, "person", "plan", "Plan", "text");
        self.seed_chat(
            &property,
            json!({
                "visitor": { "name": "Ada Lovelace", "email": "ada@example.com", "city": "London", "country": "GB" },
                "tags": ["billing"],
                "status": "closed",
                "messages": [
                    { "sender": "v", "msg": "Hi, I was charged twice." },
                    { "sender": "a", "agentId": me, "msg": "Sorry about that, refunding now." },
                ],
            }),
        );
        self.seed_chat(
            &property,
            json!({
                "visitor": { "name": "Grace Hopper", "email": "grace@example.com", "country": "US" },
                "messages": [
                    { "sender": "v", "msg": "Where is my order?" },
                    { "sender": "a", "agentId": ben, "msg": "Let me check." },
                ],
            }),
        );
        let ticket = self.seed_ticket(
            &property,
            json!({
                "subject": "Refund request",
                "message": "Please refund order 42.",
                "requester": { "name": "Ada Lovelace", "email": "ada@example.com" },
                "tags": ["billing"],
            }),
        );
        self.reply_ticket(&ticket, &me, "Refund issued.");
        self.seed_ticket(
            &property,
            json!({
                "subject": "Cannot log in",
                "message": "The password reset mail never arrives.",
                "requester": { "name": "Linus", "email": "linus@example.com" },
            }),
        );
        self.create_knowledge_base(&property, "sandbox-demo");
        {
            let mut data = self.lock();
            let kb = data.prop_mut(&property).kb.as_mut().expect("just created");
            let category = kb.seed_category("Getting started");
            kb.seed_article("How to reset your password", &category);
            kb.seed_article("Shipping times", &category);
        }
        property
    }
}
