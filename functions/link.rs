//! The build script every function crate shares (`build = "../link.rs"`), and the
//! hello-world baselines of the cold-start benchmark with them, so both are linked alike.
//!
//! On Linux the Lambda bootstraps are linked as position-dependent executables (`-no-pie`,
//! as Go links its Lambda binaries by default): the loader then has no relocations to apply
//! to the binary (26,000 in the ingest, each a write into a page it must copy first), which
//! was most of what a cold start cost beyond a hello-world function's (page faults at start
//! 322 → 179 for the ingest). Shared libraries, the stack and the heap stay randomised; the
//! executable's own addresses are fixed. `LAMBDA_PIE=1` at build time links a position-independent
//! executable instead.

fn main() {
    println!("cargo::rerun-if-env-changed=LAMBDA_PIE");
    let linux = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux");
    let pie = std::env::var("LAMBDA_PIE").is_ok_and(|v| v == "1");
    if linux && !pie {
        println!("cargo::rustc-link-arg-bins=-no-pie");
    }
}
