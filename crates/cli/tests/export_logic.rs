//! The export logic (formats, state, resume, `--since`, interruptions)
//! against a small in-test implementation of the facade's `Tickets` trait, so
//! it is tested whatever the provider adapters can do.

use std::path::Path;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, TimeZone, Utc};
use futures::StreamExt;
use supportkit::{
    Capabilities, Capability, Capable, Contact, Fut, NewReply, NewTicket, Normalized, Provider,
    Records, RemoteId, Ticket, TicketFilter, TicketStatus, Tickets, unsupported,
};
use supportkit_cli::Error;
use supportkit_cli::export::{
    ExportOptions, Format, Kind, Progress, Resume, State, export_records, state_path,
};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap()
}

fn ticket(i: u64) -> Ticket {
    let status = Normalized::new(
        if i.is_multiple_of(2) {
            TicketStatus::Open
        } else {
            TicketStatus::Closed
        },
        if i.is_multiple_of(2) { "1" } else { "5" },
    );
    let mut t = Ticket::new(
        RemoteId::new(Provider::TomTicket, format!("t{i:04}")),
        status,
    );
    t.number = Some(1000 + i);
    // Commas, quotes and a line break: CSV must quote them and resume must still work.
    t.subject = Some(format!("Ticket {i}, \"urgent\"\nsecond line"));
    t.requester_name = Some("Ana".into());
    t.remote_created_at = Some(t0());
    t.remote_updated_at = Some(t0() + Duration::days(i as i64));
    t.raw = serde_json::json!({ "id": format!("t{i:04}"), "nested": { "n": i } }).into();
    t
}

/// Tickets held in memory; `list_tickets` honours the filter like an adapter would.
struct FakeTickets {
    caps: Capabilities,
    tickets: Vec<Ticket>,
}

impl FakeTickets {
    fn new(n: u64) -> Self {
        FakeTickets {
            caps: Capabilities::new(Provider::TomTicket, [Capability::ListTickets], []),
            tickets: (0..n).map(ticket).collect(),
        }
    }
    fn ids(&self) -> Vec<String> {
        self.tickets.iter().map(|t| t.id.to_string()).collect()
    }
}

impl Capable for FakeTickets {
    fn capabilities(&self) -> &Capabilities {
        &self.caps
    }
}

impl Tickets for FakeTickets {
    fn list_tickets(&self, filter: TicketFilter) -> Records<'_, Ticket> {
        futures::stream::iter(
            self.tickets
                .iter()
                .filter(move |t| filter.matches(t))
                .cloned()
                .map(Ok),
        )
        .boxed()
    }
    fn get_ticket<'a>(&'a self, _id: &'a str) -> Fut<'a, Ticket> {
        Box::pin(async { Err(unsupported(Provider::TomTicket, Capability::GetTicket)) })
    }
    fn create_ticket(&self, _ticket: NewTicket) -> Fut<'_, Ticket> {
        Box::pin(async { Err(unsupported(Provider::TomTicket, Capability::CreateTicket)) })
    }
    fn reply_ticket<'a>(&'a self, _id: &'a str, _reply: NewReply) -> Fut<'a, ()> {
        Box::pin(async { Err(unsupported(Provider::TomTicket, Capability::ReplyTicket)) })
    }
    fn close_ticket<'a>(&'a self, _id: &'a str) -> Fut<'a, ()> {
        Box::pin(async { Err(unsupported(Provider::TomTicket, Capability::CloseTicket)) })
    }
}

fn opts(out: &Path) -> ExportOptions {
    let mut o = ExportOptions::new(Kind::Tickets, "tomticket", out);
    o.batch = 7;
    o.progress = Progress::Quiet;
    o
}

fn never() -> std::future::Pending<()> {
    std::future::pending()
}

fn block<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

fn read_state(out: &Path) -> State {
    serde_json::from_slice(&std::fs::read(state_path(out)).unwrap()).unwrap()
}

fn jsonl_ids(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.is_empty() || text.ends_with('\n'), "partial last line");
    text.lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("complete JSON line");
            serde_json::from_value::<RemoteId>(v["id"].clone())
                .unwrap()
                .to_string()
        })
        .collect()
}

fn csv_rows(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut rdr = csv::Reader::from_path(path).unwrap();
    let header = rdr.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = rdr
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

#[test]
fn jsonl_holds_every_record_once_and_the_state_matches() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("tickets.jsonl");
    let fake = FakeTickets::new(250);
    let summary = block(export_records(
        fake.list_tickets(TicketFilter::default()),
        &opts(&out),
        never(),
    ))
    .unwrap();
    assert_eq!((summary.total, summary.written), (250, 250));
    assert!(summary.complete);
    assert_eq!(jsonl_ids(&out), fake.ids());
    let state = read_state(&out);
    assert!(state.complete);
    assert_eq!(state.records, 250);
    assert_eq!(state.bytes, std::fs::metadata(&out).unwrap().len());
    assert_eq!(state.last_id.as_deref(), Some("tomticket:t0249"));
    // A line is the serialized normalized record.
    let first: Ticket = serde_json::from_str(
        std::fs::read_to_string(&out)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(first, ticket(0));
}

#[test]
fn csv_rows_are_flat_and_quoted() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("tickets.csv");
    let fake = FakeTickets::new(3);
    let o = opts(&out);
    assert_eq!(o.format, Format::Csv);
    block(export_records(
        fake.list_tickets(TicketFilter::default()),
        &o,
        never(),
    ))
    .unwrap();
    let (header, rows) = csv_rows(&out);
    assert_eq!(
        header,
        [
            "id",
            "number",
            "subject",
            "status",
            "status_original",
            "priority",
            "priority_original",
            "requester_id",
            "requester_name",
            "requester_email",
            "assignee_id",
            "created",
            "updated"
        ]
    );
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[1][0], "tomticket:t0001");
    assert_eq!(rows[1][1], "1001");
    assert_eq!(rows[1][2], "Ticket 1, \"urgent\"\nsecond line");
    assert_eq!((rows[1][3].as_str(), rows[1][4].as_str()), ("closed", "5"));
    assert_eq!(rows[1][11], "2024-01-01T00:00:00Z");
    assert_eq!(rows[1][12], "2024-01-02T00:00:00Z");
}

/// Interrupt after `limit` records, damage the tail as a crash mid-write would, resume.
fn resume_after_interruption(out: &Path, partial_tail: &[u8], ids_of: fn(&Path) -> Vec<String>) {
    let fake = FakeTickets::new(250);
    let mut first = opts(out);
    first.limit = Some(100);
    let summary = block(export_records(
        fake.list_tickets(TicketFilter::default()),
        &first,
        never(),
    ))
    .unwrap();
    assert!(!summary.complete);
    assert_eq!(summary.total, 100);
    assert!(!read_state(out).complete);
    // A crash while appending the next batch: a half-written record at the end.
    let mut file = std::fs::OpenOptions::new().append(true).open(out).unwrap();
    std::io::Write::write_all(&mut file, partial_tail).unwrap();
    drop(file);

    let summary = block(export_records(
        fake.list_tickets(TicketFilter::default()),
        &opts(out),
        never(),
    ))
    .unwrap();
    assert!(summary.complete);
    assert_eq!(
        (summary.resumed, summary.written, summary.duplicates),
        (100, 150, 100)
    );
    let ids = ids_of(out);
    assert_eq!(ids, fake.ids(), "every record exactly once, in order");

    // Running it again appends nothing.
    let again = block(export_records(
        fake.list_tickets(TicketFilter::default()),
        &opts(out),
        never(),
    ))
    .unwrap();
    assert_eq!((again.total, again.written), (250, 0));
    assert_eq!(ids_of(out), fake.ids());
}

#[test]
fn jsonl_resumes_without_duplicates_or_partial_lines() {
    let dir = tempfile::tempdir().unwrap();
    resume_after_interruption(
        &dir.path().join("t.jsonl"),
        br#"{"id":{"provider":"tomticket","id":"t0100"},"subj"#,
        jsonl_ids,
    );
}

#[test]
fn csv_resumes_without_duplicates_or_partial_rows() {
    let dir = tempfile::tempdir().unwrap();
    resume_after_interruption(
        &dir.path().join("t.csv"),
        b"tomticket:t0100,1100,\"Ticket 100, \"\"urgent\"\"\nsecond",
        |p| csv_rows(p).1.into_iter().map(|r| r[0].clone()).collect(),
    );
}

#[test]
fn records_written_after_the_last_state_are_not_duplicated() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t.jsonl");
    let fake = FakeTickets::new(30);
    let mut first = opts(&out);
    first.limit = Some(10);
    block(export_records(
        fake.list_tickets(TicketFilter::default()),
        &first,
        never(),
    ))
    .unwrap();
    // Complete lines appended after the state was saved (crash before the state update).
    let mut extra = String::new();
    for i in 10..13 {
        extra.push_str(&serde_json::to_string(&ticket(i)).unwrap());
        extra.push('\n');
    }
    let mut file = std::fs::OpenOptions::new().append(true).open(&out).unwrap();
    std::io::Write::write_all(&mut file, extra.as_bytes()).unwrap();
    drop(file);
    block(export_records(
        fake.list_tickets(TicketFilter::default()),
        &opts(&out),
        never(),
    ))
    .unwrap();
    assert_eq!(jsonl_ids(&out), fake.ids());
}

#[test]
fn repeated_records_in_the_stream_are_written_once() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t.jsonl");
    // A page boundary that shifted: records 3..5 come twice.
    let items: Vec<_> = (0..5).chain(3..8).map(|i| Ok(ticket(i))).collect();
    let summary = block(export_records(
        futures::stream::iter(items).boxed(),
        &opts(&out),
        never(),
    ))
    .unwrap();
    assert_eq!((summary.total, summary.duplicates), (8, 2));
    assert_eq!(jsonl_ids(&out), FakeTickets::new(8).ids());
}

#[test]
fn since_filters_records_even_when_the_provider_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t.jsonl");
    let fake = FakeTickets::new(20);
    let mut o = opts(&out);
    o.since = Some(t0() + Duration::days(15));
    // The stream ignores the filter (as a provider without native filtering would).
    let summary = block(export_records(
        fake.list_tickets(TicketFilter::default()),
        &o,
        never(),
    ))
    .unwrap();
    assert_eq!((summary.total, summary.filtered), (5, 15));
    assert_eq!(jsonl_ids(&out), fake.ids()[15..].to_vec());
    assert_eq!(read_state(&out).since, o.since);
    // A different --since on the same file is refused.
    let mut other = opts(&out);
    other.since = Some(t0());
    let err = block(export_records(
        fake.list_tickets(TicketFilter::default()),
        &other,
        never(),
    ))
    .unwrap_err();
    assert!(err.to_string().contains("--restart"), "{err}");
    // Contacts compare their creation time.
    let contacts_out = dir.path().join("c.jsonl");
    let contact = |i: i64, created: Option<DateTime<Utc>>| {
        let mut c = Contact::new(RemoteId::new(Provider::ChatApi, i.to_string()));
        c.tags = vec!["a".into(), "b".into()];
        c.remote_created_at = created;
        c
    };
    let items = vec![
        Ok(contact(1, Some(t0()))),
        Ok(contact(2, Some(t0() + Duration::days(2)))),
        Ok(contact(3, None)),
    ];
    let mut o = ExportOptions::new(Kind::Contacts, "chatapi", &contacts_out);
    o.progress = Progress::Quiet;
    o.since = Some(t0() + Duration::days(1));
    block(export_records(
        futures::stream::iter(items).boxed(),
        &o,
        never(),
    ))
    .unwrap();
    assert_eq!(jsonl_ids(&contacts_out), ["chatapi:2"]);
}

#[test]
fn an_interrupt_saves_the_state_and_the_export_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t.jsonl");
    let fake = FakeTickets::new(40);
    // Yield 12 records, then fire the "Ctrl-C" and never yield again.
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let tx = Arc::new(Mutex::new(Some(tx)));
    let head = futures::stream::iter((0..12).map(|i| Ok(ticket(i))));
    let fire = futures::stream::once(async move {
        if let Some(tx) = tx.lock().unwrap().take() {
            let _ = tx.send(());
        }
        futures::future::pending::<()>().await;
        unreachable!()
    });
    let stream = head.chain(fire).boxed();
    let err = block(export_records(stream, &opts(&out), async {
        let _ = rx.await;
    }))
    .unwrap_err();
    assert!(matches!(err, Error::Interrupted(_)), "{err}");
    assert_eq!(err.exit_code(), 130);
    assert_eq!(jsonl_ids(&out).len(), 12);
    assert_eq!(read_state(&out).records, 12);
    block(export_records(
        fake.list_tickets(TicketFilter::default()),
        &opts(&out),
        never(),
    ))
    .unwrap();
    assert_eq!(jsonl_ids(&out), fake.ids());
}

#[test]
fn a_stream_error_keeps_what_was_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t.jsonl");
    let mut items: Vec<_> = (0..9).map(|i| Ok(ticket(i))).collect();
    items.push(Err(supportkit::Error::from_status("tomticket", 503)));
    let err = block(export_records(
        futures::stream::iter(items).boxed(),
        &opts(&out),
        never(),
    ))
    .unwrap_err();
    assert_eq!(err.exit_code(), 1);
    assert!(err.to_string().contains("503"), "{err}");
    assert_eq!(read_state(&out).records, 9);
    let fake = FakeTickets::new(15);
    block(export_records(
        fake.list_tickets(TicketFilter::default()),
        &opts(&out),
        never(),
    ))
    .unwrap();
    assert_eq!(jsonl_ids(&out), fake.ids());
}

#[test]
fn an_existing_file_without_state_needs_resume_or_restart() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t.jsonl");
    let mut content = String::new();
    for i in 0..3 {
        content.push_str(&serde_json::to_string(&ticket(i)).unwrap());
        content.push('\n');
    }
    content.push_str("{\"id\": {\"prov"); // a partial last line
    std::fs::write(&out, &content).unwrap();
    let fake = FakeTickets::new(6);
    let err = block(export_records(
        fake.list_tickets(TicketFilter::default()),
        &opts(&out),
        never(),
    ))
    .unwrap_err();
    assert!(
        err.to_string().contains("--resume") && err.to_string().contains("--restart"),
        "{err}"
    );
    let mut resume = opts(&out);
    resume.resume = Resume::Resume;
    let summary = block(export_records(
        fake.list_tickets(TicketFilter::default()),
        &resume,
        never(),
    ))
    .unwrap();
    assert_eq!((summary.resumed, summary.written), (3, 3));
    assert_eq!(jsonl_ids(&out), fake.ids());

    let mut restart = opts(&out);
    restart.resume = Resume::Restart;
    let two = FakeTickets::new(2);
    block(export_records(
        two.list_tickets(TicketFilter::default()),
        &restart,
        never(),
    ))
    .unwrap();
    assert_eq!(jsonl_ids(&out), two.ids());
}
