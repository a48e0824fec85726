//! [`TomTicketState`]: setting the account up and seeding it (departments, operators,
//! categories, custom fields, organizations, statuses, customers, tickets, chats, the
//! demo data).

use super::*;

impl TomTicketState {
    /// Adds a department; returns its id.
    pub fn add_department(&self, name: &str) -> String {
        let mut data = self.lock();
        let id = data.new_id("department");
        data.departments.push(Department {
            id: id.clone(),
            name: name.to_owned(),
        });
        id
    }

    /// Adds an operator (attendant) working in `department_id`; returns its id. Its e-mail
    /// (behind `mail_hash`) is made from the name.
    ///
    /// # Panics
    /// When the department does not exist.
    pub fn add_operator(&self, department_id: &str, name: &str) -> String {
        let mut data = self.lock();
        assert!(
            data.department(department_id).is_some(),
            "unknown department {department_id}"
        );
        let id = data.new_id("operator");
        let local: String = name
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        data.operators.push(Operator {
            id: id.clone(),
            name: name.to_owned(),
            email: format!("{local}.{}@example.com", &id[..6]),
            departments: vec![department_id.to_owned()],
        });
        id
    }

    /// Makes an existing operator work in one more department too.
    ///
    /// # Panics
    /// When the operator or the department does not exist.
    pub fn add_operator_to_department(&self, operator_id: &str, department_id: &str) {
        let mut data = self.lock();
        assert!(
            data.department(department_id).is_some(),
            "unknown department {department_id}"
        );
        let operator = data
            .operators
            .iter_mut()
            .find(|o| o.id == operator_id)
            .unwrap_or_else(|| panic!("unknown operator {operator_id}"));
        if !operator.departments.iter().any(|d| d == department_id) {
            operator.departments.push(department_id.to_owned());
        }
    }

    /// Adds a ticket category to a department; returns its id.
    ///
    /// # Panics
    /// When the department does not exist.
    pub fn add_category(&self, department_id: &str, name: &str) -> String {
        let mut data = self.lock();
        assert!(
            data.department(department_id).is_some(),
            "unknown department {department_id}"
        );
        let id = data.new_id("category");
        data.categories.push(Category {
            id: id.clone(),
            department_id: department_id.to_owned(),
            name: name.to_owned(),
        });
        id
    }

    /// Adds an optional text ticket field to a department (and to one of its categories,
    /// or to none); returns its id.
    ///
    /// # Panics
    /// When the department or category does not exist.
    pub fn add_custom_field(
        &self,
        department_id: &str,
        category_id: Option<&str>,
        label: &str,
    ) -> String {
        self.add_custom_field_with(department_id, category_id, label, "text", false, &[])
    }

    /// Adds a ticket field of `field_type` (e.g. `text`, `number`, `select`); a non-empty
    /// `options` restricts its values. A `required` field must be sent with `ticket/new`.
    ///
    /// # Panics
    /// When the department or category does not exist.
    pub fn add_custom_field_with(
        &self,
        department_id: &str,
        category_id: Option<&str>,
        label: &str,
        field_type: &str,
        required: bool,
        options: &[&str],
    ) -> String {
        let mut data = self.lock();
        assert!(
            data.department(department_id).is_some(),
            "unknown department {department_id}"
        );
        if let Some(category_id) = category_id {
            assert!(
                data.category(category_id)
                    .is_some_and(|c| c.department_id == department_id),
                "unknown category {category_id} in department {department_id}"
            );
        }
        let id = data.new_id("custom_field");
        data.custom_fields.push(CustomField {
            id: id.clone(),
            department_id: department_id.to_owned(),
            category_id: category_id.map(str::to_owned),
            label: label.to_owned(),
            field_type: field_type.to_owned(),
            required,
            options: options.iter().map(|o| (*o).to_owned()).collect(),
        });
        id
    }

    /// Adds an organization (optionally under a parent); returns its id.
    ///
    /// # Panics
    /// When the parent does not exist.
    pub fn add_organization(&self, name: &str, parent_id: Option<&str>) -> String {
        let mut data = self.lock();
        if let Some(parent) = parent_id {
            assert!(
                data.organization(parent).is_some(),
                "unknown organization {parent}"
            );
        }
        let id = data.new_id("organization");
        data.organizations.push(Organization {
            id: id.clone(),
            name: name.to_owned(),
            parent_id: parent_id.map(str::to_owned),
        });
        id
    }

    /// Adds a custom ticket status (what `ticket/status/open` takes as `status_id`);
    /// returns its id.
    pub fn add_status(&self, name: &str) -> String {
        let mut data = self.lock();
        let id = data.new_id("status");
        data.statuses.push(TicketStatus {
            id: id.clone(),
            name: name.to_owned(),
        });
        id
    }

    /// Adds a customer from the `customer/new` fields (`customer_id`, `name`, `email`,
    /// `phone`, `create_tickets`, `organization_id`, `language`, `portfolio_id`,
    /// `password`, `custom_fields: {id: value}`) plus `creation_date`
    /// (`YYYY-MM-DD HH:MM:SS`, Brasília time). Returns its id (hash).
    ///
    /// # Panics
    /// When the API would refuse the fields.
    pub fn seed_customer(&self, customer: Value) -> String {
        let params = Params::from_json(&customer);
        let created = seed_date(&customer, "creation_date").unwrap_or_else(dates::now_unix);
        let mut data = self.lock();
        seeded(
            "customer",
            customers::create(&mut data, &params, created)
                .map(|index| data.customers[index].id.clone()),
        )
    }

    /// Adds a ticket from the `ticket/new` fields (`customer_id`, `customer_id_type`,
    /// `department_id`, `subject`, `message`, `category_id`, `priority`, `operator_id`,
    /// `custom_fields: {id: value}`) plus `creation_date`, `end_date`, `last_update` (default:
    /// the latest of creation, end and replies), `situation` (0–11: 10 and 11 exist beyond
    /// the documented 0–9), `ticket_type`, `tags: [..]` and
    /// `replies: [{sender_type: "C"|"O", message, date?}]`.
    /// Returns its id (hash); the protocol is the next one.
    ///
    /// # Panics
    /// When the API would refuse the fields.
    pub fn seed_ticket(&self, ticket: Value) -> String {
        let params = Params::from_json(&ticket);
        let now = dates::now_unix();
        let created = seed_date(&ticket, "creation_date").unwrap_or(now);
        let mut data = self.lock();
        let index = seeded("ticket", tickets::create(&mut data, &params, created));
        let ended = seed_date(&ticket, "end_date");
        let mut replies = Vec::new();
        for reply in ticket
            .get("replies")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let sender_type = reply
                .get("sender_type")
                .and_then(Value::as_str)
                .unwrap_or("C")
                .to_owned();
            let sender_name = match sender_type.as_str() {
                "O" => data.operator_ref(data.tickets[index].operator_id.as_deref())["name"]
                    .as_str()
                    .unwrap_or("Atendente")
                    .to_owned(),
                _ => data.customer_ref(&data.tickets[index].customer_id)["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            };
            let id = data.new_id("reply");
            replies.push(Reply {
                id,
                message: reply
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                sender_type,
                sender_name,
                date: seed_date(reply, "date").unwrap_or(created),
                attachments: Vec::new(),
            });
        }
        let ticket_ref = &mut data.tickets[index];
        ticket_ref.replies = replies;
        if let Some(situation) = ticket.get("situation").and_then(Value::as_u64) {
            assert!(
                situation <= u64::from(MAX_SITUATION),
                "invalid situation seed {situation}"
            );
            ticket_ref.situation = situation as u8;
        }
        if let Some(kind) = ticket.get("ticket_type").and_then(Value::as_str) {
            ticket_ref.ticket_type = kind.to_owned();
        }
        ticket_ref.ended = ended.or(ticket_ref.ended);
        if ticket_ref.is_closed() && ticket_ref.ended.is_none() {
            ticket_ref.ended = Some(created.max(now));
        }
        let last_reply = ticket_ref.replies.iter().map(|r| r.date).max();
        ticket_ref.updated = seed_date(&ticket, "last_update").unwrap_or_else(|| {
            [Some(created), ticket_ref.ended, last_reply]
                .into_iter()
                .flatten()
                .max()
                .unwrap_or(created)
        });
        ticket_ref.tags = ticket
            .get("tags")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
        ticket_ref.id.clone()
    }

    /// Adds a chat: `customer_id` (internal id; `customer_id_type: "E"` for an e-mail),
    /// `department_id`, `operator_id`, `situation` (1 waiting, 2 active, 3 finished,
    /// 4 cancelled; default 3), `creation_date`, `end_date` and
    /// `messages: [{sender_type: "C"|"O", message, date?}]`. Returns its id (hash); the
    /// protocol is the next chat protocol.
    ///
    /// # Panics
    /// When a field is invalid or names something unknown.
    pub fn add_chat(&self, chat: Value) -> String {
        let params = Params::from_json(&chat);
        let created = seed_date(&chat, "creation_date").unwrap_or_else(dates::now_unix);
        let mut data = self.lock();
        let mut new = seeded("chat", chats::check_new(&data, &params));
        new.created = created;
        new.ended = seed_date(&chat, "end_date");
        if new.ended.is_none() && matches!(new.situation, 3 | 4) {
            new.ended = Some(created);
        }
        for message in chat
            .get("messages")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            new.messages.push(ChatMessage {
                sender_type: message
                    .get("sender_type")
                    .and_then(Value::as_str)
                    .unwrap_or("C")
                    .to_owned(),
                message: message
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                date: seed_date(message, "date").unwrap_or(created),
            });
        }
        new.id = data.new_id("chat");
        new.protocol = data.next_chat_protocol();
        let id = new.id.clone();
        data.chats.push(new);
        id
    }

    /// Seeds a small account: two departments with operators, categories and fields,
    /// an organization, two custom statuses, three customers, a few tickets and a chat.
    /// Returns the id of the first department (what `department_id` options want).
    pub fn seed_demo(&self) -> String {
        let support = self.add_department("Suporte");
        let billing = self.add_department("Financeiro");
        let ana = self.add_operator(&support, "Ana Souza");
        let bruno = self.add_operator(&support, "Bruno Lima");
        let carla = self.add_operator(&billing, "Carla Dias");
        self.add_operator_to_department(&ana, &billing);
        let bug = self.add_category(&support, "Erro no sistema");
        self.add_category(&support, "Dúvida");
        let invoice = self.add_category(&billing, "Boleto");
        self.add_custom_field(&support, None, "Versão do sistema");
        self.add_custom_field_with(
            &support,
            Some(&bug),
            "Gravidade",
            "select",
            false,
            &["baixa", "média", "alta"],
        );
        self.add_custom_field(&billing, Some(&invoice), "Número do boleto");
        self.add_status("Aguardando fornecedor");
        self.add_status("Em análise");
        let acme = self.add_organization("Acme Ltda", None);
        self.seed_customer(json!({
            "customer_id": "C-1", "name": "Maria Silva", "email": "maria@example.com",
            "phone": "+5511999990001", "organization_id": acme,
        }));
        self.seed_customer(json!({
            "customer_id": "C-2", "name": "João Pereira", "email": "joao@example.com",
            "language": "pt-BR",
        }));
        self.seed_customer(json!({
            "customer_id": "C-3", "name": "Lucía Gómez", "email": "lucia@example.com",
            "language": "es_ES",
        }));
        self.seed_ticket(json!({
            "customer_id": "C-1", "department_id": support, "category_id": bug,
            "subject": "Erro ao emitir relatório", "message": "O relatório mensal não abre.",
            "priority": 3, "operator_id": ana,
            "replies": [{"sender_type": "O", "message": "Estamos verificando."}],
            "situation": 2,
        }));
        self.seed_ticket(json!({
            "customer_id": "joao@example.com", "customer_id_type": "E",
            "department_id": billing, "category_id": invoice,
            "subject": "Segunda via do boleto", "message": "Preciso da segunda via.",
            "operator_id": carla, "situation": 5,
        }));
        self.seed_ticket(json!({
            "customer_id": "C-3", "department_id": support,
            "subject": "Cómo exportar datos", "message": "¿Cómo exporto mis datos?",
        }));
        self.add_chat(json!({
            "customer_id": "C-1", "department_id": support, "operator_id": bruno,
            "situation": 3,
            "messages": [
                {"sender_type": "C", "message": "Olá, preciso de ajuda."},
                {"sender_type": "O", "message": "Claro! Como posso ajudar?"},
            ],
        }));
        support
    }
}
