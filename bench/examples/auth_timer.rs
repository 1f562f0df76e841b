//! What a route's `[auth]` policy costs per request, per algorithm: `Policy::authorize` on
//! a valid token (decode, select the key, verify, check times and the path binding), timed
//! with `std::time::Instant` so that it runs natively and inside wasm32-wasip1 under
//! Viceroy alike. Grip-Sig verification (ES256 on Fastly, HS256 locally) for comparison,
//! and RS256 verification alone, the app's (`rs256.rs`) beside the `rsa` crate's, key
//! reading included since the app reads the key on each call.
//!
//!   cargo run -p fanout-router-bench --example auth_timer --release
//!   cargo build -p fanout-router-bench --example auth_timer --release --target wasm32-wasip1
//!   viceroy run target/wasm32-wasip1/release/examples/auth_timer.wasm
//!
//! Each figure is the best of 5 rounds of enough calls to last ~50 ms. With arguments,
//! `auth_timer CALLS [table|runtime]` makes CALLS Grip-Sig ES256 verifications, with the
//! key's table built in advance (the default) or with the key read and its table built on
//! each call (`jwt::ES256`, as for an `[auth]` key), and prints nothing, so that
//! the process's CPU time, against `auth_timer 0`, gives the cost of a call on a machine too
//! busy for wall-clock rounds (BENCHMARKS.md: ES256 in wasm).

use std::borrow::Cow;
use std::hint::black_box;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use fanout_router_core::auth::{ClaimRule, Policy, Request, Stores, TokenSource};
use fanout_router_core::channel::{Channel, Piece};
use fanout_router_core::decision::Headers;
use fanout_router_core::grip_sig::{self, SignerKey, TrustedSigner};
use fanout_router_core::jwt::{self, Algorithm, Key};
use fanout_router_core::method::Methods;
use fanout_router_core::p256_fixed::VerifyingKey;
use fanout_router_core::route::{
    Action, Conditions, KeepAlive, KeepAliveMode, Match, Mode, Param, PatternKind, RequestHeaders,
    Route,
};
use fanout_router_core::rs256;
use p256::ecdsa::signature::Signer;
use rsa::BoxedUint;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{SignatureEncoding, Verifier};
use rsa::traits::PublicKeyParts;

const ROUNDS: usize = 5;
const ROUND_TIME: Duration = Duration::from_millis(50);
const RSA_PRIVATE_PEM: &str = include_str!("../../core/src/jwt/test-rsa-2048.pem");
const RSA_4096_PEM: &str = include_str!("../../core/src/rs256/test-rsa-4096.pem");

static ROUTE: Route = Route {
    pattern: "/notifications/{user}",
    kind: PatternKind::Exact,
    methods: Methods::GET,
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

struct Bearer(Vec<u8>);

impl Headers for Bearer {
    fn get(&self, name: &str) -> Option<&[u8]> {
        (name == "authorization").then_some(self.0.as_slice())
    }
}

impl Stores for Bearer {
    fn secret(&self, _: &str, _: &str) -> Option<Vec<u8>> {
        None
    }
    fn config(&self, _: &str, _: &str) -> Option<String> {
        None
    }
}

fn main() {
    let now = 1_800_000_000;
    let es256 = es256_grip_sig(now);
    let point: [u8; 65] = es256.1.clone().try_into().unwrap();
    let with_runtime_key = [TrustedSigner {
        key: SignerKey::Jwt(Key {
            algorithm: &jwt::ES256,
            id: None,
            material: Cow::Owned(es256.1),
        }),
        issuer: "fastly:svc".to_owned(),
    }];
    let with_table = [TrustedSigner {
        key: SignerKey::Es256(Box::leak(Box::new(
            <VerifyingKey>::from_sec1(&point).unwrap(),
        ))),
        issuer: "fastly:svc".to_owned(),
    }];
    let verify_runtime = || grip_sig::verify(black_box(&es256.0), &with_runtime_key, now).unwrap();
    let verify_table = || grip_sig::verify(black_box(&es256.0), &with_table, now).unwrap();
    let mut args = std::env::args().skip(1);
    if let Some(calls) = args.next() {
        let calls: u32 = calls.parse().expect("CALLS is a number");
        let verify: &dyn Fn() = match args.next().as_deref() {
            None | Some("table") => &verify_table,
            Some("runtime") => &verify_runtime,
            Some(other) => panic!("VERIFIER is table or runtime, not {other}"),
        };
        (0..calls).for_each(|_| verify());
        return;
    }
    let claims = format!(r#"{{"sub":"alice","exp":{}}}"#, now + 600);
    println!("| check | us per call |\n|---|---:|");
    for (algorithm, key, token) in keys_and_tokens(&claims) {
        let policy: &'static Policy = Box::leak(Box::new(policy(key)));
        let headers = Bearer(format!("Bearer {token}").into_bytes());
        let matched = Match::new(&ROUTE, "/notifications/alice");
        let channels = ["user-alice".to_owned()];
        let request = Request {
            headers: &headers,
            query: None,
            now_unix_secs: now,
        };
        let check = || {
            black_box(policy.authorize(&request, &matched, &channels, &headers)).unwrap();
        };
        println!("| auth {} | {:.1} |", algorithm.name, best_micros(&check));
    }
    println!(
        "| Grip-Sig ES256, key read per call | {:.1} |",
        best_micros(&verify_runtime)
    );
    println!(
        "| Grip-Sig ES256, fixed-key table | {:.1} |",
        best_micros(&verify_table)
    );
    comb_widths(&point);
    keys_read_per_call(&point);
    let local = [TrustedSigner::local()];
    let hs256 = jwt::sign_hs256(
        grip_sig::LOCAL_KEY,
        None,
        &format!(
            r#"{{"iss":"{}","exp":{}}}"#,
            grip_sig::LOCAL_ISSUER,
            now + 600
        ),
    );
    let verify = || grip_sig::verify(black_box(&hs256), &local, now).unwrap();
    println!("| Grip-Sig HS256 | {:.1} |", best_micros(&verify));
    for (bits, pem) in [(2048, RSA_PRIVATE_PEM), (4096, RSA_4096_PEM)] {
        let private = rsa::PrivateKey::from_pkcs8_pem(pem).unwrap();
        let signer = rsa::pkcs1v15::SigningKey::<rsa::sha2::Sha256>::new(private.clone());
        let signature = signer.sign(b"message").to_vec();
        let (n, e) = (private.n().to_be_bytes(), private.e().to_be_bytes());
        let ours = || {
            let key = rs256::PublicKey::new(black_box(&n), &e, jwt::MIN_RSA_BITS).unwrap();
            assert!(key.verify(b"message", black_box(&signature)));
        };
        let theirs = || {
            let key = rsa::PublicKey::new(
                BoxedUint::from_be_slice_vartime(black_box(&n)),
                BoxedUint::from_be_slice_vartime(&e),
            )
            .unwrap();
            let signature = rsa::pkcs1v15::Signature::try_from(black_box(&signature[..])).unwrap();
            let verifier = rsa::pkcs1v15::VerifyingKey::<rsa::sha2::Sha256>::new(key);
            verifier.verify(b"message", &signature).unwrap();
        };
        let (ours, theirs) = (best_micros(&ours), best_micros(&theirs));
        println!("| RS256 {bits} bits, rs256.rs | {ours:.1} |");
        println!("| RS256 {bits} bits, rsa crate | {theirs:.1} |");
        println!(
            "| RS256 {bits} bits, rs256.rs / rsa crate | {:.2} |",
            ours / theirs
        );
    }
}

fn policy(key: Key) -> Policy {
    Policy {
        name: "bench",
        token_from: &[TokenSource::Header],
        keys: Box::leak(Box::new([key])),
        secret: None,
        jwks: None,
        issuer: None,
        audience: None,
        leeway_secs: 30,
        claims: &[ClaimRule {
            claim: "sub",
            value: &[Piece::Param(0)],
        }],
        channels_claim: None,
        forward_authorization: true,
    }
}

/// ES256 verification alone (no JWT) for each comb width: its tables' bytes (the
/// generator's and the key's) against its time.
fn comb_widths(point: &[u8; 65]) {
    fn row<const ENTRIES: usize>(point: &[u8; 65]) {
        let key = VerifyingKey::<ENTRIES>::from_sec1(point).unwrap();
        let signing = p256::ecdsa::SigningKey::from_slice(&[9; 32]).unwrap();
        let signature: p256::ecdsa::Signature = signing.sign(b"message");
        let signature = signature.to_bytes();
        let verify = || assert!(key.verify(black_box(b"message"), &signature));
        let bytes = 2 * std::mem::size_of::<VerifyingKey<ENTRIES>>();
        let teeth = ENTRIES.trailing_zeros() + 1;
        println!(
            "| comb w={teeth}, {bytes} table bytes | {:.1} |",
            best_micros(&verify)
        );
    }
    row::<4>(point);
    row::<8>(point);
    row::<16>(point);
    row::<32>(point);
    row::<64>(point);
    row::<128>(point);
}

/// ES256 verification alone (no JWT) under a key read on each call, as for `[auth]` keys:
/// the p256 crate's against the fixed-key verifier's, which builds the key's table first.
fn keys_read_per_call(point: &[u8; 65]) {
    use p256::ecdsa::signature::Verifier;
    let signing = p256::ecdsa::SigningKey::from_slice(&[9; 32]).unwrap();
    let signature: p256::ecdsa::Signature = signing.sign(b"message");
    let bytes = signature.to_bytes();
    let p256_crate = || {
        let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(black_box(point)).unwrap();
        assert!(key.verify(b"message", &signature).is_ok());
    };
    let fixed_key = || {
        let key = <VerifyingKey>::from_sec1(black_box(point)).unwrap();
        assert!(key.verify(b"message", &bytes));
    };
    println!(
        "| ES256 alone, key read per call, p256 crate | {:.1} |",
        best_micros(&p256_crate)
    );
    println!(
        "| ES256 alone, key read per call, fixed-key verifier | {:.1} |",
        best_micros(&fixed_key)
    );
}

/// A key of each algorithm and a token it signs.
fn keys_and_tokens(claims: &str) -> Vec<(&'static Algorithm, Key, String)> {
    let b64 = |bytes: &[u8]| URL_SAFE_NO_PAD.encode(bytes);
    let input = |alg: &str| {
        format!(
            "{}.{}",
            b64(format!(r#"{{"alg":"{alg}"}}"#).as_bytes()),
            b64(claims.as_bytes())
        )
    };

    let hs256 = Key {
        algorithm: &jwt::HS256,
        id: None,
        material: Cow::Borrowed(b"a shared secret of the issuer"),
    };
    let hs256_token = jwt::sign_hs256(&hs256.material, None, claims);

    let ec = p256::ecdsa::SigningKey::from_slice(&[7; 32]).unwrap();
    let es256 = Key {
        algorithm: &jwt::ES256,
        id: None,
        material: Cow::Owned(ec.verifying_key().to_sec1_point(false).as_bytes().to_vec()),
    };
    let es_input = input("ES256");
    let signature: p256::ecdsa::Signature = ec.sign(es_input.as_bytes());
    let es256_token = format!("{es_input}.{}", b64(&signature.to_bytes()));

    let private = rsa::PrivateKey::from_pkcs8_pem(RSA_PRIVATE_PEM).unwrap();
    let public = private.to_public_key();
    let rs256 = Key {
        algorithm: &jwt::RS256,
        id: None,
        material: Cow::Owned(jwt::rsa_material(
            &public.n().to_be_bytes(),
            &public.e().to_be_bytes(),
        )),
    };
    let rs_input = input("RS256");
    let signer = rsa::pkcs1v15::SigningKey::<rsa::sha2::Sha256>::new(private);
    let rs256_token = format!(
        "{rs_input}.{}",
        b64(&signer.sign(rs_input.as_bytes()).to_bytes())
    );

    vec![
        (&jwt::HS256, hs256, hs256_token),
        (&jwt::ES256, es256, es256_token),
        (&jwt::RS256, rs256, rs256_token),
    ]
}

/// An ES256 Grip-Sig as Fanout signs one, and the SEC1 point of its key.
fn es256_grip_sig(now: u64) -> (String, Vec<u8>) {
    let key = p256::ecdsa::SigningKey::from_slice(&[9; 32]).unwrap();
    let b64 = |bytes: &[u8]| URL_SAFE_NO_PAD.encode(bytes);
    let claims = format!(r#"{{"iss":"fastly:svc","exp":{}}}"#, now + 600);
    let input = format!(
        "{}.{}",
        b64(br#"{"alg":"ES256","typ":"JWT"}"#),
        b64(claims.as_bytes())
    );
    let signature: p256::ecdsa::Signature = key.sign(input.as_bytes());
    let point = key.verifying_key().to_sec1_point(false).as_bytes().to_vec();
    (format!("{input}.{}", b64(&signature.to_bytes())), point)
}

/// Microseconds per call of `f`, the best of `ROUNDS` rounds.
fn best_micros(f: &dyn Fn()) -> f64 {
    let start = Instant::now();
    f();
    let once = start.elapsed().max(Duration::from_nanos(100));
    let iterations = (ROUND_TIME.as_nanos() / once.as_nanos()).max(1) as u32;
    let mut best = f64::INFINITY;
    for _ in 0..ROUNDS {
        let start = Instant::now();
        for _ in 0..iterations {
            f();
        }
        best = best.min(start.elapsed().as_secs_f64() * 1e6 / f64::from(iterations));
    }
    best
}
