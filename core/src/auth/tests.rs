use std::borrow::Cow;

use super::*;
use crate::channel::Channel;
use crate::jwt::sign_hs256;
use crate::method::Methods;
use crate::route::{
    Action, Conditions, KeepAlive, KeepAliveMode, Mode, Param, PatternKind, RequestHeaders, Route,
};

const NOW: u64 = 1_800_000_000;
const SECRET: &[u8] = b"a secret of the users' issuer";

static USER_STREAM: Route = Route {
    pattern: "/notifications/{user}",
    kind: PatternKind::Exact,
    methods: Methods::ANY,
    params: &[Param {
        name: "user",
        segment: 1,
    }],
    action: Action::Answer(Mode::Sse {
        keep_alive: KeepAlive {
            interval_secs: 20,
            mode: KeepAliveMode::Idle,
            content: ":\n\n",
        },
        initial_body: "",
        reliable: None,
    }),
    channels: &[Channel(&[Piece::Text("user-"), Piece::Param(0)])],
    auth: None,
    cors: None,
    hosts: &[],
    when: Conditions::NONE,
    rewrite: None,
    request_headers: RequestHeaders::NONE,
};

static USERS: Policy = Policy {
    name: "users",
    token_from: &[
        TokenSource::Header,
        TokenSource::Query("access_token"),
        TokenSource::Cookie("session"),
    ],
    keys: &[],
    secret: Some(StoredSecret {
        store: "auth",
        key: "users",
        kid: None,
    }),
    jwks: None,
    issuer: Some("https://auth.example.com"),
    audience: Some("chat"),
    leeway_secs: 30,
    claims: &[ClaimRule {
        claim: "sub",
        value: &[Piece::Param(0)],
    }],
    channels_claim: None,
    forward_authorization: false,
};

static ROOMS: Policy = Policy {
    name: "rooms",
    token_from: &[TokenSource::Header],
    keys: &[Key {
        algorithm: &crate::jwt::HS256,
        id: Some(Cow::Borrowed("k1")),
        material: Cow::Borrowed(b"inline"),
    }],
    secret: None,
    jwks: None,
    issuer: None,
    audience: None,
    leeway_secs: 0,
    claims: &[],
    channels_claim: Some("x-fastly-read"),
    forward_authorization: true,
};

struct Fake {
    headers: Vec<(&'static str, Vec<u8>)>,
    secret: Option<Vec<u8>>,
}

impl Headers for Fake {
    fn get(&self, name: &str) -> Option<&[u8]> {
        let found = self
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name));
        found.map(|(_, v)| v.as_slice())
    }
}

impl Stores for Fake {
    fn secret(&self, store: &str, key: &str) -> Option<Vec<u8>> {
        assert_eq!((store, key), ("auth", "users"));
        self.secret.clone()
    }
    fn config(&self, _: &str, _: &str) -> Option<String> {
        None
    }
}

fn token(claims: &str) -> String {
    sign_hs256(SECRET, None, claims)
}

fn alice_claims() -> String {
    format!(
        r#"{{"sub":"alice","iss":"https://auth.example.com","aud":["chat","other"],"exp":{}}}"#,
        NOW + 600
    )
}

fn check(
    policy: &Policy,
    user: &'static str,
    headers: &[(&'static str, &str)],
    query: Option<&str>,
) -> Result<Authorized, Refusal> {
    let fake = Fake {
        headers: headers
            .iter()
            .map(|(n, v)| (*n, v.as_bytes().to_vec()))
            .collect(),
        secret: Some(SECRET.to_vec()),
    };
    let path = format!("/notifications/{user}");
    let matched = Match::new(&USER_STREAM, &path);
    let channels = [format!("user-{user}")];
    let request = Request {
        headers: &fake,
        query,
        now_unix_secs: NOW,
    };
    policy.authorize(&request, &matched, &channels, &fake)
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

#[test]
fn a_user_holds_their_own_stream_with_a_token_from_any_allowed_source() {
    let t = token(&alice_claims());
    let from_header = check(&USERS, "alice", &[("Authorization", &bearer(&t))], None);
    assert_eq!(
        from_header,
        Ok(Authorized {
            strip_query: None,
            strip_authorization: true,
        })
    );
    let query = format!("x=1&access_token={t}");
    let from_query = check(&USERS, "alice", &[], Some(&query)).unwrap();
    assert_eq!(from_query.strip_query, Some("access_token"));
    let cookie = format!("theme=dark; session={t}");
    assert!(check(&USERS, "alice", &[("Cookie", &cookie)], None).is_ok());
}

#[test]
fn each_refusal_is_precise() {
    let t = |claims: String| token(&claims);
    let exp = NOW + 600;
    let cases: Vec<(Vec<(&'static str, String)>, Refusal)> = vec![
        (vec![], Refusal::Missing),
        (
            vec![("Authorization", "Basic YTpi".into())],
            Refusal::Missing,
        ),
        (
            vec![("Authorization", "Bearer ".into())],
            Refusal::InvalidRequest("the Authorization header has no token"),
        ),
        (
            vec![
                ("Authorization", bearer(&t(alice_claims()))),
                ("Cookie", format!("session={}", t(alice_claims()))),
            ],
            Refusal::InvalidRequest("the token is sent more than one way"),
        ),
        (
            vec![("Authorization", bearer("not.a.token"))],
            Refusal::InvalidToken("the token is malformed: invalid base64url".into()),
        ),
        (
            vec![(
                "Authorization",
                bearer(&sign_hs256(b"wrong", None, &alice_claims())),
            )],
            Refusal::InvalidToken("the token's signature is invalid".into()),
        ),
        (
            vec![(
                "Authorization",
                bearer(&t(format!(
                    r#"{{"sub":"alice","iss":"https://auth.example.com","aud":"chat","exp":{}}}"#,
                    NOW - 60
                ))),
            )],
            Refusal::InvalidToken("the token has expired".into()),
        ),
        (
            vec![(
                "Authorization",
                bearer(&t(format!(
                    r#"{{"sub":"alice","iss":"https://auth.example.com","aud":"chat","exp":{exp},"nbf":{}}}"#,
                    NOW + 120
                ))),
            )],
            Refusal::InvalidToken("the token is not yet valid".into()),
        ),
        (
            vec![(
                "Authorization",
                bearer(&t(format!(
                    r#"{{"sub":"alice","iss":"https://evil.example","aud":"chat","exp":{exp}}}"#
                ))),
            )],
            Refusal::InvalidToken("the token's issuer is not accepted".into()),
        ),
        (
            vec![(
                "Authorization",
                bearer(&t(format!(
                    r#"{{"sub":"alice","iss":"https://auth.example.com","aud":"billing","exp":{exp}}}"#
                ))),
            )],
            Refusal::InvalidToken("the token is not for this audience".into()),
        ),
        (
            vec![(
                "Authorization",
                bearer(&t(format!(
                    r#"{{"sub":"bob","iss":"https://auth.example.com","aud":"chat","exp":{exp}}}"#
                ))),
            )],
            Refusal::InsufficientScope("the token's `sub` claim does not match this path".into()),
        ),
        (
            vec![(
                "Authorization",
                bearer(&format!("{}x", "a".repeat(MAX_TOKEN_BYTES))),
            )],
            Refusal::InvalidToken("the token is too long".into()),
        ),
    ];
    for (headers, expected) in cases {
        let headers: Vec<(&'static str, &str)> =
            headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        assert_eq!(
            check(&USERS, "alice", &headers, None),
            Err(expected),
            "{headers:?}"
        );
    }
}

#[test]
fn a_missing_secret_is_the_service_s_fault() {
    let fake = Fake {
        headers: vec![(
            "Authorization",
            bearer(&token(&alice_claims())).into_bytes(),
        )],
        secret: None,
    };
    let matched = Match::new(&USER_STREAM, "/notifications/alice");
    let request = Request {
        headers: &fake,
        query: None,
        now_unix_secs: NOW,
    };
    let refusal = USERS.authorize(&request, &matched, &[], &fake).unwrap_err();
    assert_eq!(refusal.response("users").status, 503);
}

#[test]
fn a_channels_claim_must_grant_every_rendered_channel() {
    let exp = NOW + 60;
    let granted = sign_hs256(
        b"inline",
        Some("k1"),
        &format!(r#"{{"exp":{exp},"x-fastly-read":["user-alice","news"]}}"#),
    );
    assert!(
        check(
            &ROOMS,
            "alice",
            &[("Authorization", &bearer(&granted))],
            None
        )
        .is_ok()
    );
    let refused = check(&ROOMS, "bob", &[("Authorization", &bearer(&granted))], None);
    assert!(
        matches!(refused, Err(Refusal::InsufficientScope(_))),
        "{refused:?}"
    );
    let no_claim = sign_hs256(b"inline", Some("k1"), &format!(r#"{{"exp":{exp}}}"#));
    let refused = check(
        &ROOMS,
        "alice",
        &[("Authorization", &bearer(&no_claim))],
        None,
    );
    assert!(matches!(refused, Err(Refusal::InsufficientScope(_))));
}

#[test]
fn refusals_follow_rfc_6750_and_never_echo_the_token() {
    let missing = Refusal::Missing.response("users");
    assert_eq!(missing.status, 401);
    assert_eq!(
        missing.header("WWW-Authenticate"),
        Some(r#"Bearer realm="users""#)
    );
    let invalid = Refusal::InvalidToken("the token has expired".into()).response("users");
    assert_eq!(invalid.status, 401);
    assert_eq!(
        invalid.header("WWW-Authenticate"),
        Some(
            r#"Bearer realm="users", error="invalid_token", error_description="the token has expired""#
        )
    );
    let scope = Refusal::InsufficientScope("no".into()).response("users");
    assert_eq!(scope.status, 403);
    assert!(
        scope
            .header("WWW-Authenticate")
            .unwrap()
            .contains("insufficient_scope")
    );
    assert_eq!(Refusal::InvalidRequest("x").response("users").status, 400);
}

#[test]
fn the_token_parameter_is_stripped_from_the_query() {
    assert_eq!(strip_query("access_token=abc", "access_token"), None);
    assert_eq!(
        strip_query("a=1&access_token=abc&b=2", "access_token").as_deref(),
        Some("a=1&b=2")
    );
    assert_eq!(
        strip_query("access_tokens=1", "access_token").as_deref(),
        Some("access_tokens=1")
    );
}
