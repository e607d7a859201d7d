//! Per-request overhead of the generated client against bare `reqwest`, and auto-pagination
//! against a hand-written page loop, both talking to the same local HTTP/1.1 server.
//!
//! `cargo bench -p telnyx-oauth --bench client`
//! (`BENCH_ONLY=throughput` runs only the throughput comparison: 10,000 GETs, 256 in flight,
//! `BENCH_ROUNDS` rounds, default 21.)
//!
//! The server is a tiny keep-alive HTTP/1.1 server on 127.0.0.1 (its own thread and
//! single-threaded tokio runtime) that answers from bodies serialized once up front, so its
//! cost is the same for both sides of each comparison. The clients run on a second
//! single-threaded runtime. Both sides do the same work: one GET, status check, and a
//! `serde_json` decode into the same generated model type.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::hint::black_box;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use criterion::{criterion_main, Criterion};
use futures::TryStreamExt;
use telnyx_oauth::models::{
    ClientType, GetOAuthClientResponse, ListOAuthClientsResponse, OAuthClient, OAuthClientRecordType,
    OAuthClientRequired, OAuthPaginationMeta,
};
use telnyx_oauth::Client;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The system allocator, counting the allocations (and reallocations) made on the thread that
/// runs the clients while [`count_allocations`] measures. Per thread and off by default, so
/// that the server's thread is not counted and timed runs pay one thread-local read per
/// allocation, the same for both sides.
struct CountingAllocator;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
    static ALLOCATED_BYTES: Cell<u64> = const { Cell::new(0) };
}

fn note_allocation(size: usize) {
    // `try_with`: the thread-locals may already be gone while a thread exits.
    let _ = COUNTING.try_with(|on| {
        if on.get() {
            let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
            let _ = ALLOCATED_BYTES.try_with(|n| n.set(n.get() + size as u64));
        }
    });
}

// SAFETY: every call is passed on unchanged to `System`; counting touches only const-initialized
// thread-locals, which never allocate.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note_allocation(layout.size());
        // SAFETY: the caller's contract is `System`'s.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note_allocation(layout.size());
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note_allocation(new_size);
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// The allocations (reallocations included) and bytes asked for on this thread while `run`
/// runs.
fn count_allocations<R>(run: impl FnOnce() -> R) -> (u64, u64) {
    let (allocations, bytes) = (ALLOCATIONS.with(Cell::get), ALLOCATED_BYTES.with(Cell::get));
    COUNTING.with(|on| on.set(true));
    black_box(run());
    COUNTING.with(|on| on.set(false));
    (ALLOCATIONS.with(Cell::get) - allocations, ALLOCATED_BYTES.with(Cell::get) - bytes)
}

const ID: &str = "550e8400-e29b-41d4-a716-446655440000";
const PAGE_SIZE: usize = 100;
const TOTAL_PAGES: usize = 100;

fn oauth_client(n: usize) -> OAuthClient {
    let mut c = OAuthClient::new(OAuthClientRequired {
        client_id: format!("550e8400-e29b-41d4-a716-{n:012}"),
        client_type: ClientType::Confidential,
        created_at: "2024-05-01T12:00:00Z".into(),
        name: format!("Client number {n}"),
        org_id: "6a09cdc3-8948-47f0-aa62-74ac943d6c58".into(),
        record_type: OAuthClientRecordType::OAuthClient,
        require_pkce: true,
        updated_at: "2024-05-02T08:30:00Z".into(),
        user_id: "3a1fa9c4-1f7c-4a8d-9b0e-2a2f0e3c8f11".into(),
    });
    c.allowed_scopes = vec!["admin".into(), "messaging".into()];
    c.redirect_uris = vec!["https://example.com/callback".into()];
    c.logo_uri = Some("https://example.com/logo.png".into());
    c
}

fn http_response(body: &[u8]) -> Vec<u8> {
    let mut out =
        format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n", body.len())
            .into_bytes();
    out.extend_from_slice(body);
    out
}

/// Fixed responses, serialized once.
struct Bodies {
    one: Vec<u8>,
    /// Index 0 is page 1.
    pages: Vec<Vec<u8>>,
}

impl Bodies {
    fn new() -> Self {
        let mut one = GetOAuthClientResponse::new();
        one.data = Some(oauth_client(0));
        let pages = (1..=TOTAL_PAGES)
            .map(|page| {
                let mut meta = OAuthPaginationMeta::new();
                meta.page_number = Some(page as i64);
                meta.page_size = Some(PAGE_SIZE as i64);
                meta.total_pages = Some(TOTAL_PAGES as i64);
                meta.total_results = Some((PAGE_SIZE * TOTAL_PAGES) as i64);
                let mut body = ListOAuthClientsResponse::new();
                body.data = (0..PAGE_SIZE).map(|i| oauth_client((page - 1) * PAGE_SIZE + i)).collect();
                body.meta = Some(meta);
                http_response(&serde_json::to_vec(&body).expect("serializes"))
            })
            .collect();
        Self { one: http_response(&serde_json::to_vec(&one).expect("serializes")), pages }
    }

    fn answer(&self, target: &str) -> &[u8] {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        if path == format!("/v2/oauth_clients/{ID}") {
            return &self.one;
        }
        if path == "/v2/oauth_clients" {
            let page = query
                .split('&')
                .filter_map(|kv| kv.split_once('='))
                .find(|(k, _)| k.replace("%5B", "[").replace("%5D", "]") == "page[number]")
                .and_then(|(_, v)| v.parse::<usize>().ok())
                .unwrap_or(1);
            if (1..=TOTAL_PAGES).contains(&page) {
                return &self.pages[page - 1];
            }
        }
        b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n"
    }
}

async fn serve_connection(mut stream: TcpStream, bodies: Arc<Bodies>) {
    let _ = stream.set_nodelay(true);
    let mut buf = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    loop {
        // Requests are GETs without a body: everything up to the blank line.
        while let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            buf.drain(..end + 4);
            let target = head.split(' ').nth(1).unwrap_or("/");
            if stream.write_all(bodies.answer(target)).await.is_err() {
                return;
            }
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

/// Starts the server on its own thread; it lives until the bench process exits.
fn start_server() -> SocketAddr {
    let bodies = Arc::new(Bodies::new());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        rt.block_on(async move {
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1");
            tx.send(listener.local_addr().expect("addr")).expect("send addr");
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve_connection(stream, bodies.clone()));
            }
        });
    });
    rx.recv().expect("server address")
}

fn generated_client(addr: SocketAddr) -> Client {
    Client::builder().api_key("k").base_url(format!("http://{addr}/v2")).build().expect("client builds")
}

async fn bare_get(http: &reqwest::Client, url: &str) -> GetOAuthClientResponse {
    bare_get_with(http, url, None).await
}

/// `timeout`: a per-request timeout, as the generated client always sets (60 s by default).
async fn bare_get_with(http: &reqwest::Client, url: &str, timeout: Option<Duration>) -> GetOAuthClientResponse {
    let mut request = http.get(url).bearer_auth("k");
    if let Some(timeout) = timeout {
        request = request.timeout(timeout);
    }
    let response = request.send().await.expect("sent");
    assert!(response.status().is_success());
    let bytes = response.bytes().await.expect("body");
    serde_json::from_slice(&bytes).expect("decodes")
}

async fn bare_pages(http: &reqwest::Client, base: &str) -> Vec<OAuthClient> {
    let mut items = Vec::new();
    let mut page = 1;
    loop {
        let url = format!("{base}/oauth_clients?page[number]={page}&page[size]={PAGE_SIZE}");
        let response = http.get(&url).bearer_auth("k").send().await.expect("sent");
        assert!(response.status().is_success());
        let bytes = response.bytes().await.expect("body");
        let body: ListOAuthClientsResponse = serde_json::from_slice(&bytes).expect("decodes");
        let meta = body.meta.unwrap_or_default();
        items.extend(body.data);
        if meta.page_number.unwrap_or(page) >= meta.total_pages.unwrap_or(0) {
            return items;
        }
        page += 1;
    }
}

/// Paired, interleaved comparison: `rounds` rounds, each timing `batch` calls of `a` and then
/// `batch` calls of `b` (the order flips every round), and the median of the per-round ratios
/// b/a. On a shared, noisy machine this is steadier than two criterion groups measured one after
/// the other, because slow drifts in load hit both sides of each round alike.
fn paired<A, B, FA, FB>(rt: &tokio::runtime::Runtime, label: &str, rounds: usize, batch: usize, a: A, b: B)
where
    A: Fn() -> FA,
    B: Fn() -> FB,
    FA: std::future::Future,
    FB: std::future::Future,
{
    let run_a = || {
        rt.block_on(async {
            let start = std::time::Instant::now();
            for _ in 0..batch {
                black_box(a().await);
            }
            start.elapsed()
        })
    };
    let run_b = || {
        rt.block_on(async {
            let start = std::time::Instant::now();
            for _ in 0..batch {
                black_box(b().await);
            }
            start.elapsed()
        })
    };
    // Warm up both sides.
    run_a();
    run_b();
    let mut ratios = Vec::with_capacity(rounds);
    let (mut total_a, mut total_b) = (Duration::ZERO, Duration::ZERO);
    for round in 0..rounds {
        let (ta, tb) = if round % 2 == 0 {
            let ta = run_a();
            (ta, run_b())
        } else {
            let tb = run_b();
            (run_a(), tb)
        };
        total_a += ta;
        total_b += tb;
        ratios.push(tb.as_secs_f64() / ta.as_secs_f64());
    }
    ratios.sort_by(f64::total_cmp);
    let per = |t: Duration| t / (rounds * batch) as u32;
    println!(
        "paired {label}: {rounds} rounds x {batch} calls each; mean per call: baseline {:?}, ours {:?}; \
         ratio ours/baseline: median {:.3} (quartiles {:.3}..{:.3})",
        per(total_a),
        per(total_b),
        ratios[rounds / 2],
        ratios[rounds / 4],
        ratios[rounds * 3 / 4],
    );
}

/// Requests per throughput run, and how many are in flight at once.
const THROUGHPUT_REQUESTS: usize = 10_000;
const THROUGHPUT_CONCURRENCY: usize = 256;

/// `THROUGHPUT_REQUESTS` calls of `call`, `THROUGHPUT_CONCURRENCY` at a time.
async fn flood<F, Fut>(call: F) -> Duration
where
    F: Fn() -> Fut,
    Fut: std::future::Future,
{
    use futures::StreamExt;
    let start = std::time::Instant::now();
    futures::stream::iter(0..THROUGHPUT_REQUESTS)
        .map(|_| call())
        .buffer_unordered(THROUGHPUT_CONCURRENCY)
        .for_each(|r| {
            black_box(r);
            async {}
        })
        .await;
    start.elapsed()
}

/// Allocations (and bytes) per request of `call` on the clients' thread: over
/// `THROUGHPUT_REQUESTS` requests, one at a time or, with `flooded`, as [`flood`] sends them.
fn allocations_per_request<F, Fut>(rt: &tokio::runtime::Runtime, flooded: bool, call: F) -> String
where
    F: Fn() -> Fut,
    Fut: std::future::Future,
{
    let (allocations, bytes) = count_allocations(|| {
        rt.block_on(async {
            if flooded {
                flood(&call).await;
            } else {
                for _ in 0..THROUGHPUT_REQUESTS {
                    black_box(call().await);
                }
            }
        })
    });
    let per = |n: u64| n as f64 / THROUGHPUT_REQUESTS as f64;
    format!("{:.1} ({:.0} bytes)", per(allocations), per(bytes))
}

/// Throughput under concurrency, paired like [`paired`]: `rounds` rounds of one flood per side,
/// the order flipping every round; prints the median of the per-round throughput ratios
/// ours/baseline (1.0 = as fast as the baseline, higher is better).
fn paired_throughput<A, B, FA, FB>(rt: &tokio::runtime::Runtime, label: &str, rounds: usize, a: A, b: B)
where
    A: Fn() -> FA,
    B: Fn() -> FB,
    FA: std::future::Future,
    FB: std::future::Future,
{
    rt.block_on(flood(&a));
    rt.block_on(flood(&b));
    let mut ratios = Vec::with_capacity(rounds);
    let (mut total_a, mut total_b) = (Duration::ZERO, Duration::ZERO);
    let (mut sched_a, mut sched_b) = (Some(SchedStat::default()), Some(SchedStat::default()));
    // One flood, and what the clients' thread spent on a CPU and waiting for one meanwhile.
    let timed = |call: &dyn Fn() -> Duration, sched: &mut Option<SchedStat>| {
        let before = SchedStat::now();
        let elapsed = call();
        *sched = match (*sched, before, SchedStat::now()) {
            (Some(sum), Some(before), Some(after)) => Some(sum.plus(after.minus(before))),
            _ => None,
        };
        elapsed
    };
    let flood_a = || rt.block_on(flood(&a));
    let flood_b = || rt.block_on(flood(&b));
    for round in 0..rounds {
        let (ta, tb) = if round % 2 == 0 {
            let ta = timed(&flood_a, &mut sched_a);
            (ta, timed(&flood_b, &mut sched_b))
        } else {
            let tb = timed(&flood_b, &mut sched_b);
            (timed(&flood_a, &mut sched_a), tb)
        };
        total_a += ta;
        total_b += tb;
        ratios.push(ta.as_secs_f64() / tb.as_secs_f64());
    }
    ratios.sort_by(f64::total_cmp);
    let rate = |t: Duration| (rounds * THROUGHPUT_REQUESTS) as f64 / t.as_secs_f64();
    println!(
        "paired {label}: {rounds} rounds x {THROUGHPUT_REQUESTS} requests, {THROUGHPUT_CONCURRENCY} in flight; \
         baseline {:.0} req/s, ours {:.0} req/s; throughput ratio ours/baseline: median {:.3} (quartiles {:.3}..{:.3})",
        rate(total_a),
        rate(total_b),
        ratios[rounds / 2],
        ratios[rounds / 4],
        ratios[rounds * 3 / 4],
    );
    if let (Some(sa), Some(sb)) = (sched_a, sched_b) {
        let per = |ns: u64| ns as f64 / 1000.0 / (rounds * THROUGHPUT_REQUESTS) as f64;
        println!(
            "  clients' thread per request (/proc/thread-self/schedstat): on a CPU baseline {:.2} us, ours {:.2} us \
             (ours/baseline {:.3}); waiting for a CPU baseline {:.2} us, ours {:.2} us",
            per(sa.on_cpu_ns),
            per(sb.on_cpu_ns),
            sb.on_cpu_ns as f64 / sa.on_cpu_ns as f64,
            per(sa.waiting_ns),
            per(sb.waiting_ns),
        );
    }
}

/// The calling thread's scheduler statistics (Linux): time on a CPU and time runnable but
/// waiting for one. `None` where `/proc/thread-self/schedstat` cannot be read.
#[derive(Clone, Copy, Default)]
struct SchedStat {
    on_cpu_ns: u64,
    waiting_ns: u64,
}

impl SchedStat {
    fn now() -> Option<Self> {
        let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
        let mut fields = text.split_whitespace().map(str::parse::<u64>);
        Some(Self { on_cpu_ns: fields.next()?.ok()?, waiting_ns: fields.next()?.ok()? })
    }

    fn minus(self, earlier: Self) -> Self {
        Self {
            on_cpu_ns: self.on_cpu_ns.saturating_sub(earlier.on_cpu_ns),
            waiting_ns: self.waiting_ns.saturating_sub(earlier.waiting_ns),
        }
    }

    fn plus(self, other: Self) -> Self {
        Self { on_cpu_ns: self.on_cpu_ns + other.on_cpu_ns, waiting_ns: self.waiting_ns + other.waiting_ns }
    }
}

fn benches(c: &mut Criterion) {
    let addr = start_server();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let client = generated_client(addr);
    let http = reqwest::Client::new();
    // Configured the way the generated client configures its own reqwest client.
    let http_configured = reqwest::Client::builder()
        .user_agent("bench")
        .connect_timeout(Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("reqwest client");
    let base = format!("http://{addr}/v2");
    let one_url = format!("{base}/oauth_clients/{ID}");

    // Both sides must see the same data before anything is timed.
    rt.block_on(async {
        let ours = client.get_oauth_client(ID).await.expect("generated client GET");
        let bare = bare_get(&http, &one_url).await;
        assert_eq!(ours, bare);
        let ours: Vec<OAuthClient> =
            client.list_oauth_clients().page_size(PAGE_SIZE as i64).items().try_collect().await.expect("items");
        let bare = bare_pages(&http, &base).await;
        assert_eq!(ours.len(), PAGE_SIZE * TOTAL_PAGES);
        assert_eq!(ours, bare);
    });

    let only_throughput = std::env::var("BENCH_ONLY").is_ok_and(|v| v == "throughput");
    if std::env::var_os("BENCH_NO_PAIRED").is_none() || only_throughput {
        // What each side keeps per request in flight (moved into the stream's task node).
        let call = std::future::IntoFuture::into_future(client.get_oauth_client(ID));
        println!(
            "future sizes: bare reqwest + timeout {} bytes; generated {} bytes inline + {} bytes on the heap",
            std::mem::size_of_val(&bare_get_with(&http_configured, &one_url, Some(Duration::from_secs(60)))),
            std::mem::size_of_val(&call),
            call.boxed_size(),
        );
        drop(call);
        // Heap allocations per request on the clients' thread (the server has its own), one
        // request at a time and in a flood like the timed one.
        let bare_one = || bare_get_with(&http_configured, &one_url, Some(Duration::from_secs(60)));
        let ours_one = || async { client.get_oauth_client(ID).await.expect("GET") };
        println!(
            "allocations per request, one at a time: bare reqwest + timeout {}; generated {}",
            allocations_per_request(&rt, false, bare_one),
            allocations_per_request(&rt, false, ours_one),
        );
        println!(
            "allocations per request, {THROUGHPUT_CONCURRENCY} in flight: bare reqwest + timeout {}; generated {}",
            allocations_per_request(&rt, true, bare_one),
            allocations_per_request(&rt, true, ours_one),
        );
        let rounds = std::env::var("BENCH_ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(21);
        paired_throughput(
            &rt,
            "throughput get_oauth_client (bare reqwest + per-request timeout -> generated)",
            rounds,
            || bare_get_with(&http_configured, &one_url, Some(Duration::from_secs(60))),
            || async { client.get_oauth_client(ID).await.expect("GET") },
        );
    }
    if only_throughput {
        return;
    }

    if std::env::var_os("BENCH_NO_PAIRED").is_none() {
        paired(
            &rt,
            "get_oauth_client (bare reqwest -> generated)",
            41,
            500,
            || bare_get(&http, &one_url),
            || async { client.get_oauth_client(ID).await.expect("GET") },
        );
        paired(
            &rt,
            "get_oauth_client (bare reqwest + per-request timeout -> generated)",
            41,
            500,
            || bare_get_with(&http_configured, &one_url, Some(Duration::from_secs(60))),
            || async { client.get_oauth_client(ID).await.expect("GET") },
        );
        paired(
            &rt,
            "paginate_10000 (hand loop -> generated items())",
            21,
            3,
            || bare_pages(&http, &base),
            || async {
                let items: Vec<OAuthClient> =
                    client.list_oauth_clients().page_size(PAGE_SIZE as i64).items().try_collect().await.expect("items");
                items
            },
        );
    }

    // Where the pagination gap comes from: decoding one 100-item page with plain serde_json
    // (the bare loop) against serde_path_to_error (what the runtime's `RawResponse::json` does).
    let page = Bodies::new().pages.swap_remove(0);
    let body_at = page.windows(4).position(|w| w == b"\r\n\r\n").expect("head") + 4;
    let page = page[body_at..].to_vec();
    if std::env::var_os("BENCH_NO_PAIRED").is_none() {
        paired(
            &rt,
            "decode one 100-item page (serde_json -> serde_path_to_error)",
            41,
            200,
            || async { serde_json::from_slice::<ListOAuthClientsResponse>(&page).expect("decodes") },
            || async {
                let de = &mut serde_json::Deserializer::from_slice(&page);
                serde_path_to_error::deserialize::<_, ListOAuthClientsResponse>(de).expect("decodes")
            },
        );
    }
    let mut g = c.benchmark_group("decode_page_100");
    g.bench_function("serde_json", |b| {
        b.iter(|| serde_json::from_slice::<ListOAuthClientsResponse>(black_box(&page)).expect("decodes"))
    });
    g.bench_function("serde_path_to_error", |b| {
        b.iter(|| {
            let de = &mut serde_json::Deserializer::from_slice(black_box(&page));
            serde_path_to_error::deserialize::<_, ListOAuthClientsResponse>(de).expect("decodes")
        })
    });
    g.finish();

    let mut g = c.benchmark_group("get_oauth_client");
    g.measurement_time(Duration::from_secs(10));
    g.bench_function("bare_reqwest", |b| b.to_async(&rt).iter(|| bare_get(&http, &one_url)));
    g.bench_function("bare_reqwest_with_timeout", |b| {
        b.to_async(&rt).iter(|| bare_get_with(&http_configured, &one_url, Some(Duration::from_secs(60))))
    });
    g.bench_function("generated", |b| {
        b.to_async(&rt).iter(|| async { client.get_oauth_client(black_box(ID)).await.expect("GET") })
    });
    g.finish();

    let mut g = c.benchmark_group("paginate_10000");
    g.sample_size(20).measurement_time(Duration::from_secs(20));
    g.bench_function("hand_loop_reqwest", |b| b.to_async(&rt).iter(|| bare_pages(&http, &base)));
    g.bench_function("generated_items", |b| {
        b.to_async(&rt).iter(|| async {
            let items: Vec<OAuthClient> =
                client.list_oauth_clients().page_size(PAGE_SIZE as i64).items().try_collect().await.expect("items");
            items
        })
    });
    g.finish();
}

// `criterion_group!` defines an undocumented `pub fn`; in a private module it is not public API.
mod group {
    criterion::criterion_group!(client_benches, super::benches);
}
criterion_main!(group::client_benches);
