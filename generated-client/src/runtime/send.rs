//! Sending an operation: the retry loop, the per-call limits and reading the body. The retry
//! rule itself is in `retry.rs`.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use futures::future::Either;
use reqwest::header::HeaderMap;
use tracing::{Instrument, Level};
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
        match start(self, op, url, parts, options) {
            Ok((prepared, limits, total)) => Either::Right(run(self.clone(), op, prepared, limits, total)),
            Err(e) => Either::Left(std::future::ready(Err(e))),
        }
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
        Self { sending: boxed_call(client, op, parts, options), finish }
    }
}

impl<O> Future for Call<O> {
    type Output = O;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<O> {
        let finish = self.finish;
        self.sending.as_mut().poll(cx).map(finish)
    }
}

impl<O> std::fmt::Debug for Call<O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Call").finish_non_exhaustive()
    }
}

/// The boxed future behind a generated operation's [`Call`](super::Call): the request is
/// checked and prepared now, sent when the future is first polled.
pub(super) fn boxed_call(
    client: Client,
    op: &'static Operation,
    parts: Result<RequestParts>,
    options: &RequestOptions,
) -> Pin<Box<dyn Future<Output = Result<RawResponse>> + Send>> {
    match parts.and_then(|parts| start(&client, op, None, parts, options)) {
        Ok((prepared, limits, total)) => Box::pin(run(client, op, prepared, limits, total)),
        Err(e) => Box::pin(std::future::ready(Err(e))),
    }
}

/// The call once prepared: its `request` span, the total deadline (both from the first poll on,
/// so that the future can be made outside a runtime and the deadline counts from when it runs)
/// and the attempts.
async fn run(
    client: Client,
    op: &'static Operation,
    prepared: Prepared,
    limits: Limits,
    total: Option<Duration>,
) -> Result<RawResponse> {
    let span = tracing::debug_span!("request", operation = op.id, method = %op.method, path = op.path);
    let call = send_with_retries(&client, op, prepared, limits).instrument(span);
    match total {
        Some(total) => tokio::time::timeout(total, call).await.unwrap_or(Err(Error::Timeout)),
        None => call.await,
    }
}

/// The attempts of one call. (A free function: an inherent method would take a name generated
/// operations may need.)
async fn send_with_retries(
    client: &Client,
    op: &'static Operation,
    prepared: Prepared,
    limits: Limits,
) -> Result<RawResponse> {
    let Limits { max_retries, timeout, max_body, replay } = limits;
    let mut retries: u32 = 0;
    loop {
        let attempt = retries.saturating_add(1);
        // Only a bearer source makes building the request wait; the rest of it is synchronous.
        let token = match (&client.inner.bearer_source, prepared.bearer_from_source && !prepared.caller_authorization) {
            (Some(source), true) => Some(source.bearer().await?),
            _ => None,
        };
        let request = client.attempt_request(op, &prepared, retries, timeout, token.as_ref())?;
        // The time an attempt took is only reported in events: no clock reads when none of
        // them is enabled.
        let started = (tracing::enabled!(Level::DEBUG) || tracing::enabled!(Level::INFO)).then(Instant::now);
        let elapsed_ms = || started.map_or(0, |started| started.elapsed().as_millis() as u64);
        // `sent`: whether the request may have reached the server.
        let (error, sent) = match client.inner.http.execute(request).await {
            Ok(response) => {
                let status = response.status();
                match read_body(response, max_body).await {
                    Ok((headers, body)) => {
                        tracing::debug!(attempt, status = status.as_u16(), elapsed_ms = elapsed_ms(), "response");
                        let retryable = !status.is_success() && replay.retries_status(status, &headers);
                        if !(retryable && retries < max_retries) {
                            return Ok(RawResponse { operation: op.id, status, headers, body, attempts: attempt });
                        }
                        let delay =
                            retry::server_delay(&headers, SystemTime::now()).unwrap_or_else(|| client.backoff(retries));
                        tracing::info!(
                            attempt,
                            status = status.as_u16(),
                            delay_ms = delay.as_millis() as u64,
                            "retrying after error status"
                        );
                        wait(delay).await;
                        retries += 1;
                        continue;
                    }
                    Err(e) => (e, true),
                }
            }
            Err(e) => {
                let sent = !e.is_connect();
                (Error::from_reqwest(e), sent)
            }
        };
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
        wait(delay).await;
        retries += 1;
    }
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
/// `limit` bytes or the bytes read pass it.
async fn read_body(mut response: reqwest::Response, limit: u64) -> Result<(HeaderMap, Bytes)> {
    let status = response.status();
    let too_large = || Error::ResponseTooLarge { status, limit };
    if response.content_length().is_some_and(|announced| announced > limit) {
        return Err(too_large());
    }
    // Reading the body needs no headers: take them instead of copying.
    let headers = std::mem::take(response.headers_mut());
    // Most bodies arrive in one chunk: keep it as is. Later chunks go into one buffer, sized
    // from what the server still announces (the whole was already checked against `limit`).
    let mut first: Option<Bytes> = None;
    let mut rest: Option<bytes::BytesMut> = None;
    let mut total: u64 = 0;
    while let Some(chunk) = response.chunk().await.map_err(Error::from_reqwest)? {
        total = total.saturating_add(chunk.len() as u64);
        if total > limit {
            return Err(too_large());
        }
        match (&first, &mut rest) {
            (None, _) => first = Some(chunk),
            (Some(_), Some(buffer)) => buffer.extend_from_slice(&chunk),
            (Some(head), None) => {
                // What is still announced (the body's remaining exact size, if known), at most
                // 1 MiB ahead, so a false `content-length` cannot make us reserve much.
                let ahead = response.content_length().unwrap_or(0).min(1 << 20);
                let capacity = total.saturating_add(ahead);
                let mut buffer = bytes::BytesMut::with_capacity(usize::try_from(capacity).unwrap_or(usize::MAX));
                buffer.extend_from_slice(head);
                buffer.extend_from_slice(&chunk);
                rest = Some(buffer);
            }
        }
    }
    let body = match rest {
        Some(buffer) => buffer.freeze(),
        None => first.unwrap_or_default(),
    };
    Ok((headers, body))
}
