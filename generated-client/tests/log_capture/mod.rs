//! A process-wide `tracing` subscriber that records what the client logs as text, for the test
//! binaries that check logging (each its own binary: the subscriber is global).
#![allow(dead_code)]

use std::sync::{Arc, Mutex};

/// Records every span and event, process-wide, as `name key=value ...` lines.
pub fn capture_logs() -> Arc<Mutex<String>> {
    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Metadata, Subscriber};

    struct Line<'a>(&'a mut String);
    impl Visit for Line<'_> {
        fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
            self.0.push_str(&format!(" {}={:?}", field.name(), value));
        }
        fn record_str(&mut self, field: &Field, value: &str) {
            self.0.push_str(&format!(" {}={}", field.name(), value));
        }
    }

    struct Capture {
        log: Arc<Mutex<String>>,
        next_id: std::sync::atomic::AtomicU64,
    }
    impl Capture {
        fn write(&self, name: &str, record: impl FnOnce(&mut Line<'_>)) {
            let mut line = String::from(name);
            record(&mut Line(&mut line));
            if let Ok(mut log) = self.log.lock() {
                log.push_str(&line);
                log.push('\n');
            }
        }
    }
    impl Subscriber for Capture {
        fn enabled(&self, _: &Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, span: &Attributes<'_>) -> Id {
            self.write(span.metadata().name(), |line| span.record(line));
            Id::from_u64(self.next_id.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1)
        }
        fn record(&self, _: &Id, values: &Record<'_>) {
            self.write("record", |line| values.record(line));
        }
        fn record_follows_from(&self, _: &Id, _: &Id) {}
        fn event(&self, event: &Event<'_>) {
            self.write("event", |line| event.record(line));
        }
        fn enter(&self, _: &Id) {}
        fn exit(&self, _: &Id) {}
    }

    let log = Arc::new(Mutex::new(String::new()));
    tracing::subscriber::set_global_default(Capture { log: log.clone(), next_id: Default::default() })
        .expect("the only subscriber in this binary");
    log
}
