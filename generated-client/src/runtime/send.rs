//! Sending an operation: the retry loop, the per-call limits and reading the body. The retry
//! rule itself is in `retry.rs`.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use futures::future::Either;
use futures::FutureExt;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use tracing::{Level, Span};
use url::Url;

use super::client::Client;
use super::error::{Error, Result};
use super::options::RequestOptions;
use super::prepare::Prepared;
use super::request::{Operation, RequestParts};
use super::response::RawResponse;
use super::retry;

impl Client {
    /// Sends one operation and returns its response, whatever the status; the generated
    /// operation decides which statuses are errors. Retries as described in the
    /// [module documentation](super#retries).
    ///
    /// Nothing is sent when the input is invalid ([`Error::InvalidInput`]), including an invalid
    /// header added with [`RequestOptions::header`] or missing credentials.
    ///
    /// Not an `async fn`: the future it returns is `execute_to`'s own, not one more layer that
    /// would keep another copy of `parts` for the whole call.
    #[doc(hidden)]
    pub fn execute(
        &self,
        op: &'static Operation,
        parts: RequestParts,
        options: &RequestOptions,
    ) -> impl Future<Output = Result<RawResponse>> + Send + '_ {
        self.execute_to(op, None, parts, options)
    }

    /// Sends one operation to an absolute URL (an endpoint found by discovery, possibly on
    /// another host) instead of the client's base URL and the operation's path; otherwise the
    /// same as [`execute`](Self::execute): the same headers, retry rule, limits, redaction and
    /// tracing. Credentials in the client's default headers are not sent when the URL's origin
    /// is not the base URL's.
    #[doc(hidden)]
    pub async fn execute_at(
        &self,
        op: &'static Operation,
        url: Url,
        parts: RequestParts,
        options: &RequestOptions,
    ) -> Result<RawResponse> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Error::invalid_input(format!("{}: the URL scheme must be http or https", op.id)));
        }
        self.execute_to(op, Some(url), parts, options).await
    }

    /// Checks and prepares the request now (nothing of it is sent yet), and returns the future
    /// that sends it. The future owns only the prepared request and its limits, so what a call
    /// keeps in flight stays small (the caller's `parts` and `options` are not carried along).
    fn execute_to(
        &self,
        op: &'static Operation,
        url: Option<Url>,
        parts: RequestParts,
        options: &RequestOptions,
    ) -> impl Future<Output = Result<RawResponse>> + Send + 'static {
        let (sending, span_of) = boxed_call(self.clone(), op, url, Ok(parts), options);
        Call { sending, span: Span::none(), span_of, finish: |raw| raw }
    }

    fn backoff(&self, retries: u32) -> Duration {
        retry::backoff(retries, self.inner.retry_initial, self.inner.retry_max, retry::random_unit())
    }
}

/// The future of one call of a generated operation (`send`, `send_with_response`, `send_typed`,
/// awaiting a request builder): it sends the request, with the retries, limits and tracing
/// described in the [module documentation](super#retries), and gives the decoded result.
///
/// The request is checked and prepared when the future is made (an invalid input is reported
/// when it is awaited); nothing is sent, and the total timeout does not start, until it is first
/// polled. One type for every operation, so that generated crates do not compile an async state
/// machine per operation.
#[must_use = "a request does nothing until it is awaited"]
pub struct Call<O> {
    sending: Pin<Box<dyn Future<Output = Result<RawResponse>> + Send>>,
    /// The `request` span, made on the first poll (from `span_of`, taken then) and entered
    /// whenever `sending` is polled or dropped. Kept here rather than in the boxed future, where
    /// an async wrapper would keep a second copy of the attempts' state.
    span: Span,
    span_of: Option<&'static Operation>,
    finish: fn(Result<RawResponse>) -> O,
}

impl<O> Call<O> {
    /// Prepares `op` with `parts` (or fails with their error) and `options`; `finish` turns the
    /// response, or the error, into the output.
    #[doc(hidden)]
    pub fn new(
        client: Client,
        op: &'static Operation,
        parts: Result<RequestParts>,
        options: &RequestOptions,
        finish: fn(Result<RawResponse>) -> O,
    ) -> Self {
        let (sending, span_of) = boxed_call(client, op, None, parts, options);
        Self { sending, span: Span::none(), span_of, finish }
    }

    /// Bytes the call keeps on the heap while in flight (its boxed send future).
    #[doc(hidden)]
    pub fn boxed_size(&self) -> usize {
        std::mem::size_of_val(&*self.sending)
    }
}

impl<O> Future for Call<O> {
    type Output = O;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<O> {
        let this = &mut *self;
        if let Some(op) = this.span_of.take() {
            this.span = request_span(op);
        }
        let polled = {
            let _entered = this.span.enter();
            this.sending.as_mut().poll(cx)
        };
        polled.map(this.finish)
    }
}

impl<O> Drop for Call<O> {
    /// The send future is dropped inside the span, as `tracing::Instrumented` does.
    fn drop(&mut self) {
        let _entered = self.span.enter();
        // A zero-sized future: replacing the box allocates nothing.
        drop(std::mem::replace(&mut self.sending, Box::pin(std::future::pending())));
    }
}

impl<O> std::fmt::Debug for Call<O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Call").finish_non_exhaustive()
    }
}

/// The boxed future behind a generated operation's [`Call`](super::Call): the request is
/// checked and prepared now, sent when the future is first polled. With it, the operation whose
/// `request` span the call runs in (none when the input was refused: nothing is sent then).
///
/// Without a total timeout the box holds the attempts' future itself, with nothing around it
/// (an async wrapper would keep the attempts' arguments a second time).
#[allow(clippy::type_complexity)]
fn boxed_call(
    client: Client,
    op: &'static Operation,
    url: Option<Url>,
    parts: Result<RequestParts>,
    options: &RequestOptions,
) -> (Pin<Box<dyn Future<Output = Result<RawResponse>> + Send>>, Option<&'static Operation>) {
    match parts.and_then(|parts| start(&client, op, url, parts, options)) {
        Ok((prepared, limits, None)) => (Box::pin(send_with_retries(client, op, prepared, limits)), Some(op)),
        Ok((prepared, limits, Some(total))) => {
            (Box::pin(within(total, send_with_retries(client, op, prepared, limits))), Some(op))
        }
        Err(e) => (Box::pin(std::future::ready(Err(e))), None),
    }
}

/// `call`, failing with [`Error::Timeout`] when it takes longer than `total` from its first poll.
async fn within(total: Duration, call: impl Future<Output = Result<RawResponse>>) -> Result<RawResponse> {
    tokio::time::timeout(total, call).await.unwrap_or(Err(Error::Timeout))
}

/// The span every attempt of a call runs in.
fn request_span(op: &'static Operation) -> Span {
    tracing::debug_span!("request", operation = op.id, method = %op.method, path = op.path)
}

/// The attempts of one call. (A free function: an inherent method would take a name generated
/// operations may need.)
async fn send_with_retries(
    client: Client,
    op: &'static Operation,
    prepared: Prepared,
    limits: Limits,
) -> Result<RawResponse> {
    let Limits { max_retries, timeout, max_body, replay } = limits;
    let mut retries: u32 = 0;
    // Each value lives only as long as it is needed (the token until the request is built, the
    // response until the wait is known), so that little of it is kept across the waits: the
    // size of this future is what every call in flight keeps on the heap.
    loop {
        let attempt = retries.saturating_add(1);
        let exchanging = {
            // Only a bearer source makes building the request wait; the rest of it is synchronous.
            let token =
                match (&client.inner.bearer_source, prepared.bearer_from_source && !prepared.caller_authorization) {
                    (Some(source), true) => Some(source.bearer().await?),
                    _ => None,
                };
            let request = client.attempt_request(op, &prepared, retries, timeout, token.as_ref())?;
            exchange(&client.inner.http, request, max_body)
        };
        // The time an attempt took is only reported in events: no clock reads when none of
        // them is enabled.
        let started = (tracing::enabled!(Level::DEBUG) || tracing::enabled!(Level::INFO)).then(Instant::now);
        let elapsed_ms = || started.map_or(0, |started| started.elapsed().as_millis() as u64);
        let delay = match exchanging.await {
            Ok((status, headers, body)) => {
                tracing::debug!(attempt, status = status.as_u16(), elapsed_ms = elapsed_ms(), "response");
                let retryable = !status.is_success() && replay.retries_status(status, &headers);
                if !(retryable && retries < max_retries) {
                    return Ok(RawResponse { operation: op.id, status, headers, body, attempts: attempt });
                }
                let delay = retry::server_delay(&headers, SystemTime::now()).unwrap_or_else(|| client.backoff(retries));
                tracing::info!(
                    attempt,
                    status = status.as_u16(),
                    delay_ms = delay.as_millis() as u64,
                    "retrying after error status"
                );
                delay
            }
            // `sent`: whether the request may have reached the server.
            Err((error, sent)) => {
                let elapsed_ms = elapsed_ms();
                let may_retry = error.is_retryable() && (!sent || replay == retry::Replay::Safe);
                if !may_retry || retries >= max_retries {
                    tracing::debug!(attempt, elapsed_ms, error = %error, "request failed");
                    return Err(error);
                }
                let delay = client.backoff(retries);
                tracing::info!(
                    attempt,
                    elapsed_ms,
                    error = %error,
                    delay_ms = delay.as_millis() as u64,
                    "retrying after error"
                );
                delay
            }
        };
        wait(delay).await;
        retries += 1;
    }
}

/// One attempt on the wire: the status, headers and body read within `max_body`, or the error
/// and whether the request may have reached the server. (Not an `async fn`: its future would
/// keep the request for its whole life although `execute` takes it at once.)
fn exchange(
    http: &reqwest::Client,
    request: reqwest::Request,
    max_body: u64,
) -> impl Future<Output = std::result::Result<(StatusCode, HeaderMap, Bytes), (Error, bool)>> + Send + 'static {
    // Combinators rather than an async block: a binding of the response in an async block
    // would keep its own slot next to the body reader's copy.
    http.execute(request).then(move |sent| match sent {
        Ok(response) => Either::Left(read_body(response, max_body).map(|read| read.map_err(|e| (e, true)))),
        Err(e) => {
            let sent = !e.is_connect();
            Either::Right(std::future::ready(Err((Error::from_reqwest(e), sent))))
        }
    })
}

/// The wait between attempts, boxed: it is rare, and a `Sleep` kept inline would make every
/// call's future larger.
fn wait(delay: Duration) -> Pin<Box<tokio::time::Sleep>> {
    Box::pin(tokio::time::sleep(delay))
}

/// The request and what the call may spend: its limits and total deadline. (A free function:
/// an inherent method would take a name generated operations may need.)
fn start(
    client: &Client,
    op: &'static Operation,
    url: Option<Url>,
    parts: RequestParts,
    options: &RequestOptions,
) -> Result<(Prepared, Limits, Option<Duration>)> {
    options.validate()?;
    let replay = retry::Replay::of(&op.method, &parts.body, options.idempotent);
    let prepared = client.prepare(op, url, parts, options)?;
    let limits = Limits {
        max_retries: options.max_retries.unwrap_or(client.inner.max_retries),
        timeout: options.timeout.unwrap_or(client.inner.timeout),
        max_body: options.max_response_bytes.unwrap_or(client.inner.max_response_bytes),
        replay,
    };
    Ok((prepared, limits, options.total_timeout.or(client.inner.total_timeout)))
}

/// What one call may spend.
#[derive(Clone, Copy)]
struct Limits {
    max_retries: u32,
    timeout: Duration,
    max_body: u64,
    replay: retry::Replay,
}

/// Reads the body chunk by chunk, failing as soon as `content-length` announces more than
/// `limit` bytes or the bytes read pass it. Gives the status, the headers (taken, not copied)
/// and the body.
async fn read_body(mut response: reqwest::Response, limit: u64) -> Result<(StatusCode, HeaderMap, Bytes)> {
    let status = response.status();
    let too_large = || Error::ResponseTooLarge { status, limit };
    if response.content_length().is_some_and(|announced| announced > limit) {
        return Err(too_large());
    }
    let mut read = Read::Nothing;
    let mut total: u64 = 0;
    while let Some(chunk) = response.chunk().await.map_err(Error::from_reqwest)? {
        total = total.saturating_add(chunk.len() as u64);
        if total > limit {
            return Err(too_large());
        }
        read = match read {
            Read::Nothing => Read::One(chunk),
            Read::Several(mut buffer) => {
                buffer.extend_from_slice(&chunk);
                Read::Several(buffer)
            }
            Read::One(head) => {
                // What is still announced (the body's remaining exact size, if known), at most
                // 1 MiB ahead, so a false `content-length` cannot make us reserve much.
                let ahead = response.content_length().unwrap_or(0).min(1 << 20);
                let capacity = total.saturating_add(ahead);
                let mut buffer = bytes::BytesMut::with_capacity(usize::try_from(capacity).unwrap_or(usize::MAX));
                buffer.extend_from_slice(&head);
                buffer.extend_from_slice(&chunk);
                Read::Several(buffer)
            }
        };
    }
    let body = match read {
        Read::Nothing => Bytes::new(),
        Read::One(chunk) => chunk,
        Read::Several(buffer) => buffer.freeze(),
    };
    // Taken once the body is read: kept in the response until then, not in a second slot.
    let headers = std::mem::take(response.headers_mut());
    Ok((status, headers, body))
}

/// The body read so far. Most bodies arrive in one chunk, kept as it is; later chunks go into one
/// buffer, sized from what the server still announces (the whole was already checked against
/// the limit).
enum Read {
    Nothing,
    One(Bytes),
    Several(bytes::BytesMut),
}
