//! Publishing through Pushpin's `/publish/` endpoint, as an origin or a user would.

use std::future::Future;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::time::{Instant, sleep};

/// How often a publish is repeated while the subscriber has not seen it yet.
const REPUBLISH_EVERY: Duration = Duration::from_millis(250);
const DELIVERY_DEADLINE: Duration = Duration::from_secs(10);

#[derive(Clone)]
pub struct Publisher {
    client: reqwest::Client,
    url: String,
}

impl Publisher {
    pub fn new(client: &reqwest::Client, publish_url: &str) -> Publisher {
        Publisher {
            client: client.clone(),
            url: publish_url.to_string(),
        }
    }

    /// Publishes one item with the given formats to `channel`; panics unless Pushpin takes it.
    pub async fn publish(&self, channel: &str, formats: Value) {
        let (status, text) = self.try_publish(channel, formats).await;
        assert_eq!(status, 200, "publish to {channel} refused: {text}");
    }

    /// Publishes one item and returns the endpoint's status and answer, whatever they are.
    pub async fn try_publish(&self, channel: &str, formats: Value) -> (u16, String) {
        let body = json!({ "items": [{ "channel": channel, "formats": formats }] });
        let response = self
            .client
            .post(&self.url)
            .header("Content-Type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .expect("the publish endpoint answers");
        let status = response.status().as_u16();
        (status, response.text().await.unwrap_or_default())
    }

    /// Publishes again and again until `received` completes, and returns what it gives. A
    /// subscriber is subscribed only some time after its response starts, so the first
    /// publish can miss it; this waits on delivery instead of sleeping and hoping.
    pub async fn publish_until<T>(
        &self,
        channel: &str,
        formats: Value,
        received: impl Future<Output = T>,
    ) -> T {
        let deadline = Instant::now() + DELIVERY_DEADLINE;
        tokio::pin!(received);
        loop {
            self.publish(channel, formats.clone()).await;
            tokio::select! {
                value = &mut received => return value,
                () = sleep(REPUBLISH_EVERY) => {}
            }
            assert!(
                Instant::now() < deadline,
                "a publish to {channel} was not delivered within {DELIVERY_DEADLINE:?}"
            );
        }
    }
}

/// The format for held HTTP streams (stream and SSE).
pub fn http_stream(content: &str) -> Value {
    json!({ "http-stream": { "content": content } })
}

/// The format that answers held long-polls.
pub fn http_response(body: &str) -> Value {
    json!({ "http-response": { "code": 200, "body": body } })
}

/// The format for WebSocket subscribers.
pub fn ws_message(content: &str) -> Value {
    json!({ "ws-message": { "content": content } })
}
