//! Reads a held HTTP response as it streams in.

pub struct BodyReader {
    response: reqwest::Response,
    /// Everything received so far.
    pub text: String,
}

impl BodyReader {
    pub fn new(response: reqwest::Response) -> BodyReader {
        BodyReader {
            response,
            text: String::new(),
        }
    }

    /// Reads until the body holds `needle`; panics if the response ends first. Safe to poll
    /// again after being interrupted, since it keeps what it has read in `text`.
    pub async fn until_contains(&mut self, needle: &str) {
        while !self.text.contains(needle) {
            let chunk = self
                .response
                .chunk()
                .await
                .expect("the stream stays readable");
            let Some(chunk) = chunk else {
                panic!(
                    "the stream ended before {needle:?}; received {:?}",
                    self.text
                );
            };
            self.text.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    /// Reads until the response ends and says how: `Ok` when it ended cleanly, otherwise the
    /// error that cut it short.
    pub async fn until_end(&mut self) -> Result<(), reqwest::Error> {
        while let Some(chunk) = self.response.chunk().await? {
            self.text.push_str(&String::from_utf8_lossy(&chunk));
        }
        Ok(())
    }
}
