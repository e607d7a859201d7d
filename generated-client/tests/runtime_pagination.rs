//! Page-number pagination through a list operation written the way the generator writes one:
//! pages, lazy item streams that keep filters and page size, and every way a server can end
//! (or fail to end) the list.

mod support;

use futures::{StreamExt, TryStreamExt};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{json, Value};
use support::*;
use telnyx_oauth::runtime::{
    items, pages, Auth, Client, ErrorKind, Operation, Page, PageData, PageFuture, Paginated, RequestOptions,
    RequestParts,
};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

static LIST_THINGS: Operation = Operation {
    id: "ListThings",
    method: Method::GET,
    path: "/things",
    server: None,
    auth: Auth::Bearer { optional: false },
};

#[derive(Debug, Clone)]
struct ListThings {
    client: Client,
    page_number: Option<i64>,
    page_size: Option<i64>,
    name: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ThingsPage {
    data: Vec<Thing>,
    meta: Option<Meta>,
}

#[derive(Debug, Deserialize)]
struct Meta {
    page_number: Option<i64>,
    total_pages: Option<i64>,
}

impl PageData for ThingsPage {
    type Item = Thing;
    fn items(&self) -> &[Thing] {
        &self.data
    }
    fn into_items(self) -> Vec<Thing> {
        self.data
    }
    fn page_number(&self) -> Option<i64> {
        self.meta.as_ref().and_then(|m| m.page_number)
    }
    fn total_pages(&self) -> Option<i64> {
        self.meta.as_ref().and_then(|m| m.total_pages)
    }
}

impl Paginated for ListThings {
    type Data = ThingsPage;
    fn page_number(&self) -> Option<i64> {
        self.page_number
    }
    fn with_page_number(mut self, n: i64) -> Self {
        self.page_number = Some(n);
        self
    }
    fn fetch(self) -> PageFuture<ThingsPage> {
        Box::pin(async move {
            let mut parts = RequestParts::new("/things".to_owned());
            parts.query_opt("page[number]", self.page_number.as_ref());
            parts.query_opt("page[size]", self.page_size.as_ref());
            parts.query_opt("filter[name]", self.name.as_deref());
            call(&self.client, &LIST_THINGS, parts, &RequestOptions::default()).await
        })
    }
}

fn list(server: &MockServer) -> ListThings {
    ListThings { client: client(&server.uri()), page_number: None, page_size: Some(2), name: Some("a b".into()) }
}

fn page_json(number: Option<i64>, total: Option<i64>, ids: &[&str]) -> Value {
    let data: Vec<Value> = ids.iter().map(|id| json!({"id": id, "name": "a b"})).collect();
    match (number, total) {
        (None, None) => json!({"data": data}),
        _ => json!({"data": data, "meta": {"page_number": number, "total_pages": total, "page_size": 2}}),
    }
}

async fn serve_page(server: &MockServer, number: Option<&str>, body: Value) {
    let mock = Mock::given(method("GET")).and(path("/v2/things"));
    let mock = match number {
        Some(n) => mock.and(query_param("page[number]", n)),
        None => mock.and(|r: &Request| !r.url.query_pairs().any(|(k, _)| k == "page[number]")),
    };
    mock.respond_with(ResponseTemplate::new(200).set_body_json(body)).mount(server).await;
}

async fn received(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.unwrap_or_default()
}

async fn ids(request: ListThings) -> Vec<String> {
    items(request).map_ok(|t| t.id).try_collect().await.expect("every item")
}

#[tokio::test]
async fn three_pages_stream_every_item_keeping_filters_and_page_size() {
    let server = MockServer::start().await;
    serve_page(&server, None, page_json(Some(1), Some(3), &["a", "b"])).await;
    serve_page(&server, Some("2"), page_json(Some(2), Some(3), &["c", "d"])).await;
    serve_page(&server, Some("3"), page_json(Some(3), Some(3), &["e"])).await;
    assert_eq!(ids(list(&server)).await, ["a", "b", "c", "d", "e"]);
    let requests = received(&server).await;
    assert_eq!(requests.len(), 3);
    for request in &requests {
        let query: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
        assert!(query.contains(&("page[size]".into(), "2".into())), "{query:?}");
        assert!(query.contains(&("filter[name]".into(), "a b".into())), "{query:?}");
    }
}

#[tokio::test]
async fn pages_step_one_at_a_time_with_next_page() {
    let server = MockServer::start().await;
    serve_page(&server, None, page_json(Some(1), Some(2), &["a", "b"])).await;
    serve_page(&server, Some("2"), page_json(Some(2), Some(2), &["c"])).await;
    let request = list(&server);
    let first = Page::new(request.clone(), request.fetch().await.expect("first page"));
    assert!(first.has_next_page());
    assert_eq!(first.current_page_number(), 1);
    assert_eq!(first.data.len(), 2, "Deref to the decoded body");
    let second = first.next_page().await.expect("fetched").expect("a second page");
    assert_eq!(second.items().iter().map(|t| t.id.as_str()).collect::<Vec<_>>(), ["c"]);
    assert!(!second.has_next_page());
    assert!(second.next_page().await.expect("no request").is_none());
    assert_eq!(received(&server).await.len(), 2);
}

#[tokio::test]
async fn total_pages_zero_stops_after_one_request() {
    let server = MockServer::start().await;
    serve_page(&server, None, page_json(Some(1), Some(0), &[])).await;
    assert!(ids(list(&server)).await.is_empty());
    assert_eq!(received(&server).await.len(), 1);
}

#[tokio::test]
async fn missing_meta_stops_after_one_request() {
    let server = MockServer::start().await;
    serve_page(&server, None, page_json(None, None, &["a", "b"])).await;
    assert_eq!(ids(list(&server)).await, ["a", "b"]);
    assert_eq!(received(&server).await.len(), 1);
}

#[tokio::test]
async fn an_empty_page_stops_even_if_meta_says_more() {
    let server = MockServer::start().await;
    serve_page(&server, None, page_json(Some(1), Some(9), &["a"])).await;
    serve_page(&server, Some("2"), page_json(Some(2), Some(9), &[])).await;
    assert_eq!(ids(list(&server)).await, ["a"]);
    assert_eq!(received(&server).await.len(), 2);
}

#[tokio::test]
async fn a_server_that_repeats_the_same_page_cannot_make_it_loop() {
    // The server ignores page[number] and always answers page 1 of 5.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page_json(Some(1), Some(5), &["a", "b"])))
        .mount(&server)
        .await;
    // The answer to the request for page 2 arrived, so its items are yielded; then it stops.
    assert_eq!(ids(list(&server)).await, ["a", "b", "a", "b"]);
    assert_eq!(received(&server).await.len(), 2);
}

#[tokio::test]
async fn a_page_answered_with_another_page_number_keeps_its_items_then_stops() {
    // Prism's static example answers `page[number]=1` with `meta.page_number: 0`.
    let server = MockServer::start().await;
    serve_page(&server, Some("1"), page_json(Some(0), Some(5), &["a", "b"])).await;
    let request = ListThings { page_number: Some(1), ..list(&server) };
    assert_eq!(ids(request.clone()).await, ["a", "b"]);
    assert_eq!(received(&server).await.len(), 1);
    let pages: Vec<_> = pages(request).try_collect().await.expect("pages");
    assert_eq!(pages.len(), 1);
    assert!(!pages[0].has_next_page());

    // Later pages too: page 2 answered as page 7 still yields its items.
    let server = MockServer::start().await;
    serve_page(&server, None, page_json(Some(1), Some(9), &["a"])).await;
    serve_page(&server, Some("2"), page_json(Some(7), Some(9), &["b", "c"])).await;
    assert_eq!(ids(list(&server)).await, ["a", "b", "c"]);
    assert_eq!(received(&server).await.len(), 2);
}

#[tokio::test]
async fn a_huge_page_number_does_not_overflow() {
    let server = MockServer::start().await;
    serve_page(&server, Some(&i64::MAX.to_string()), page_json(Some(i64::MAX), Some(i64::MAX), &["z"])).await;
    let request = ListThings { page_number: Some(i64::MAX), ..list(&server) };
    assert_eq!(ids(request).await, ["z"]);
    assert_eq!(received(&server).await.len(), 1);
}

#[tokio::test]
async fn an_error_ends_the_stream_after_the_items_before_it() {
    let server = MockServer::start().await;
    serve_page(&server, None, page_json(Some(1), Some(3), &["a"])).await;
    Mock::given(method("GET"))
        .and(query_param("page[number]", "2"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    let results: Vec<_> = items(list(&server)).collect().await;
    assert_eq!(results.len(), 2);
    assert!(matches!(&results[0], Ok(t) if t.id == "a"));
    assert!(matches!(&results[1], Err(e) if e.kind() == ErrorKind::NotFound));
    assert_eq!(received(&server).await.len(), 2);

    let page_count = pages(list(&server)).count().await;
    assert_eq!(page_count, 2, "one page, then the error");
}
