//! The syncer: a complete listing (the backfill) committed page by page,
//! then the change feed; child streams with their own cursors; every commit
//! one transaction of rows, events and cursor.

use std::sync::Arc;

use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use supportkit::events::{Checkpoint, EventCapabilities, EventKind, ResourceKind};
use supportkit::{
    Connection, ContactFilter, ConversationFilter, ListPage, TicketFilter, unresumable_pages,
};

/// A page of rows and the token of the next page.
type RowPage = (Vec<Row>, Option<String>);

use crate::db::{Batch, Database, Source, WriterLock};
use crate::error::Error;
use crate::resource::{Resource, Row};
pub use crate::run::{Observer, Quiet, Stop, Summary, SyncOptions};
use crate::state::{ChildCursor, Listing, ResourceState, from_json, to_json};

/// Mirrors one provider account into a [`Database`].
pub struct Syncer {
    db: Arc<Database>,
    connection: Connection,
    options: SyncOptions,
    plan: Vec<Resource>,
    locks: Vec<WriterLock>,
    observer: Arc<dyn Observer>,
    stop: Stop,
}

/// Which event kinds must be polled for the change feed to see every change
/// of a resource (else each run lists it completely).
fn feed_follows(caps: &EventCapabilities, kind: ResourceKind) -> bool {
    use EventKind::*;
    let needed: &[EventKind] = match kind {
        ResourceKind::Ticket => &[TicketCreated, TicketUpdated],
        ResourceKind::Contact => &[ContactCreated, ContactUpdated],
        ResourceKind::Conversation => &[ConversationOpened, ConversationClosed],
        _ => &[],
    };
    !needed.is_empty() && needed.iter().all(|k| caps.polling.contains(k))
}

impl Syncer {
    /// A syncer of `connection`'s provider into `db`. Nothing is read or
    /// written before [`lock`](Self::lock).
    pub fn new(db: Arc<Database>, connection: Connection, options: SyncOptions) -> Self {
        let supported = |r: Resource| connection.capabilities.supports(r.operation());
        let plan = Resource::ALL
            .into_iter()
            .filter(|r| supported(*r))
            .filter(|r| {
                options
                    .resources
                    .as_ref()
                    .is_none_or(|only| only.contains(r))
            })
            .collect();
        Syncer {
            db,
            connection,
            options,
            plan,
            locks: Vec::new(),
            observer: Arc::new(Quiet),
            stop: Stop::new(),
        }
    }

    /// Reports commits to `observer`.
    pub fn observer(mut self, observer: Arc<dyn Observer>) -> Self {
        self.observer = observer;
        self
    }

    /// Stops at the next commit once `stop` is triggered.
    pub fn stop(mut self, stop: Stop) -> Self {
        self.stop = stop;
        self
    }

    /// The resources this syncer mirrors: those asked for that the provider lists.
    pub fn plan(&self) -> &[Resource] {
        &self.plan
    }

    /// The top-level resources whose writer locks cover the plan.
    fn lock_scopes(&self) -> Vec<Resource> {
        let mut scopes: Vec<Resource> =
            self.plan.iter().map(|r| r.parent().unwrap_or(*r)).collect();
        scopes.dedup();
        scopes.sort();
        scopes.dedup();
        scopes
    }

    /// Takes the writer lock of every resource in the plan (a child stream
    /// under its parent's), or fails naming the syncer that holds one.
    pub async fn lock(&mut self) -> Result<(), Error> {
        for scope in self.lock_scopes() {
            if self.locks.iter().any(|l| l.resource() == scope) {
                continue;
            }
            let lock = self
                .db
                .lock(self.connection.provider, &self.options.account, scope)
                .await?;
            self.locks.push(lock);
        }
        Ok(())
    }

    /// Releases the writer locks. Call it when done: a PostgreSQL lock goes
    /// with the connection, but a SQLite lock row of a dropped syncer stays
    /// until this process ends (other processes then take it over).
    pub async fn unlock(&mut self) -> Result<(), Error> {
        for lock in std::mem::take(&mut self.locks) {
            self.db.unlock(lock).await?;
        }
        Ok(())
    }

    fn lock_of(&self, resource: Resource) -> Option<&WriterLock> {
        let scope = resource.parent().unwrap_or(resource);
        self.locks.iter().find(|l| l.resource() == scope)
    }

    fn batch(&self) -> Batch {
        Batch::new(self.connection.provider, self.options.account.clone())
    }

    async fn commit(
        &self,
        resource: Resource,
        batch: Batch,
        summary: &mut Summary,
    ) -> Result<(), Error> {
        let applied = self.db.apply(batch, self.lock_of(resource)).await?;
        self.observer.committed(resource, &applied);
        summary.add(resource, applied);
        Ok(())
    }

    fn stopped(&self, summary: &Summary) -> Error {
        Error::interrupted(format!(
            "stopped: {} rows and {} new events committed by this run",
            summary.rows(),
            summary.new_events()
        ))
    }

    /// One pass over the plan: each resource's pending or first listing,
    /// then its change feed, then its child stream. Takes the locks first if
    /// [`lock`](Self::lock) was not called. A failure or stop leaves
    /// everything committed before it, and the next run resumes from there.
    pub async fn run_once(&mut self) -> Result<Summary, Error> {
        if self.locks.is_empty() {
            self.lock().await?;
        }
        let mut summary = Summary::default();
        for resource in self.plan.clone() {
            if resource.parent().is_some() {
                self.children(resource, &mut summary).await?;
            } else {
                self.resource(resource, &mut summary).await?;
            }
            if self.stop.requested() {
                return Err(self.stopped(&summary));
            }
        }
        Ok(summary)
    }

    async fn state(&self, resource: Resource) -> Result<ResourceState, Error> {
        let text = self
            .db
            .load_state(
                self.connection.provider,
                &self.options.account,
                resource,
                None,
            )
            .await?;
        from_json(text.as_deref(), resource.as_str())
    }

    async fn resource(&self, resource: Resource, summary: &mut Summary) -> Result<(), Error> {
        let mut state = self.state(resource).await?;
        let kind = resource.event_kind();
        let polled = kind.filter(|k| {
            self.connection
                .changes(Checkpoint::since(chrono::Utc::now()))
                .resources(&[*k])
                .polled_resources()
                .contains(k)
        });
        let follows =
            polled.is_some_and(|k| feed_follows(&self.connection.event_capabilities(), k));
        if state.listing.is_some()
            || state.listed_at.is_none()
            || self.options.reconcile
            || !follows
        {
            let listing = match state.listing.take() {
                Some(listing) => {
                    self.observer.note(&format!(
                        "{resource}: resuming the listing started {} ({} rows committed)",
                        listing.started_at, listing.rows
                    ));
                    listing
                }
                None => Listing::start(self.options.reconcile),
            };
            self.list(resource, &mut state, listing, polled.is_some(), summary)
                .await?;
        }
        if let Some(kind) = polled {
            self.follow(resource, kind, &mut state, summary).await?;
        }
        Ok(())
    }

    /// A complete listing, committed page by page with its cursor (the
    /// token of the next page, where the provider has one).
    async fn list(
        &self,
        resource: Resource,
        state: &mut ResourceState,
        mut listing: Listing,
        polled: bool,
        summary: &mut Summary,
    ) -> Result<(), Error> {
        let mut pages = self.pages(resource, listing.resume.clone())?;
        loop {
            let next = tokio::select! {
                biased;
                // Every page read is committed: nothing is pending.
                () = self.stop.wait() => return Err(self.stopped(summary)),
                next = pages.next() => next,
            };
            let mut batch = self.batch();
            match next {
                Some(Ok((rows, resume))) => {
                    listing.rows += rows.len() as u64;
                    listing.resume = resume;
                    for row in rows {
                        batch.row(row);
                    }
                    state.listing = Some(listing.clone());
                    self.commit_listing(resource, batch, state, &listing, summary)
                        .await?;
                }
                Some(Err(e)) => return Err(e.into()),
                None => {
                    // Complete: the feed takes over from the listing's start.
                    state.listing = None;
                    state.listed_at = Some(listing.started_at);
                    if polled && state.feed.is_none() {
                        state.feed = Some(Checkpoint::since(listing.started_at));
                    }
                    if listing.reconcile {
                        // A record the listing missed although it exists (a
                        // page shifted under it) is read and kept, not deleted.
                        for row in self.confirm_unlisted(resource, &listing).await? {
                            batch.row(row);
                        }
                        batch.reconcile(resource, &listing.id, None);
                    }
                    return self
                        .commit_listing(resource, batch, state, &listing, summary)
                        .await;
                }
            }
        }
    }

    async fn commit_listing(
        &self,
        resource: Resource,
        mut batch: Batch,
        state: &ResourceState,
        listing: &Listing,
        summary: &mut Summary,
    ) -> Result<(), Error> {
        batch.listed_in(Some(listing.id.clone()));
        batch.state(resource, None, to_json(state));
        self.commit(resource, batch, summary).await
    }

    /// The live rows a complete listing did not see, each asked for by id:
    /// those the provider still has, as rows to keep; the rest are gone.
    async fn confirm_unlisted(
        &self,
        resource: Resource,
        listing: &Listing,
    ) -> Result<Vec<Row>, Error> {
        let missing = self
            .db
            .unlisted(
                self.connection.provider,
                &self.options.account,
                resource,
                &listing.id,
            )
            .await?;
        let c = &self.connection;
        let mut found = Vec::new();
        for id in missing {
            let row = match resource {
                Resource::Tickets => c.tickets()?.get_ticket(&id).await.map(|t| Row::ticket(&t)),
                Resource::Contacts => c
                    .contacts()?
                    .get_contact(&id)
                    .await
                    .map(|t| Row::contact(&t)),
                Resource::Conversations => c
                    .conversations()?
                    .get_conversation(&id)
                    .await
                    .map(|t| Row::conversation(&t)),
                // Agents have no single read: the listing is the word.
                _ => continue,
            };
            match row {
                Ok(row) => {
                    self.observer.note(&format!(
                        "{resource}: {id} was missing from the listing but exists; kept"
                    ));
                    found.push(row);
                }
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(found)
    }

    /// The change feed from the stored checkpoint: each batch of events is
    /// committed with their records and the checkpoint that has them.
    async fn follow(
        &self,
        resource: Resource,
        kind: ResourceKind,
        state: &mut ResourceState,
        summary: &mut Summary,
    ) -> Result<(), Error> {
        let start = state
            .feed
            .clone()
            .unwrap_or_else(|| Checkpoint::since(chrono::Utc::now()));
        let mut feed = self.connection.changes(start).resources(&[kind]);
        if let Some(overlap) = self.options.overlap {
            feed = feed.overlap(overlap);
        }
        let mut done = feed.checkpoint().clone();
        let events = tokio::select! {
            biased;
            () = self.stop.wait() => return Err(self.stopped(summary)),
            events = feed.poll() => events?,
        };
        for chunk in events.chunks(self.options.batch.max(1)) {
            let mut batch = self.batch();
            for event in chunk {
                batch.event(event, Source::Feed);
                done.record(event);
            }
            state.feed = Some(done.clone());
            batch.state(resource, None, to_json(state));
            self.commit(resource, batch, summary).await?;
            if self.stop.requested() {
                return Err(self.stopped(summary));
            }
        }
        state.feed = Some(feed.checkpoint().clone());
        let mut batch = self.batch();
        batch.state(resource, None, to_json(state));
        self.commit(resource, batch, summary).await
    }

    /// Each parent whose children may have changed since its child cursor:
    /// its children read in full and committed with the cursor, one parent
    /// per commit.
    async fn children(&self, child: Resource, summary: &mut Summary) -> Result<(), Error> {
        let provider = self.connection.provider;
        let parents = self
            .db
            .parents(provider, &self.options.account, child)
            .await?;
        for parent in parents {
            let cursor: Option<ChildCursor> = match &parent.cursor {
                None => None,
                Some(text) => Some(from_json(Some(text), child.as_str())?),
            };
            let unchanged = cursor.as_ref().is_some_and(|c| {
                parent.updated_at.is_some() && c.parent_updated_at == parent.updated_at
            });
            if unchanged && !self.options.reconcile {
                continue;
            }
            let rows = tokio::select! {
                biased;
                () = self.stop.wait() => return Err(self.stopped(summary)),
                rows = self.child_rows(child, &parent.id) => rows,
            };
            let rows = match rows {
                Ok(rows) => rows,
                Err(e) if e.is_not_found() => {
                    // Gone at the provider since it was listed: a listing
                    // or webhook will say so; nothing to read here.
                    self.observer.note(&format!(
                        "{child}: {} {} is gone at the provider; skipped",
                        child.parent().expect("a child"),
                        parent.id
                    ));
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            let mut batch = self.batch();
            let count = rows.len() as u64;
            for row in rows {
                batch.row(row);
            }
            if self.options.reconcile {
                let listing = Listing::start(true);
                batch.listed_in(Some(listing.id.clone()));
                batch.reconcile(child, &listing.id, Some(&parent.id));
            }
            let cursor = ChildCursor {
                parent_updated_at: parent.updated_at.clone(),
                count,
            };
            batch.state(child, Some(&parent.id), to_json(&cursor));
            self.commit(child, batch, summary).await?;
            if self.stop.requested() {
                return Err(self.stopped(summary));
            }
        }
        Ok(())
    }

    async fn child_rows(
        &self,
        child: Resource,
        parent: &str,
    ) -> Result<Vec<Row>, supportkit::Error> {
        let c = &self.connection;
        match child {
            Resource::TicketReplies => {
                let replies: Vec<_> = c.tickets()?.ticket_replies(parent).try_collect().await?;
                Ok(replies
                    .iter()
                    .enumerate()
                    .map(|(i, r)| Row::reply(r, i))
                    .collect())
            }
            Resource::Messages => {
                let messages: Vec<_> = c
                    .conversations()?
                    .conversation_messages(parent)
                    .try_collect()
                    .await?;
                Ok(messages
                    .iter()
                    .enumerate()
                    .filter_map(|(i, m)| Row::message(m, Some(i)))
                    .collect())
            }
            _ => unreachable!("{child} is not a child stream"),
        }
    }

    /// A resource's complete listing from the page `from` names: each
    /// page as rows, with the token of the page after it.
    fn pages(
        &self,
        resource: Resource,
        from: Option<String>,
    ) -> Result<BoxStream<'_, Result<RowPage, supportkit::Error>>, Error> {
        fn rows<T>(page: ListPage<T>, row: impl Fn(&T) -> Row) -> RowPage {
            (page.items.iter().map(row).collect(), page.next)
        }
        let c = &self.connection;
        Ok(match resource {
            Resource::Tickets => c
                .tickets()?
                .ticket_pages(TicketFilter::default(), from)
                .map_ok(|p| rows(p, Row::ticket))
                .boxed(),
            Resource::Contacts => c
                .contacts()?
                .contact_pages(ContactFilter::default(), from)
                .map_ok(|p| rows(p, Row::contact))
                .boxed(),
            Resource::Conversations => c
                .conversations()?
                .conversation_pages(ConversationFilter::default(), from)
                .map_ok(|p| rows(p, Row::conversation))
                .boxed(),
            Resource::Agents => unresumable_pages(c.agents()?.list_agents())
                .map_ok(|p| rows(p, Row::agent))
                .boxed(),
            Resource::TicketReplies | Resource::Messages => {
                unreachable!("{resource} is a child stream")
            }
        })
    }

    /// The database.
    pub fn database(&self) -> &Arc<Database> {
        &self.db
    }
}
