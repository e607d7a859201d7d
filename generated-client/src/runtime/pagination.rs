use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::stream::{self, Stream};

use super::error::Result;
use super::response::ApiResponse;

/// A decoded list response: its items and where it stands among the pages.
pub trait PageData: Send + 'static {
    /// One item of `data`.
    type Item: Send + 'static;
    /// The items of this page.
    fn items(&self) -> &[Self::Item];
    /// The items of this page, owned.
    fn into_items(self) -> Vec<Self::Item>;
    /// `meta.page_number`, if present.
    fn page_number(&self) -> Option<i64>;
    /// `meta.total_pages`, if present.
    fn total_pages(&self) -> Option<i64>;
}

/// What [`Paginated::fetch`] returns: a boxed, `Send` future of one decoded page.
pub type PageFuture<D> = Pin<Box<dyn Future<Output = Result<ApiResponse<D>>> + Send>>;

/// A list request that can ask for another page.
pub trait Paginated: Clone + Send + Sync + Sized + 'static {
    /// The decoded page.
    type Data: PageData;
    /// The page number this request asks for (the server's default when unset).
    fn page_number(&self) -> Option<i64>;
    /// The same request for page `n`.
    fn with_page_number(self, n: i64) -> Self;
    /// Sends the request.
    fn fetch(self) -> PageFuture<Self::Data>;
}

/// One page of a list operation, with the request that produced it.
#[derive(Debug, Clone)]
pub struct Page<R: Paginated> {
    response: ApiResponse<R::Data>,
    request: R,
}

impl<R: Paginated> Page<R> {
    #[doc(hidden)]
    pub fn new(request: R, response: ApiResponse<R::Data>) -> Self {
        Self { response, request }
    }

    /// The status, headers and decoded body.
    pub fn response(&self) -> &ApiResponse<R::Data> {
        &self.response
    }

    /// The decoded body.
    pub fn into_inner(self) -> R::Data {
        self.response.data
    }

    /// The items on this page.
    pub fn items(&self) -> &[<R::Data as PageData>::Item] {
        self.response.data.items()
    }

    /// Whether another page follows: this page is not empty and
    /// `meta.page_number < meta.total_pages`. Without `meta.total_pages` (or with 0) there is
    /// no next page.
    pub fn has_next_page(&self) -> bool {
        self.next_request().is_some()
    }

    /// The page number this page stands for: the number it was requested with; for a first
    /// request without one, the server's `meta.page_number` when it is a valid page number (at
    /// least 1), else 1. A server cannot steer the next request outside the valid range.
    pub fn current_page_number(&self) -> i64 {
        self.request.page_number().or(self.response.data.page_number().filter(|n| *n >= 1)).unwrap_or(1)
    }

    /// The request that produced this page.
    pub fn request(&self) -> &R {
        &self.request
    }

    /// Whether the server answered a request for page `n` with another page number.
    fn is_off_track(&self) -> bool {
        let pages = (self.request.page_number(), self.response.data.page_number());
        matches!(pages, (Some(asked), Some(answered)) if asked != answered)
    }

    /// The request for the next page (same filters and page size), if there is one.
    ///
    /// There is none after an empty page, at or past `meta.total_pages`, without a `meta`, and
    /// when the server answered a request for page `n` with another page number: a server that
    /// ignores `page[number]` would otherwise be asked forever.
    fn next_request(&self) -> Option<R> {
        let data = &self.response.data;
        let total = data.total_pages()?;
        let current = self.current_page_number();
        if data.items().is_empty() || current >= total {
            return None;
        }
        if self.is_off_track() {
            return None;
        }
        let next = current.checked_add(1)?;
        Some(self.request.clone().with_page_number(next))
    }

    /// Fetches the next page, or `None` after the last one.
    pub async fn next_page(&self) -> Result<Option<Page<R>>> {
        let Some(request) = self.next_request() else {
            return Ok(None);
        };
        let response = request.clone().fetch().await?;
        Ok(Some(Page::new(request, response)))
    }
}

/// The future of a list operation's `send` (and of awaiting its request builder): the page,
/// with the request that asked for it, turned into `O` by `finish`.
#[must_use = "a request does nothing until it is awaited"]
pub struct PageCall<R: Paginated, O = Result<Page<R>>> {
    request: Option<R>,
    fetch: PageFuture<R::Data>,
    finish: fn(Result<Page<R>>) -> O,
}

impl<R: Paginated, O> PageCall<R, O> {
    #[doc(hidden)]
    pub fn new(request: R, finish: fn(Result<Page<R>>) -> O) -> Self {
        let fetch = request.clone().fetch();
        Self { request: Some(request), fetch, finish }
    }
}

// The request is only ever moved out, never pinned: the future may move whatever `R` is.
impl<R: Paginated, O> Unpin for PageCall<R, O> {}

impl<R: Paginated, O> Future for PageCall<R, O> {
    type Output = O;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<O> {
        let this = &mut *self;
        let response = std::task::ready!(this.fetch.as_mut().poll(cx));
        let page = match (response, this.request.take()) {
            (Ok(response), Some(request)) => Ok(Page::new(request, response)),
            (Err(e), _) => Err(e),
            (Ok(_), None) => panic!("`PageCall` polled after completion"),
        };
        Poll::Ready((this.finish)(page))
    }
}

impl<R: Paginated + std::fmt::Debug, O> std::fmt::Debug for PageCall<R, O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageCall").field("request", &self.request).finish_non_exhaustive()
    }
}

impl<R: Paginated> Deref for Page<R> {
    type Target = R::Data;

    fn deref(&self) -> &R::Data {
        &self.response.data
    }
}

/// Every item of every page, fetched lazily, one page at a time.
///
/// Stops after the last page (`page_number >= total_pages`), on an empty page, when `meta` is
/// missing or says there are no pages, and after an error. A page the server answers with
/// another page number than the one asked for is yielded with its items (nothing that arrived is
/// dropped), and then the stream stops: a server that ignores the page parameter cannot make it
/// loop.
pub fn items<R: Paginated>(request: R) -> impl Stream<Item = Result<<R::Data as PageData>::Item>> + Send {
    use futures::StreamExt;
    pages(request)
        .map(|page| match page {
            Ok(page) => stream::iter(page.into_inner().into_items().into_iter().map(Ok)).left_stream(),
            Err(e) => stream::iter(std::iter::once(Err(e))).right_stream(),
        })
        .flatten()
}

/// Every page, fetched lazily; stops as [`items`] does.
pub fn pages<R: Paginated>(request: R) -> impl Stream<Item = Result<Page<R>>> + Send {
    struct State<R> {
        next: Option<R>,
        /// The page number of the last page yielded.
        last: Option<i64>,
    }
    stream::unfold(State { next: Some(request), last: None }, |mut state| async move {
        let request = state.next.take()?;
        match request.clone().fetch().await {
            Ok(response) => {
                let page = Page::new(request, response);
                let number = page.current_page_number();
                if state.last.is_some_and(|last| number <= last) {
                    return None;
                }
                state.last = Some(number);
                // A page answered with another page number than the one asked for (a server
                // that ignores the page parameter) is still yielded, since its items arrived;
                // `next_request` then gives no next page, so the stream stops after it.
                state.next = page.next_request();
                Some((Ok(page), state))
            }
            Err(e) => Some((Err(e), state)),
        }
    })
}
