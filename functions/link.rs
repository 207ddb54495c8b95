//! The build script every function crate shares (`build = "../link.rs"`), and the
//! hello-world baselines of the cold-start benchmark with them, so both are linked alike.
//!
//! On Linux the Lambda bootstraps are linked as position-dependent executables (`-no-pie`,
//! as Go links its Lambda binaries by default): the loader then has no relocations to apply
//! to the binary (26,000 in the ingest, each a write into a page it must copy first), which
//! was most of what a cold start cost beyond a hello-world function's (page faults at start
//! 322 → ~200 for the ingest). Only for glibc targets linked dynamically (what `cargo
//! lambda` builds by default); static and musl builds are left as the toolchain links them. Shared libraries, the stack and the heap stay randomised; the
//! executable's own addresses are fixed. `LAMBDA_PIE=1` at build time links a position-independent
//! executable instead.

fn main() {
    println!("cargo::rerun-if-env-changed=LAMBDA_PIE");
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    let glibc = var("CARGO_CFG_TARGET_OS") == "linux" && var("CARGO_CFG_TARGET_ENV") == "gnu";
    let static_crt = var("CARGO_CFG_TARGET_FEATURE")
        .split(',')
        .any(|f| f == "crt-static");
    let pie = var("LAMBDA_PIE") == "1";
    if glibc && !static_crt && !pie {
        println!("cargo::rustc-link-arg-bins=-no-pie");
    }
}
